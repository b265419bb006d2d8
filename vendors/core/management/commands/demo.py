"""Start the whole console on the embedded default with every vendor's simulator.

Migrates, creates demo users (their logins are printed), starts each registered vendor's
simulator with its demo data, provisions connections to them, then runs web, worker and
beat as child processes until Ctrl-C stops everything.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from console.teams.models import Role
from vendors.core import polling, registry
from vendors.core.provisioning import ProvisionError, provision

TEAM = "demo"
USERS = (("admin", Role.ADMIN), ("operator", Role.OPERATOR), ("viewer", Role.VIEWER))


class Command(BaseCommand):
    help = "Run the console with bundled simulators on the embedded default (Ctrl-C stops everything)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--check", action="store_true",
                            help="start everything, wait for the first polls, print the result, stop")

    def handle(self, *args, host, port, check, **options):
        self.children: list[tuple[str, subprocess.Popen]] = []
        var = Path(settings.VAR_DIR)
        self._clean_runtime_state(var)
        call_command("migrate", interactive=False, verbosity=0)
        polling.leases_release_all()  # the polls they stood for were in the queue just emptied
        logins = self._users(var)
        env = {**os.environ, "CONSOLE_DEV": "1", "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
               "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"), "PYTHONUNBUFFERED": "1"}
        self._allow_simulators(env)
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        try:
            document = {"teams": [{"name": TEAM, "members": [{"username": u, "role": r} for u, r in USERS]}],
                        "connections": []}
            for spec in registry.vendors():
                if spec.demo is None:
                    continue
                url = self._start_simulator(spec, env)
                document["connections"].extend(spec.demo.connections(url))
            try:
                provision(document, environ={}, inline_secrets=True)
            except ProvisionError as exc:
                raise CommandError(f"The demo could not provision its connections: {exc}") from None
            started = time.time()
            celery = [sys.executable, "-m", "celery", "-A", "dashboard", "--quiet"]  # no banner
            self._start("worker", [*celery, "worker", "--pool=threads", "--concurrency=4", "--loglevel=WARNING",
                                   "--without-mingle", "--without-gossip"], env)
            self._start("beat", [*celery, "beat", "--loglevel=WARNING"], env)
            self._start("web", [sys.executable, "manage.py", "runserver", f"{host}:{port}", "--noreload"], env)
            base = f"http://{host}:{port}"
            self._wait_http(f"{base}/accounts/login/", "web server")
            self._wait_scheduler(started)
            self._banner(base, logins)
            if check:
                self._check_polls()
                return
            while True:
                for name, child in self.children:
                    if child.poll() is not None:
                        raise CommandError(f"The {name} process stopped (exit {child.returncode}); stopping the demo.")
                time.sleep(1)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            self._stop_all()

    # -- steps -----------------------------------------------------------------------------
    def _clean_runtime_state(self, var: Path) -> None:
        """Forget what a previous run left behind that would confuse this one."""
        for folder in ("prometheus", "broker/queue"):
            shutil.rmtree(var / folder, ignore_errors=True)
            (var / folder).mkdir(parents=True, exist_ok=True)

    def _users(self, var: Path) -> list[tuple[str, str, str]]:
        path = var / "demo-logins.json"
        stored = json.loads(path.read_text()) if path.exists() else {}
        User = get_user_model()
        logins = []
        for username, role in USERS:
            password = stored.get(username) or secrets.token_urlsafe(9)
            stored[username] = password
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.is_superuser = user.is_staff = username == "admin"
            user.save()
            logins.append((username, password, role))
        path.write_text(json.dumps(stored))
        path.chmod(0o600)
        return logins

    def _allow_simulators(self, env) -> None:
        """The simulators listen on loopback, which the outbound policy refuses: allow exactly their
        ports, here (provisioning checks the URLs) and in the web, worker and beat processes."""
        ports = [f"127.0.0.1:{spec.demo.port}" for spec in registry.vendors() if spec.demo is not None]
        allowed = [*settings.CONSOLE_OUTBOUND_ALLOW, *ports]
        settings.CONSOLE_OUTBOUND_ALLOW = allowed
        env["CONSOLE_OUTBOUND_ALLOW"] = ",".join(allowed)

    def _start_simulator(self, spec, env) -> str:
        module = spec.demo.simulator.rsplit(".", 1)[0]
        url = f"http://127.0.0.1:{spec.demo.port}"
        if _port_open(spec.demo.port):
            raise CommandError(f"Port {spec.demo.port} (the {spec.label} simulator) is already in use.")
        self._start(f"{spec.name} simulator", [sys.executable, "-m", module, "--demo", "--port", str(spec.demo.port)],
                    env)
        self._wait_port(spec.demo.port, f"{spec.label} simulator")
        return url

    def _start(self, name: str, command: list[str], env) -> None:
        child = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, start_new_session=True)
        self.children.append((name, child))

    def _wait_port(self, port: int, what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _port_open(port):
                return
            time.sleep(0.1)
        raise CommandError(f"The {what} did not start within {timeout:.0f} s.")

    def _wait_http(self, url: str, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=2).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise CommandError(f"The {what} did not answer within {timeout:.0f} s.")

    def _check_polls(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        pending = []
        while time.monotonic() < deadline:
            pending = [c for spec in registry.vendors() for c in spec.connection_model.objects.all()
                       if c.last_success_at is None]
            if not pending:
                self.stdout.write(self.style.SUCCESS("Every demo connection has been polled successfully."))
                return
            time.sleep(0.5)
        raise CommandError(f"Not polled in time: {', '.join(c.name for c in pending)}")

    def _wait_scheduler(self, since: float, timeout: float = 60) -> None:
        """Until beat has ticked and a worker ran the tick (its heartbeat): the start-up noise is over."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (polling.scheduler_last_tick() or 0) >= since:
                return
            time.sleep(0.2)
        self.stderr.write("The scheduler has not ticked yet; polls start once the worker and beat are up.")

    def _banner(self, base: str, logins) -> None:
        """The URL and the logins, last and framed, so they stand out from whatever was printed before."""
        vendors = [spec.label for spec in registry.vendors() if spec.demo]
        lines = [f"Ops console demo running at {base}/", "",
                 *(f"  sign in as {username:<9} password {password}   ({role})" for username, password, role in logins),
                 "", f"  simulators: {', '.join(vendors) if vendors else 'none (no vendor app installed)'}",
                 "  Press Ctrl-C to stop everything."]
        width = max(len(line) for line in lines) + 2
        self.stdout.write("\n╔" + "═" * width + "╗")
        for line in lines:
            self.stdout.write(f"║ {line:<{width - 1}}║")
        self.stdout.write("╚" + "═" * width + "╝\n")
        self.stdout.flush()

    def _stop_all(self) -> None:
        for _, child in reversed(self.children):
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for _, child in self.children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0
