"""Listing every Scalr server through the API: SQL statements and time per page at 1x and 143x data.

    .venv/bin/python bench/api_list.py            # SQLite (or DATABASE_URL if set)

1x is the benchmarks' 1x (bench/seeding.py: 20 farms, 260 servers); the large size seeds 143 times
that, so the listing holds the issue's 40,000 servers (bench/seeding.py's 100x holds 28,000: only
running farms have servers). A read token of a user in all five teams walks `/api/v1/scalr/servers/`
through Django's test client (the whole middleware stack: token check, throttle, JSON), following
`next`:

- the whole listing at 143x, 1,000 servers a page (41 pages): SQL statements of every page (not
  counting the token's last-used time, written once a minute whatever the page);
- like for like, pages as large as all of 1x (260 servers, one page there): the 1x page against the
  large listing's pages of that size (the first, the median and the deepest offset), each timed
  several times in rounds that alternate between the two databases (the fastest run of each, as
  in overview.py).

Targets: the same statements on every full page at both sizes; each large page within 1.5x of the 1x page.
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

from bench.overview import (copy_database, drop_database, settle, bench_database, use_database,  # noqa: E402
                            viewer_of_five_teams)  # (importing bench.overview sets up Django)

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.seeding import seed_all  # noqa: E402

WHOLE_PAGE = 1000
#: the large size, in multiples of 1x: 143 of them hold 40,060 servers
LARGE = 143
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
        def count(execute, sql, *args):
            if not sql.startswith('UPDATE "tokens_apitoken"'):
                captured.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
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
    old = bench_database()
    small_db = big_db = None
    try:
        from console.tokens.services import token_create

        teams, user = viewer_of_five_teams()
        _, token = token_create(user=user, description="bench")
        client = Client()
        seed_all(teams=teams, scale=1, prefix="x1")
        settle()
        big_db = connection.settings_dict["NAME"]
        small_db = copy_database(big_db)
        use_database(big_db)
        seed_all(teams=teams, scale=LARGE - 1, prefix="xl")
        settle()

        use_database(small_db)
        small_whole = walk(client, token, WHOLE_PAGE)
        like_for_like = small_whole[0][1]  # all of 1x in one page
        small_pages = walk(client, token, like_for_like)
        use_database(big_db)
        whole = walk(client, token, WHOLE_PAGE)
        like = walk(client, token, like_for_like)
        full = [page for page in like if page[1] == like_for_like]
        timed = {"1x": [small_pages[0][0]], "large first": [full[0][0]],
                 "large median": [full[len(full) // 2][0]], "large deepest": [full[-1][0]]}
        best = {name: [] for name in timed}
        for _ in range(ROUNDS):
            for label, db in (("1x", small_db), ("large", big_db)):
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

    full_pages = [page for page in whole + like + small_pages if page[1] in (WHOLE_PAGE, like_for_like)]
    statements = {n for _, _, n in full_pages}
    last_pages = {n for _, _, n in (whole[-1], like[-1])}
    listed = sum(rows for _, rows, _ in whole)
    figures = {name: round(min(values), 2) for name, values in best.items()}
    ratios = {name: round(value / figures["1x"], 2) for name, value in figures.items() if name != "1x"}
    ok = len(statements) == 1 and all(r <= 1.5 for r in ratios.values())
    report = {
        "engine": connection.vendor, "large_size": f"{LARGE}x", "servers_listed": listed, "pages": len(whole),
        "statements_per_full_page": sorted(statements), "statements_last_page": sorted(last_pages),
        "page_of_1000_ms": {
            "first": round(whole_ms[0], 2), "median": round(statistics.median(whole_ms), 2),
            "deepest": round(whole_ms[-1], 2), "total_s": round(sum(whole_ms) / 1000, 2)},
        "like_for_like_page": like_for_like, "like_for_like_best_ms": figures, "ratio_to_1x": ratios,
        "targets_met": ok,
    }
    print(f"listed {listed} servers in {len(whole)} pages of {WHOLE_PAGE}; SQL statements per full page: "
          f"{sorted(statements)} (both sizes), last page: {sorted(last_pages)}")
    print(f"pages of {WHOLE_PAGE} at {LARGE}x: first {whole_ms[0]:.1f} ms, median {statistics.median(whole_ms):.1f} ms, "
          f"deepest {whole_ms[-1]:.1f} ms, all {sum(whole_ms) / 1000:.2f} s")
    for name, value in figures.items():
        print(f"page of {like_for_like}, {name:<13} {value:8.1f} ms" + (f"  x{ratios[name]}" if name in ratios else ""))
    out = ROOT / "bench" / "results" / "api_list.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"targets met: {ok}; written to {out.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    with override_settings(CONSOLE_API_RATE="100000/min"):
        sys.exit(main())
