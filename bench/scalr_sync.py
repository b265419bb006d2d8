"""Scalr: a full poll through each API generation against the bare HTTP requests it needs.

    .venv/bin/python bench/scalr_sync.py [--envs 2] [--farms 100] [--servers 20] [--repeat 3]
    .venv/bin/python bench/scalr_sync.py --scale 50 [--latency 0.05]   (1x and 50x the demo: scalr_scale.py)

A simulator (its own process) serves envs × farms × servers, every farm running. For APIv2
and then the Query API, the console polls it as a worker does (fetch everything, write it
in one transaction), then the very requests that poll sent are sent again, signed afresh,
with bare httpx at the same concurrency. The ratio poll / bare is the cost of the client,
the planning and the database writes; "steady" polls (the database already holds the
inventory) are repeated in alternation with the bare requests, and the fastest of each is
compared (the runs least disturbed by other work on a shared machine), with the median of
the per-pair ratios next to it. A steady Query API poll recognises a farm answered as last
written by its digest and does not read it again (APIv2 always reads), so each round also
moves one server of every farm and polls again: the "every farm changed" poll reads and writes
every farm's details, compared with the same bare requests. SQL statements are counted for the same poll of a
world ten times smaller, to show they do not grow with farms. Peak memory is the Python
heap during a poll (tracemalloc) and the process's maximum resident size.
Figures are printed and written to bench/results/scalr_sync.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
os.environ.setdefault("CONSOLE_OUTBOUND_ALLOW", "127.0.0.1")  # the simulator listens on loopback
os.environ.setdefault("CONSOLE_DEV", "1")
os.environ.setdefault("CONSOLE_VAR_DIR", tempfile.mkdtemp(prefix="scalr-bench-"))
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection as db  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from dashboard.celery import freeze_startup_heap  # noqa: E402
from console.teams.models import Team  # noqa: E402
from vendors.core import polling as core_polling  # noqa: E402
from vendors.scalr.client import signing  # noqa: E402
from vendors.scalr.sync import poll as polling  # noqa: E402
from vendors.scalr.models import Farm, ScalrConnection, Server  # noqa: E402
from vendors.scalr.simulator import DEMO_V1_KEY_ID, DEMO_V1_SECRET, DEMO_V2_KEY_ID, DEMO_V2_SECRET  # noqa: E402

KEYS = {"v2": (DEMO_V2_KEY_ID, DEMO_V2_SECRET), "v1": (DEMO_V1_KEY_ID, DEMO_V1_SECRET)}
SIMULATOR = ("import sys, threading\n"
             "from vendors.scalr.simulator import ScalrSimulator\n"
             "sim = ScalrSimulator(environments={envs}, farms_per_env={farms}, servers_per_farm={servers}, "
             "rate_limit=None)\n"
             "print(sim.serve(), flush=True)\n"
             "threading.Event().wait()\n")


def start_simulator(envs: int, farms: int, servers: int):
    process = subprocess.Popen([sys.executable, "-c", SIMULATOR.format(envs=envs, farms=farms, servers=servers)],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    url = process.stdout.readline().strip()
    if not url.startswith("http"):
        process.kill()
        raise SystemExit("the simulator did not start")
    return process, url


class Recorder:
    """Keeps what each request of a poll looked like, to send the same ones bare."""

    def __init__(self):
        self.requests: list[tuple[str, str, bytes]] = []

    def __call__(self, request: httpx.Request) -> None:
        self.requests.append((request.method, request.url.raw_path.decode(), bytes(request.content)))


def make_connection(name: str, url: str, api: str) -> ScalrConnection:
    team, _ = Team.objects.get_or_create(name="bench", slug="bench")
    ScalrConnection.objects.filter(name=name).delete()
    key, secret = KEYS[api]
    connection = ScalrConnection(name=name, team=team, base_url=url, settings={"api": api, "hourly_limit": 0})
    connection.secrets.set("key_id", key)
    connection.secrets.set("secret", secret)
    connection.save()
    return connection


def timed_poll(connection: ScalrConnection, recorder: Recorder | None = None, *, trace_memory: bool = False) -> dict:
    """One poll as a worker runs it. Memory is traced only when asked: tracing slows Python down."""
    original = polling.client_for

    def recording_client(conn, **options):
        client = original(conn, **options)
        if recorder is not None:
            client.http.event_hooks["request"].append(recorder)
        return client

    polling.client_for = recording_client
    try:
        lease = core_polling.connection_claim(connection=connection, force=True)
        if trace_memory:
            tracemalloc.start()
        with CaptureQueriesContext(db) as queries:
            started = time.perf_counter()
            outcome = core_polling.connection_poll(vendor="scalr", pk=connection.pk, lease=lease)
            elapsed = time.perf_counter() - started
        peak = 0
        if trace_memory:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    finally:
        polling.client_for = original
    if outcome.status != "ok":
        raise SystemExit(f"the poll failed: {outcome.message}")
    writes = [q for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    return {"seconds": elapsed, "statements": len(queries), "writes": len(writes), "heap_peak_mb": peak / 2**20}


def bare(url: str, api: str, recorded: list[tuple[str, str, bytes]], concurrency: int) -> float:
    """The same requests, signed afresh, with httpx alone."""
    key, secret = KEYS[api]
    with httpx.Client(base_url=url, timeout=30) as http:
        def send(item):
            method, raw_path, body = item
            path, _, query = raw_path.partition("?")
            if api == "v2":
                headers = {"Content-Type": "application/json; charset=utf-8",
                           **signing.apiv2_headers(key, secret, method, path, query, body)}
            else:
                form = dict(parse_qsl(body.decode()))
                form["TimeStamp"] = signing.utc_timestamp()
                form["Signature"] = signing.query_api_signature_v3(secret, form["Action"], key, form["TimeStamp"])
                body = urlencode(form).encode()
                headers = {"Content-Type": "application/x-www-form-urlencoded"}
            response = http.request(method, raw_path, content=body or None, headers=headers)
            response.raise_for_status()  # Query API <Error> answers (Dm* deprecated) are part of the poll too

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(send, recorded))
        return time.perf_counter() - started


def change_every_farm(url: str, connection: ScalrConnection, status: str) -> None:
    """One server of every farm moves to `status` at Scalr (its events and logs follow), so the next
    poll finds every farm's details changed and reads and writes them all."""
    first = {}
    for farm_id, server_id in Server.objects.filter(connection=connection).order_by("farm_id", "external_id") \
            .values_list("farm_id", "external_id"):
        first.setdefault(farm_id, server_id)
    with httpx.Client(base_url=url, timeout=30) as http:
        for server_id in first.values():
            http.post("/_sim/set_server_status", json={"server_id": server_id, "status": status}).raise_for_status()


