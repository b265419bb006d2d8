"""Production settings: refuse to start without keys; the deploy checklist is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, tmp_path, **env):
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "CONSOLE_VAR_DIR": str(tmp_path)}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


PRODUCTION = {"SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-1234567890",
              "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "ALLOWED_HOSTS": "console.example.com"}


@pytest.mark.parametrize("missing,message", [("SECRET_KEY", "SECRET_KEY must be set when DEBUG is off"),
                                             ("FIELD_ENCRYPTION_KEYS", "FIELD_ENCRYPTION_KEYS must be set")])
def test_production_refuses_to_start_without_keys(tmp_path, missing, message):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = manage("check", tmp_path=tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_prints_no_warning_with_production_settings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_generate_encryption_key_gives_a_usable_key(tmp_path):
    result = manage("generate_encryption_key", tmp_path=tmp_path, DEBUG="1")
    Fernet(result.stdout.strip().encode())
