"""The console's web server as a subprocess on a free port: gunicorn with deploy/gunicorn.conf.py
(production's serving model) or `manage.py runserver` (the demo's), and a way in as a user.

    server = WebServer.gunicorn(tmp_path / "web.log", env).start()
    client = server.client_for(user)       # an httpx client holding the user's session
    ...
    server.stop()

`env` is the environment of the process: `worker_environment()` for a test (its database,
var/ and cache), the benchmark's own otherwise.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
from django.conf import settings
from django.test import Client

from tests.harness.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class WebServer:
    def __init__(self, command: list[str], port: int, log_path: Path, env: dict[str, str]):
        self.command, self.port, self.log_path, self.env = command, port, log_path, env
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    @classmethod
    def gunicorn(cls, log_path: Path, env: dict[str, str], *, workers: int = 1) -> WebServer:
        """gunicorn as deploy/systemd/ops-console-web.service runs it (one worker by default, so
        a test knows which process its tails count against)."""
        port = free_port()
        env = {**env, "CONSOLE_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)}
        command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "dashboard.wsgi"]
        return cls(command, port, log_path, env)

    @classmethod
    def runserver(cls, log_path: Path, env: dict[str, str]) -> WebServer:
        """The development server, as `manage.py demo` runs it."""
        port = free_port()
        return cls([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], port, log_path, env)

    def start(self, timeout: float = 60.0) -> WebServer:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self._answers, timeout=timeout, what=f"the web server answering on {self.url}")
        return self

    def _answers(self) -> bool:
        assert self.process.poll() is None, f"the web server exited ({self.process.returncode}):\n{self.log_tail()}"
        try:
            return httpx.get(f"{self.url}/accounts/login/", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    def client_for(self, user, **options) -> httpx.Client:
        """An httpx client signed in as `user` (a session stored in the database the server reads)."""
        session = Client()
        session.force_login(user)
        cookie = session.cookies[settings.SESSION_COOKIE_NAME].value
        return httpx.Client(base_url=self.url, cookies={settings.SESSION_COOKIE_NAME: cookie}, **options)

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM (gunicorn stops gracefully), then SIGKILL the session's group if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # not reaped yet: the group is still ours
            self.process.wait(timeout=10)