def measure(api: str, url: str, small_url: str, repeat: int, size: dict) -> dict:
    connection = make_connection(f"bench-{api}", url, api)
    recorder = Recorder()
    first = timed_poll(connection, recorder)
    farms = Farm.objects.filter(connection=connection).count()
    servers = Server.objects.filter(connection=connection).count()
    expected_farms = size["envs"] * size["farms"]
    assert farms == expected_farms, (farms, expected_farms)
    polls, changed, bares = [], [], []
    for round_ in range(repeat):
        recorder = Recorder()
        polls.append(timed_poll(connection, recorder))
        bares.append(bare(url, api, recorder.requests, polling.FETCH_CONCURRENCY))
        change_every_farm(url, connection, "Troubleshooting" if round_ % 2 == 0 else "Running")
        changed.append(timed_poll(connection))
    timed_poll(connection)  # settle: the world stays as the last change left it
    memory = timed_poll(connection, trace_memory=True)
    fresh = make_connection(f"bench-{api}-memory", url, api)
    memory_first = timed_poll(fresh, trace_memory=True)
    small = make_connection(f"bench-{api}-small", small_url, api)
    small_first = timed_poll(small)
    small_steady = timed_poll(small)
    small_farms = Farm.objects.filter(connection=small).count()
    poll_seconds = min(p["seconds"] for p in polls)  # the runs least disturbed by other work on the machine
    bare_seconds = min(bares)
    pair_ratio = statistics.median(p["seconds"] / b for p, b in zip(polls, bares))
    changed_seconds = min(p["seconds"] for p in changed)
    changed_pair_ratio = statistics.median(p["seconds"] / b for p, b in zip(changed, bares))
    return {
        "api": api, "farms": farms, "servers": servers, "requests_per_poll": len(recorder.requests),
        "concurrency": polling.FETCH_CONCURRENCY,
        "first_poll_seconds": round(first["seconds"], 3),
        "poll_seconds_fastest": round(poll_seconds, 3), "bare_http_seconds_fastest": round(bare_seconds, 3),
        "ratio_poll_to_bare": round(poll_seconds / bare_seconds, 3),
        "ratio_median_of_pairs": round(pair_ratio, 3),
        "ratio_first_poll_to_bare": round(first["seconds"] / bare_seconds, 3),
        "changed_poll_seconds_fastest": round(changed_seconds, 3),
        "ratio_changed_poll_to_bare": round(changed_seconds / bare_seconds, 3),
        "ratio_changed_median_of_pairs": round(changed_pair_ratio, 3),
        "sql_statements": {
            f"{farms}_farms_first_poll": first["statements"], f"{farms}_farms_steady_poll": polls[-1]["statements"],
            f"{small_farms}_farms_first_poll": small_first["statements"],
            f"{small_farms}_farms_steady_poll": small_steady["statements"],
            "per_farm_first_poll": round(first["statements"] / farms, 3),
            f"per_farm_first_poll_at_{small_farms}": round(small_first["statements"] / small_farms, 3),
        },
        "heap_peak_mb_first_poll": round(memory_first["heap_peak_mb"], 1),
        "heap_peak_mb_steady_poll": round(memory["heap_peak_mb"], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", type=int, default=2)
    parser.add_argument("--farms", type=int, default=100)
    parser.add_argument("--servers", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=int, default=0,
                        help="the demo's inventory at 1x and this many times over: see bench/scalr_scale.py")
    parser.add_argument("--latency", type=float, default=0.05, help="with --scale: seconds added to every answer")
    parser.add_argument("--apis", nargs="+", default=["v2", "v1"], help="with --scale")
    parser.add_argument("--copy-servers", type=int, default=143, help="with --scale: servers in each demo copy")
    parser.add_argument("--copy-scripts", type=int, default=3, help="with --scale: scripts in each demo copy")
    args = parser.parse_args()
    if args.scale:
        from bench.scalr_scale import main_scale
        return main_scale(args, sys.modules[__name__])
    call_command("migrate", verbosity=0)
    freeze_startup_heap()  # as a worker process does once it has started
    size = {"envs": args.envs, "farms": args.farms, "servers": args.servers}
    big, url = start_simulator(args.envs, args.farms, args.servers)
    small, small_url = start_simulator(args.envs, max(1, args.farms // 10), args.servers)
    try:
        results = [measure(api, url, small_url, args.repeat, size) for api in ("v2", "v1")]
    finally:
        big.kill()
        small.kill()
    report = {"world": size, "database": db.vendor, "results": results, "cpus": os.cpu_count(),
              "load_average": [round(x, 2) for x in os.getloadavg()],
              "worker_max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
              "target": "ratio_poll_to_bare under 1.5; SQL statements per poll constant as farms grow"}
    for row in results:
        sql = row["sql_statements"]
        print(f"{row['api']}: {row['farms']} farms, {row['servers']} servers, {row['requests_per_poll']} requests "
              f"at concurrency {row['concurrency']}: poll {row['poll_seconds_fastest']} s (first "
              f"{row['first_poll_seconds']} s) vs bare HTTP {row['bare_http_seconds_fastest']} s -> ratio "
              f"{row['ratio_poll_to_bare']} (median of pairs {row['ratio_median_of_pairs']}); every farm changed "
              f"{row['ratio_changed_poll_to_bare']} (median of pairs {row['ratio_changed_median_of_pairs']}); "
              f"first poll {row['ratio_first_poll_to_bare']}")
        print(f"    SQL statements: {sql}")
        print(f"    heap peak {row['heap_peak_mb_first_poll']} MB (first poll), "
              f"{row['heap_peak_mb_steady_poll']} MB (steady)")
    print(f"worker max RSS {report['worker_max_rss_mb']} MB")
    out = ROOT / "bench" / "results" / "scalr_sync.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
