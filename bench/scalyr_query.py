"""What the console adds to a Scalyr log query: the explorer's 100-line page vs a bare httpx call.

    python bench/scalyr_query.py [--runs 60] [--latency 0.05]

Both go to the same simulator (in its own process, like Scalyr) over real HTTP with the same
injected latency (50 ms by default): the baseline is one `POST /api/query` by httpx, JSON
decoded; the console's figure is the server-side time of the explorer's results fragment for
the same query (middleware, session, permission checks, token decryption, the Scalyr client,
rendering 100 lines), measured in-process with Django's test client. Calls are interleaved and
paired so machine noise hits both alike. Target: the console adds under 15% and under 20 ms.

The thread's CPU time is recorded too: on a busy machine the wall-clock difference also counts
waiting for a CPU after Scalyr answers, while the CPU time is what the console itself costs.

Two phases: the process as it starts, then after `gc.freeze()` (what a gunicorn worker can do
once the app is loaded). A 100-line page allocates enough to trigger CPython's collector
often; its rare full passes walk the whole start-up heap and cost ~7 ms per page on average
here (measured with gc.callbacks), ~0.6 ms once the start-up heap is frozen. They hit the
tail (p90) more than the median. Figures are printed and written to
bench/results/scalyr_query.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CONSOLE_DEV", "1")
os.environ.setdefault("CONSOLE_VAR_DIR", tempfile.mkdtemp(prefix="bench-scalyr-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
os.environ.setdefault("CONSOLE_OUTBOUND_ALLOW", "127.0.0.1")  # the simulator listens on loopback
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()
logging.getLogger("django.request").setLevel(logging.ERROR)  # the floor's 405s are expected

import httpx  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from console.teams.models import Membership, Role, Team  # noqa: E402
from vendors.scalyr.models import ScalyrConnection  # noqa: E402

TOKEN = "bench-read-logs-token"
SIMULATOR = f"""
from vendors.scalyr.simulator import ScalyrSimulator
simulator = ScalyrSimulator(read_logs_tokens={TOKEN!r}, events_per_second=5.0)
simulator.backfill(3600)
print(simulator.serve(), flush=True)
simulator._stopping.wait()
"""
FILTER = "dataset == 'accesslog'"
PAGE = 100


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Bench:
    def __init__(self, url: str, latency: float):
        self.control = httpx.Client(base_url=url, timeout=10)
        self.latency = latency
        self.team = Team.objects.create(name="bench", slug="bench")
        user = get_user_model().objects.create_user("bench", password="bench-password-123")
        Membership.objects.create(team=self.team, user=user, role=Role.OPERATOR)
        connection = ScalyrConnection(name="bench", team=self.team, base_url=url, settings={"region": ""})
        connection.secrets.set("read_logs_token", TOKEN)
        connection.save()
        self.web = Client(HTTP_HOST="127.0.0.1")
        self.web.force_login(user)
        # Absolute times, as the explorer itself sends them: both sides read the same 100 events.
        end_ms = int(self.control.post("/_sim/state").json()["now"]) // 1_000_000
        start_ms = end_ms - 3_600_000
        self.page_url = f"/scalyr/{connection.pk}/?" + str(httpx.QueryParams(
            {"filter": FILTER, "start": str(start_ms), "end": str(end_ms)}))
        self.body = {"token": TOKEN, "queryType": "log", "filter": FILTER, "startTime": start_ms,
                     "endTime": end_ms, "maxCount": PAGE, "pageMode": "tail"}
        self.direct = httpx.Client(base_url=url, timeout=10)

    def direct_call(self) -> float:
        started, cpu = time.perf_counter(), time.thread_time()
        answer = self.direct.post("/api/query", json=self.body).json()
        elapsed = time.perf_counter() - started
        self.cpu.setdefault("direct", []).append(time.thread_time() - cpu)
        assert len(answer["matches"]) == PAGE, answer.get("message")
        return elapsed

    def view_call(self) -> float:
        started, cpu = time.perf_counter(), time.thread_time()
        response = self.web.get(self.page_url, HTTP_HX_REQUEST="true")
        elapsed = time.perf_counter() - started
        self.cpu.setdefault("view", []).append(time.thread_time() - cpu)
        assert response.status_code == 200 and response.content.count(b'<li class="sev-') == PAGE, \
            response.content[:300]
        return elapsed

    def floor_call(self) -> float:
        """What every page pays before view code runs (middleware, session, user): a GET refused with 405."""
        started = time.perf_counter()
        response = self.web.get(f"/scalyr/policy/{self.team.slug}/")
        elapsed = time.perf_counter() - started
        assert response.status_code == 405
        return elapsed

    def phase(self, runs: int) -> dict:
        self.cpu: dict[str, list[float]] = {}
        self.control.post("/_sim/faults", json={"latency": self.latency})
        for _ in range(5):  # warm up: connections, template cache, client cache
            self.direct_call(), self.view_call()
        directs, views = [], []
        for _ in range(runs):
            directs.append(self.direct_call())
            views.append(self.view_call())
        self.control.post("/_sim/faults", json={})
        bare = [self.view_call() - self.direct_call() for _ in range(runs)]
        floor = [self.floor_call() for _ in range(runs)]
        direct_median = statistics.median(directs)
        # Each view is paired with the direct call just before it: the median of the differences is
        # less sensitive to a noisy machine than the difference of the medians.
        added = statistics.median(v - d for v, d in zip(views, directs))
        return {
            "direct_median_ms": ms(direct_median), "direct_p90_ms": ms(percentile(directs, 0.9)),
            "view_median_ms": ms(statistics.median(views)), "view_p90_ms": ms(percentile(views, 0.9)),
            "added_median_ms": ms(added), "added_fraction": round(added / direct_median, 4),
            "added_without_latency_median_ms": ms(statistics.median(bare)),
            "request_floor_median_ms": ms(statistics.median(floor)),
            # CPU time of this thread: what the page costs the web process, whatever else the machine runs
            "direct_cpu_median_ms": ms(statistics.median(self.cpu["direct"])),
            "view_cpu_median_ms": ms(statistics.median(self.cpu["view"])),
            "added_cpu_ms": ms(statistics.median(self.cpu["view"]) - statistics.median(self.cpu["direct"])),
            "added_cpu_fraction": round((statistics.median(self.cpu["view"]) - statistics.median(self.cpu["direct"]))
                                        / direct_median, 4),
            "meets_target": added / direct_median < 0.15 and added < 0.020,
        }


def report(label: str, figures: dict) -> None:
    print(f"{label}:")
    print(f"  direct httpx call : median {figures['direct_median_ms']:.1f} ms (p90 {figures['direct_p90_ms']:.1f})")
    print(f"  explorer fragment : median {figures['view_median_ms']:.1f} ms (p90 {figures['view_p90_ms']:.1f})")
    print(f"  console adds      : {figures['added_median_ms']:.1f} ms = {100 * figures['added_fraction']:.1f}% "
          f"(without latency {figures['added_without_latency_median_ms']:.1f} ms, of which "
          f"{figures['request_floor_median_ms']:.1f} ms is any page's middleware, session and user) -> "
          f"{'meets' if figures['meets_target'] else 'MISSES'} the target")
    print(f"  CPU per request   : explorer fragment {figures['view_cpu_median_ms']:.1f} ms, direct call "
          f"{figures['direct_cpu_median_ms']:.1f} ms: the console's own work is {figures['added_cpu_ms']:.1f} ms "
          f"= {100 * figures['added_cpu_fraction']:.1f}% of the direct call's time (what it adds on an idle machine)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the simulator adds to every answer")
    args = parser.parse_args()

    call_command("migrate", interactive=False, verbosity=0)
    # The simulator runs in its own process, as Scalyr would: in this one it would compete for the GIL.
    simulator = subprocess.Popen([sys.executable, "-c", SIMULATOR], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        bench = Bench(simulator.stdout.readline().strip(), args.latency)
        as_started = bench.phase(args.runs)
        gc.collect()
        gc.freeze()
        frozen = bench.phase(args.runs)
    finally:
        simulator.terminate()
        simulator.wait()

    result = {
        "what": "explorer results fragment (100 lines) vs one direct httpx POST /api/query to the same simulator",
        "target": "added < 15% and < 20 ms",
        "latency_injected_ms": args.latency * 1000,
        "runs": args.runs,
        "as_started": as_started,
        "after_gc_freeze": frozen,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    out = ROOT / "bench" / "results" / "scalyr_query.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    report("as the process starts", as_started)
    report("after gc.freeze()", frozen)
    print(f"(load average {result['load_average_1min']} on {result['cpus']} CPUs) written to "
          f"{out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
