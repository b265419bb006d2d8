"""The shape of the code (docs/architecture.md): imports flow one way, files stay readable."""

from __future__ import annotations

import ast
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


#: what reads or writes the database; a view calls a selector or a service for it
ORM_ATTRIBUTES = {"objects", "filter", "exclude", "select_related", "prefetch_related", "annotate", "aggregate",
                  "values_list", "order_by", "only", "defer", "get_or_create", "update_or_create", "bulk_create"}
ORM_FUNCTIONS = {"get_object_or_404", "get_list_or_404"}


def _view_modules():
    for pattern in ("console/*/views.py", "dashboard/*/views.py", "vendors/*/views.py", "vendors/*/views/*.py"):
        yield from ROOT.glob(pattern)


def test_views_are_thin_no_orm_query_in_a_view_module():
    """A view parses input, calls a selector or a service, renders (HackSoft's styleguide)."""
    found = []
    for path in _view_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            name = (node.attr if isinstance(node, ast.Attribute) else
                    node.id if isinstance(node, ast.Name) and node.id in ORM_FUNCTIONS else None)
            if name in ORM_ATTRIBUTES or name in ORM_FUNCTIONS:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert found == []
