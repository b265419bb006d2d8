"""The README's first command, as a person runs it: `manage.py demo` starts everything quietly and says last,
framed, where to go and how to sign in (`--check` waits for every first poll, then stops)."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_demo_starts_quietly_and_says_where_to_sign_in_last(tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "CONSOLE_DEV")}
    env.update(CONSOLE_VAR_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1")
    done = subprocess.run([sys.executable, "manage.py", "demo", "--check", "--port", str(port)], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=240)
    output = done.stdout
    assert done.returncode == 0, output[-3000:]
    lines = output.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("╔"))
    frame = lines[top:next(i for i, line in enumerate(lines) if line.startswith("╚")) + 1]
    assert f"Ops console demo running at http://127.0.0.1:{port}/" in frame[1]
    assert [line.split()[4] for line in frame if "sign in as" in line] == ["admin", "operator", "viewer"]
    before = "\n".join(lines[:top])
    assert "Starting development server" in before  # the start-up noise came first
    assert "Every demo connection has been polled successfully." in "\n".join(lines[top:])
    for noise in ("celery@", "-------------- [queues]", "No hostname was supplied", "Traceback"):
        assert noise not in output
    assert oct((tmp_path / "var" / "demo-logins.json").stat().st_mode)[-3:] == "600"
