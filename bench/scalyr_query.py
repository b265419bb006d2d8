"""What the console adds to a Scalyr log query: the explorer's 100-line page vs a bare httpx call.

    python bench/scalyr_query.py [--runs 40] [--latency 0.05]

Both go to the same simulator over real HTTP with the same injected latency (50 ms by
default): the baseline is one `POST /api/query` by httpx (JSON decoded); the console's
figure is the server-side time of the explorer's results fragment for the same query
(middleware, session, permission checks, token decryption, the Scalyr client, rendering
100 lines), measured in-process with Django's test client. The two are interleaved so
machine noise hits both alike. Target: the console adds under 15% and under 20 ms.
Figures are printed and written to bench/results/scalyr_query.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CONSOLE_DEV", "1")
os.environ.setdefault("CONSOLE_VAR_DIR", tempfile.mkdtemp(prefix="bench-scalyr-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from dashboard.teams.models import Membership, Role, Team  # noqa: E402
from vendors.scalyr.models import ScalyrConnection  # noqa: E402
from vendors.scalyr.simulator import ScalyrSimulator  # noqa: E402

TOKEN = "bench-read-logs-token"
FILTER = "dataset == 'accesslog'"
PAGE = 100


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the simulator adds to every answer")
    args = parser.parse_args()

    call_command("migrate", interactive=False, verbosity=0)
    simulator = ScalyrSimulator(read_logs_tokens=TOKEN, events_per_second=5.0)
    simulator.backfill(3600)
    url = simulator.serve()
    team = Team.objects.create(name="bench", slug="bench")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("bench", password="bench-password-123")
    Membership.objects.create(team=team, user=user, role=Role.OPERATOR)
    connection = ScalyrConnection(name="bench", team=team, base_url=url, settings={"region": ""})
    connection.secrets.set("read_logs_token", TOKEN)
    connection.save()

    web = Client(HTTP_HOST="127.0.0.1")
    web.force_login(user)
    # Absolute times, as the explorer itself sends them: both sides read the same 100 events.
    end_ms = simulator.now_ns() // 1_000_000
    start_ms = end_ms - 3_600_000
    page_url = f"/scalyr/{connection.pk}/?" + str(httpx.QueryParams({"filter": FILTER, "start": str(start_ms),
                                                                     "end": str(end_ms)}))
    body = {"token": TOKEN, "queryType": "log", "filter": FILTER, "startTime": start_ms, "endTime": end_ms,
            "maxCount": PAGE, "pageMode": "tail"}
    direct = httpx.Client(base_url=url, timeout=10)

    def direct_call() -> float:
        started = time.perf_counter()
        answer = direct.post("/api/query", json=body).json()
        elapsed = time.perf_counter() - started
        assert len(answer["matches"]) == PAGE, answer.get("message")
        return elapsed

    def view_call() -> float:
        started = time.perf_counter()
        response = web.get(page_url, HTTP_HX_REQUEST="true")
        elapsed = time.perf_counter() - started
        assert response.status_code == 200 and response.content.count(b"<li class=\"sev-") == PAGE, \
            response.content[:300]
        return elapsed

    simulator.faults.update(latency=args.latency)
    for _ in range(5):  # warm up: connections, template cache, client cache
        direct_call(), view_call()
    directs, views = [], []
    for _ in range(args.runs):
        directs.append(direct_call())
        views.append(view_call())
    simulator.faults.update()
    bare = [view_call() - direct_call() for _ in range(args.runs)]
    simulator.stop()

    direct_ms = statistics.median(directs) * 1000
    view_ms = statistics.median(views) * 1000
    added_ms = view_ms - direct_ms
    result = {
        "what": "explorer results fragment (100 lines) vs one direct httpx POST /api/query to the same simulator",
        "latency_injected_ms": args.latency * 1000,
        "runs": args.runs,
        "direct_median_ms": round(direct_ms, 2),
        "direct_p90_ms": round(percentile(directs, 0.9) * 1000, 2),
        "view_median_ms": round(view_ms, 2),
        "view_p90_ms": round(percentile(views, 0.9) * 1000, 2),
        "added_median_ms": round(added_ms, 2),
        "added_fraction": round(added_ms / direct_ms, 4),
        "added_without_latency_median_ms": round(statistics.median(bare) * 1000, 2),
        "target": "added < 15% and < 20 ms",
        "meets_target": added_ms / direct_ms < 0.15 and added_ms < 20,
        "python": sys.version.split()[0],
    }
    out = ROOT / "bench" / "results" / "scalyr_query.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"direct httpx call : median {result['direct_median_ms']:.1f} ms (p90 {result['direct_p90_ms']:.1f})")
    print(f"explorer fragment : median {result['view_median_ms']:.1f} ms (p90 {result['view_p90_ms']:.1f})")
    print(f"console adds      : {added_ms:.1f} ms = {100 * result['added_fraction']:.1f}% "
          f"(without latency: {result['added_without_latency_median_ms']:.1f} ms) -> "
          f"{'meets' if result['meets_target'] else 'MISSES'} the target ({result['target']})")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
