"""Overview, lists and timeline at 1x and 100x data: SQL statements and server time.

    .venv/bin/python bench/overview.py            # SQLite (or DATABASE_URL if set)

At 100x: 50 connections' worth of inventory (5,000 Scalingo apps, 2,000 Scalr farms with
40,000 servers when the Scalr app is installed). Each page is requested through Django's
test client (the full middleware stack, no network), 30 times after a warm-up; the
fastest run is compared (the least disturbed by other work on a shared machine). Targets: the same number of statements at 1x and 100x, and the time
at 100x within 1.5x of the time at 1x. Results go to bench/results/overview.json.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench.seeding import seed_all  # noqa: E402
from tests.test_query_counts import PAGES as ALL_PAGES  # noqa: E402

# the pages the overview issue names: overview, timeline, and each vendor's main list unfiltered
# (a filter or search returns different numbers of rows at 1x and 100x: only its SQL count is compared,
# in tests/test_query_counts.py)
PAGES = {name: url for name, url in ALL_PAGES.items()
         if name not in ("connections", "search") and not name.endswith(("-filtered", "-search"))}

RUNS = 30


def measure(client) -> dict[str, dict]:
    out = {}
    for name, url in PAGES.items():
        try:
            path = url()
        except Exception:
            continue
        client.get(path)
        statements = []
        with connection.execute_wrapper(lambda execute, sql, *args: statements.append(sql) or execute(sql, *args)):
            client.get(path)
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (name, response.status_code)
        # the fastest run is the least disturbed by other work on the machine
        out[name] = {"queries": len(statements), "best_ms": round(min(times) * 1000, 2),
                     "median_ms": round(statistics.median(times) * 1000, 2)}
    return out


def main() -> int:
    setup_test_environment()
    # like Django's TestCase: keep one connection across requests, so queries can be captured
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    old = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from dashboard.teams.models import Membership, Role, Team
        from tests.conftest import make_user

        teams = [Team.objects.create(name=f"team-{i}", slug=f"team-{i}") for i in range(5)]
        user = make_user("bench")
        for team in teams:
            Membership.objects.create(team=team, user=user, role=Role.VIEWER)
        client = Client()
        client.force_login(user)

        seed_all(teams=teams, scale=1, prefix="x1")
        small = measure(client)
        seed_all(teams=teams, scale=99, prefix="x99")  # 1x + 99x = 100x in all
        large = measure(client)
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)

    report = {"engine": connection.vendor, "runs": RUNS, "pages": {}}
    ok = True
    print(f"{'page':<24}{'SQL 1x':>8}{'SQL 100x':>10}{'ms 1x':>10}{'ms 100x':>10}{'ratio':>8}")
    for name in small:
        ratio = large[name]["best_ms"] / small[name]["best_ms"]
        constant = small[name]["queries"] == large[name]["queries"]
        ok &= constant and ratio <= 1.5
        report["pages"][name] = {"1x": small[name], "100x": large[name], "time_ratio": round(ratio, 2),
                                 "constant_queries": constant}
        print(f"{name:<24}{small[name]['queries']:>8}{large[name]['queries']:>10}"
              f"{small[name]['best_ms']:>10}{large[name]['best_ms']:>10}{ratio:>8.2f}")
    report["targets_met"] = ok
    out = ROOT / "bench" / "results" / "overview.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"targets met: {ok}; written to {out.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
