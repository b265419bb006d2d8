"""Listing every Scalr server through the API: SQL statements and time per page at 1x and 100x data.

    .venv/bin/python bench/api_list.py            # SQLite (or DATABASE_URL if set)

100x is the overview benchmark's 100x (40,000 servers over 50 connections, bench/seeding.py); 1x is
its 1x (400 servers). A read token of a user in all five teams walks `/api/v1/scalr/servers/`
through Django's test client (the whole middleware stack: token check, throttle, JSON), following
`next`:

- the whole listing at 100x, 1,000 servers a page (40 pages): SQL statements of every page;
- like for like, the same page size at both sizes (400 servers, all of 1x in one page): the 1x
  page against the 100x pages (the first, the median of all 100 and the deepest offset), each
  timed several times in rounds that alternate between the two databases (the fastest run of
  each, as in overview.py).

Targets: the same statements on every page at both sizes; each 100x page within 1.5x of the 1x page.
Results: bench/results/api_list.json.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.overview import copy_database, drop_database, settle, use_database  # noqa: E402  (sets up Django)

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.seeding import seed_all  # noqa: E402

WHOLE_PAGE = 1000
LIKE_FOR_LIKE = 400
RUNS = 5
ROUNDS = 3


def get(client, url: str, token: str):
    answer = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200, (url, answer.status_code, answer.content[:300])
    return answer.json()


def walk(client, token: str, limit: int) -> list[tuple[str, int, int]]:
    """Every page of the listing: (path, rows, SQL statements)."""
    pages, url = [], f"{reverse('api:scalr:server-list')}?limit={limit}"
    while url:
        captured = []
        with connection.execute_wrapper(lambda execute, sql, *args: captured.append(sql) or execute(sql, *args)):
            body = get(client, url, token)
        pages.append((url, len(body["results"]), len(captured)))
        url = body["next"] and "{0.path}?{0.query}".format(urlsplit(body["next"]))
    return pages


def best_ms(client, token: str, url: str) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        get(client, url, token)
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main() -> int:
    setup_test_environment()
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    old = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    small_db = big_db = None
    try:
        from console.teams.models import Membership, Role, Team
        from console.tokens.services import token_create
        from tests.conftest import make_user

        teams = [Team.objects.create(name=f"team-{i}", slug=f"team-{i}") for i in range(5)]
        user = make_user("bench")
        for team in teams:
            Membership.objects.create(team=team, user=user, role=Role.VIEWER)
        _, token = token_create(user=user, description="bench")
        client = Client()
        seed_all(teams=teams, scale=1, prefix="x1")
        settle()
        big_db = connection.settings_dict["NAME"]
        small_db = copy_database(big_db)
        use_database(big_db)
        seed_all(teams=teams, scale=99, prefix="x99")
        settle()

        use_database(small_db)
        small_pages = walk(client, token, LIKE_FOR_LIKE)
        small_whole = walk(client, token, WHOLE_PAGE)
        use_database(big_db)
        whole = walk(client, token, WHOLE_PAGE)
        like = walk(client, token, LIKE_FOR_LIKE)
        timed = {"1x": [small_pages[0][0]], "100x first": [like[0][0]],
                 "100x median": [like[len(like) // 2][0]], "100x deepest": [like[-1][0]]}
        best = {name: [] for name in timed}
        for _ in range(ROUNDS):
            for label, db in (("1x", small_db), ("100x", big_db)):
                use_database(db)
                for name, (url,) in timed.items():
                    if name.startswith(label):
                        best[name].append(best_ms(client, token, url))
        whole_ms = []
        for url, _, _ in whole:
            whole_ms.append(best_ms(client, token, url))
    finally:
        if small_db:
            use_database(big_db)
            drop_database(small_db)
            use_database(big_db)
        connection.creation.destroy_test_db(old, verbosity=0)

    statements = {n for _, _, n in whole + like + small_pages + small_whole}
    listed = sum(rows for _, rows, _ in whole)
    figures = {name: round(min(values), 2) for name, values in best.items()}
    ratios = {name: round(value / figures["1x"], 2) for name, value in figures.items() if name != "1x"}
    ok = len(statements) == 1 and all(r <= 1.5 for r in ratios.values())
    report = {
        "engine": connection.vendor, "servers_listed_at_100x": listed, "pages_at_100x": len(whole),
        "statements_per_page": sorted(statements), "page_of_1000_ms": {
            "first": round(whole_ms[0], 2), "median": round(statistics.median(whole_ms), 2),
            "deepest": round(whole_ms[-1], 2), "total_s": round(sum(whole_ms) / 1000, 2)},
        "page_of_400_best_ms": figures, "ratio_to_1x": ratios, "targets_met": ok,
    }
    print(f"listed {listed} servers in {len(whole)} pages of {WHOLE_PAGE}; SQL statements per page: "
          f"{sorted(statements)} (every page, both sizes)")
    print(f"pages of {WHOLE_PAGE} at 100x: first {whole_ms[0]:.1f} ms, median {statistics.median(whole_ms):.1f} ms, "
          f"deepest {whole_ms[-1]:.1f} ms, all {sum(whole_ms) / 1000:.2f} s")
    for name, value in figures.items():
        print(f"page of {LIKE_FOR_LIKE}, {name:<13} {value:8.1f} ms" + (f"  x{ratios[name]}" if name in ratios else ""))
    out = ROOT / "bench" / "results" / "api_list.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"targets met: {ok}; written to {out.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    with override_settings(CONSOLE_API_RATE="100000/min"):
        sys.exit(main())
