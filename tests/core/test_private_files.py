"""What the console writes to disk on the embedded default is readable by its owner only."""

import stat

from tests.core.test_settings import manage

WRITE_EVERYTHING = """
from django.core.cache import cache
from dashboard.celery import app
cache.set("probe", "value")
app.send_task("vendors.core.tasks.scheduler_tick")
"""


def test_database_broker_cache_and_var_are_private_when_created_by_the_entry_points(tmp_path):
    var = tmp_path / "var"
    for command in (["migrate", "--noinput"], ["shell", "-c", WRITE_EVERYTHING]):
        result = manage(*command, tmp_path=var, DEBUG="1")
        assert result.returncode == 0, result.stderr

    created = {path.relative_to(var).as_posix(): stat.S_IMODE(path.stat().st_mode)
               for path in [var, *var.rglob("*")]}
    assert "console.sqlite3" in created
    assert any(name.startswith("broker/queue/") and name.endswith(".msg") for name in created), created
    assert any(name.startswith("cache/") and name.endswith(".djcache") for name in created), created
    assert "prometheus" in created
    loose = {name: oct(mode) for name, mode in created.items() if mode & 0o077}
    assert loose == {}
