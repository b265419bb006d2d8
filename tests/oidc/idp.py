"""A real OpenID provider for the sign-in tests: node-oidc-provider (tests/oidc/provider/).

    from tests.oidc.idp import idp, oidc_provider  # noqa: F401  (fixtures)

    def test_x(idp):
        idp.accounts({"alice": {"preferred_username": "alice", "groups": ["ops-admins"]}})
        idp.mode("expired")  # the next ID token the token endpoint hands out is expired

`idp` also points the console's OIDC settings at the provider, with a client secret that is
a canary: SECRET must never appear in a page or a log line. The provider needs node and npm;
its packages are installed with `npm ci` at the first use. Without node the tests are skipped
with the reason, except in CI (CI set), where they fail.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
from base64 import b64encode
from pathlib import Path

import pytest

PROVIDER_DIR = Path(__file__).resolve().parent / "provider"
CLIENT_ID = "ops-console"
SECRET = "oidc-client-secret-canary-5c1e9a"
PROVIDER_NAME = "Keycloak"


def secret_forms() -> list[str]:
    """The canary as it could leak: as is, and inside a Basic authorization header."""
    return [SECRET, b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()]


def _tools() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        reason = "node and npm run the OpenID provider of the sign-in tests (apt-get install -y nodejs npm)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return node, npm


def _install(npm: str) -> None:
    """`npm ci` once, whichever test worker comes first (the others wait on the lock)."""
    with open(PROVIDER_DIR / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
            result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, capture_output=True,
                                    text=True, timeout=300)
            if result.returncode != 0:
                pytest.fail(f"npm ci failed in {PROVIDER_DIR}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


class Provider:
    def __init__(self, process: subprocess.Popen, issuer: str, control: Path, log: Path):
        self.process, self.issuer, self.control, self.log = process, issuer, control, log

    def accounts(self, accounts: dict) -> None:
        (self.control / "accounts.json").write_text(json.dumps(accounts))

    def mode(self, mode: str | None) -> None:
        """The next ID tokens are spoilt this way (see server.mjs), or good again with None."""
        (self.control / "mode.json").write_text(json.dumps({"id_token": mode} if mode else {}))


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    node, npm = _tools()
    _install(npm)
    control = tmp_path_factory.mktemp("oidc-provider")
    log = control / "provider.log"
    env = {**os.environ, "CONTROL_DIR": str(control), "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": SECRET,
           "REDIRECT_URI": f"{live_server.url}/oidc/callback/", "NODE_ENV": "test"}
    with open(log, "w") as stderr:
        process = subprocess.Popen([node, "server.mjs"], cwd=PROVIDER_DIR, env=env, stdout=subprocess.PIPE,
                                   stderr=stderr, text=True)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        line = process.stdout.readline() if ready else ""
        if not line:
            pytest.fail(f"the OpenID provider did not start: {log.read_text()[-2000:]}")
        yield Provider(process, json.loads(line)["issuer"], control, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def idp(oidc_provider, settings):
    """The provider with no account and good tokens, and the console's OIDC settings pointing at it."""
    from django.core.cache import cache

    oidc_provider.accounts({})
    oidc_provider.mode(None)
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = SECRET
    settings.OIDC_PROVIDER_NAME = PROVIDER_NAME
    cache.clear()  # discovery and keys are read afresh, as at a process's first sign-in
    yield oidc_provider
