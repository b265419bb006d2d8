"""A real Celery worker (prefork, one pool process) started as a subprocess of a test, on the test's
database and broker (see worker_settings.py), and the means to kill it.

The worker runs in its own session (`start_new_session`), so its process group is exactly the
master and the pool processes it forked: `crash()` SIGKILLs that group while the master is still
our unreaped child (its id cannot have been reused), `kill_pool_process(pid)` SIGKILLs one pool
process after checking, in /proc, that it is a child of this worker's master.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection as db_connection

from tests.harness.waiting import wait_for

BASE_DIR = Path(__file__).resolve().parents[2]


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, process group) of `pid` from /proc, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1]), int(fields[2])


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def worker_environment(*, lease_seconds: float | None = None) -> dict[str, str]:
    """The environment of a worker that shares this test's database, broker and cache."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_TESTRUNUID", "PYTEST_CURRENT_TEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.integration.worker_settings",
        CONSOLE_TEST_DATABASE_NAME=str(db_connection.settings_dict["NAME"]),
        CONSOLE_VAR_DIR=str(settings.VAR_DIR),
        LOG_FORMAT="text",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    if lease_seconds is not None:
        env["CONSOLE_TEST_POLL_LEASE_SECONDS"] = str(lease_seconds)
    return env


class WorkerProcess:
    """`celery -A dashboard worker --pool prefork --concurrency 1` as a subprocess."""

    def __init__(self, log_path: Path, env: dict[str, str]):
        self.log_path = log_path
        self.env = env
        self.name = f"killtest-{uuid.uuid4().hex[:8]}@%h"
        self.process: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        command = [sys.executable, "-m", "celery", "-A", "dashboard", "worker", "--pool", "prefork",
                   "--concurrency", "1", "--prefetch-multiplier", "1", "--loglevel", "INFO",
                   "--without-gossip", "--without-mingle", "--without-heartbeat", "--hostname", self.name]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, cwd=BASE_DIR, env=self.env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None, "worker not started"
        return self.process.pid

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Until the worker consumes (Celery logs "<name> ready.")."""
        def ready():
            assert self.running(), f"the worker exited ({self.process.returncode}):\n{self.log_tail()}"
            return " ready." in self.log()
        wait_for(ready, timeout=timeout, what=f"worker ready\n{self.log_tail()}")

    def pool_processes(self) -> set[int]:
        """The live processes this worker's master forked (its pool)."""
        if not self.running():
            return set()
        return {pid for pid in _pids() if (stat := _stat(pid)) and stat[1] == self.pid and stat[0] not in "ZX"}

    def kill_pool_process(self, pid: int) -> None:
        """SIGKILL one pool process (the one running the task), as the OOM killer would."""
        assert pid in self.pool_processes(), f"{pid} is not a pool process of worker {self.pid}"
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not alive(pid), timeout=10, what=f"pool process {pid} gone")

    def crash(self) -> None:
        """SIGKILL the master and its pool at once (the machine or container died): nobody requeues."""
        assert self.running(), "the worker is not running"
        group = [pid for pid in _pids() if (stat := _stat(pid)) and stat[2] == self.pid]
        os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        wait_for(lambda: not any(alive(pid) for pid in group), timeout=10, what=f"worker {self.pid}'s processes gone")

    def stop(self, timeout: float = 20.0) -> None:
        """Warm shutdown (SIGTERM to the master, which stops its pool); SIGKILL the group if it has not
        exited in `timeout`."""
        if not self.running():
            return
        group = [pid for pid in _pids() if (stat := _stat(pid)) and stat[2] == self.pid]
        os.kill(self.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)  # the master is not reaped yet: the group is still ours
            self.process.wait(timeout=10)
        try:
            wait_for(lambda: not any(alive(pid) for pid in group), timeout=10,
                     what=f"worker {self.pid}'s processes gone")
        except AssertionError:
            # a pool process outlived its master; while any member lives the group id cannot be reused
            os.killpg(self.pid, signal.SIGKILL)
            wait_for(lambda: not any(alive(pid) for pid in group), timeout=10,
                     what=f"worker {self.pid}'s processes gone")
