"""The shape of the code (docs/architecture.md): imports flow one way, files stay readable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400
#: generated, or deliberately whole: migrations and the simulators (each a vendor's world)
EXEMPT_PARTS = {"migrations", "simulator", "simulator.py", "sim", ".venv", ".git", "node_modules"}


def test_import_contracts_are_kept():
    """`lint-imports` reads the contracts in pyproject.toml: console < vendors.core < vendors < dashboard."""
    result = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                             "lint_imports_command()"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def _source_files():
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if path.suffix in {".py", ".html", ".js", ".css"} and not parts & EXEMPT_PARTS:
            yield path


def test_no_source_file_is_longer_than_400_lines():
    too_long = {str(path.relative_to(ROOT)): n for path in _source_files()
                if (n := len(path.read_text(errors="replace").splitlines())) > MAX_LINES}
    assert too_long == {}
