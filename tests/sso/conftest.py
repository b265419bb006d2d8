"""A real slapd for the LDAP tests, and the console configured to sign in against it.

Without slapd or python-ldap the LDAP tests skip, saying what to install; under CI (the CI
variable set, as .ci/run's machine has it) they fail instead, so a missing package cannot
quietly turn the directory tests off.
"""

import importlib.util
import os

import pytest
from django.test import override_settings

from tests.sso.slapd import BIND_DN, SLAPADD, SLAPD, SUFFIX, Slapd

#: the service account's password: it must surface in no page, log line or test output
BIND_CANARY = "canary-ldap-bind-5e1f9a7c3d"
INSTALL = ("apt-get install -y slapd ldap-utils libldap2-dev libsasl2-dev, "
           "then pip install -r requirements-ldap.txt")


def _missing() -> str | None:
    if SLAPD is None or SLAPADD is None:
        return f"Debian's slapd is not installed ({INSTALL})"
    if importlib.util.find_spec("django_auth_ldap") is None or importlib.util.find_spec("ldap") is None:
        return f"django-auth-ldap / python-ldap are not installed ({INSTALL})"
    return None


def require_ldap() -> None:
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI runs the LDAP tests: {missing}")
        pytest.skip(missing)


@pytest.fixture(scope="session")
def slapd():
    require_ldap()
    server = Slapd(bind_password=BIND_CANARY).start()
    yield server
    server.stop()


def directory_settings(uri: str, *, bind_password: str = BIND_CANARY, group_search_base: str | None = None) -> dict:
    """The settings dashboard/settings.py makes from the LDAP_* variables, for this directory."""
    from console.teams.ldap_config import auth_ldap_settings

    values = auth_ldap_settings(server_uri=uri, bind_dn=BIND_DN, bind_password=bind_password,
                                user_search_base=f"ou=people,{SUFFIX}", user_filter="(uid=%(user)s)",
                                group_search_base=f"ou=groups,{SUFFIX}" if group_search_base is None
                                else group_search_base,
                                start_tls=False)
    return {**values, "LDAP_SERVER_URI": uri,
            "AUTHENTICATION_BACKENDS": ["axes.backends.AxesStandaloneBackend",
                                        "console.teams.ldap_backend.DirectoryBackend",
                                        "console.teams.local_login.LocalAccountBackend"]}


@pytest.fixture
def directory(slapd, db):
    """The directory in its first state (alice in ops-admins, bob in ops-viewers, dave in data-team,
    carol in no group), and the console signing in against it."""
    slapd.reset()
    with override_settings(**directory_settings(slapd.uri)):
        yield slapd
