"""Helpers shared by the Scalingo tests (a module name of its own, so it never clashes with
another folder's conftest)."""

from __future__ import annotations

import threading
from pathlib import Path

from vendors.scalingo.simulator import ScalingoSimulator

#: Tiny backoff so retry tests stay fast.
FAST = {"backoff_initial": 0.01, "backoff_max": 0.05, "max_retry_seconds": 3.0}
#: a copy of the shared vendor-apis/scalingo_examples.json, so the suite needs nothing outside the repository
EXAMPLES = Path(__file__).resolve().parent / "data" / "scalingo_examples.json"
APP = "example-running-application"  # the recorded app's name, reused so recorded paths line up


def tables_holding(text: str) -> list[str]:
    """Every table of the database with a row holding `text` anywhere, as stored."""
    from django.db import connection as db

    found = []
    with db.cursor() as cursor:
        for table in db.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")
            if any(text in str(value) for row in cursor.fetchall() for value in row):
                found.append(table)
    return found


def make_sim(**options) -> ScalingoSimulator:
    settings = {"rate_limit": None, "operation_seconds": 0.05, "stream_seconds": 0.5, **options}
    simulator = ScalingoSimulator(**settings)
    simulator.serve()
    # The formation of the recorded app: web 1×S, clock 0×M.
    simulator.control("add_app", {"name": APP, "formation": [
        {"name": "web", "command": "", "amount": 1, "size": "S"},
        {"name": "clock", "command": "node cron.js", "amount": 0, "size": "M"}]})
    return simulator


def api_requests(simulator: ScalingoSimulator, path_part: str = ""):
    """What the simulator received, minus the auth service's token exchanges."""
    return [r for r in simulator.received if not r.path.endswith("/tokens/exchange") and path_part in r.path]


def exchanges(simulator: ScalingoSimulator) -> int:
    return sum(1 for r in simulator.received if r.path.endswith("/tokens/exchange"))


def stop_soon(simulator: ScalingoSimulator) -> None:
    """Stop in the background: the stdlib server notices shutdown only every half second."""
    threading.Thread(target=simulator.stop, daemon=True).start()
