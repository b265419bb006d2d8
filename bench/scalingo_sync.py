"""Bench: a full Scalingo poll of N apps against the bare HTTP requests it needs.

    cd /work/main && .venv/bin/python bench/scalingo_sync.py [--apps 500] [--small 50] [--repeat 7]
                                                             [--latency 0.02]

The simulator (`ScalingoSimulator(apps=N, rate_limit=None)`, each app given addons,
domains, a collaborator and their events) runs in a child process, as Scalingo would be
remote: the worker's time, memory and GIL are its own. Its bulk apps are spread over two
regions (three quarters osc-fr1, one quarter osc-secnum-fr1), so the console polls them
with one connection per region, as it would a real account; `requests_per_minute` is 0,
so the planner refreshes every app in one poll.

Figures (printed, and written to bench/results/scalingo_sync.json, or
scalingo_sync_latency_<ms>ms.json with --latency):
- ratio: a full poll (the real worker path: lease claim, HTTP with the real client and its
  records, planning, the sync's transaction, status bookkeeping) over the same requests
  made bare with httpx (same count and kind, same threads as FETCH_CONCURRENCY, one
  shared keep-alive client, bodies read but not decoded). Medians of interleaved runs;
  "cold" polls write into empty tables (an account's first poll), "warm" ones follow a
  previous poll after a step of the simulated world (container stats moved): the steady state.
- SQL statements of a poll at --small and --apps apps, total and per app.
- the worker's memory: tracemalloc peak during one cold poll, and ru_maxrss of this process.

By default the simulator answers at once, so the ratio shows the console's own cost at its
harshest; --latency adds that many seconds to every answer (both sides), closer to a real
network, where the ratio tends to 1.

Django runs with DJANGO_SETTINGS_MODULE (default tests.settings) on a throw-away test
database: a temporary SQLite file, or a test database beside DATABASE_URL when set.
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

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "scalingo_sync.json"
SECNUM = "/osc-secnum-fr1"
sys.path.insert(0, str(ROOT))


# -- the simulator, in its own process ---------------------------------------------------------------
def serve(apps: int) -> None:
    """Child process: build and serve the simulator, print its URL, stop when stdin closes."""
    from vendors.scalingo.simulator.routes_resources import PROVIDERS, find_plan, new_addon, new_collaborator, new_domain
    from vendors.scalingo.simulator import ScalingoSimulator

    sim = ScalingoSimulator(apps=apps, rate_limit=None, record_requests=20000)  # --steady replays them
    world, rng, providers = sim.world, sim.rng, sorted(PROVIDERS)
    with sim.lock:
        for app in list(world.apps.values()):
            for provider in rng.sample(providers, rng.randint(1, 2)):
                plan = find_plan(provider, f"{provider}-sandbox")
                addon = new_addon(world, app, provider, plan, status="running")
                world.record(app, sim.ops, "new_addon", {"addon_provider_name": addon["addon_provider"]["name"],
                                                         "plan_name": plan["display_name"],
                                                         "resource_id": addon["resource_id"]})
            if rng.random() < 0.6:
                domain = new_domain(world, app, f"www.{app['name']}.example.com", canonical=True)
                world.record(app, sim.ops, "new_domain", {"hostname": domain["name"], "ssl": True})
            if rng.random() < 0.5:
                new_collaborator(world, app, f"dev-{app['name']}@example.com")
    print(sim.serve(), flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    sim.stop()


class Simulator:
    def __init__(self, apps: int):
        # its log (e.g. a keep-alive connection reset when we stop) goes to a file, shown if it fails
        self.log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen([sys.executable, __file__, "--serve", str(apps)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.log, text=True, cwd=ROOT)
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http"):
            self.log.seek(0)
            raise SystemExit(f"the simulator did not start:\n{self.log.read()}")

    def served(self) -> int:
        import httpx

        return httpx.get(self.url + "/_sim/stats").json()["requests_served"]

    def delay(self, seconds: float) -> None:
        import httpx

        httpx.post(self.url + "/_sim/faults", json={"latency": seconds} if seconds else {})

    def tick(self) -> None:
        """A step of the simulated world: container stats move, as they do between two real polls."""
        import httpx

        httpx.post(self.url + "/_sim/tick")

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)
        self.log.close()


# -- Django -------------------------------------------------------------------------------------------
def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ.setdefault("CONSOLE_VAR_DIR", tempfile.mkdtemp(prefix="bench-scalingo-"))
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    from dashboard.celery import freeze_startup_heap

    freeze_startup_heap()  # as a worker process does once it has started
    return connection, old_name


def connections_for(sim: Simulator, team, label: str):
    from vendors.scalingo.models import ScalingoConnection
    from vendors.scalingo.simulator import DEFAULT_TOKEN

    made = []
    for region, prefix in (("osc-fr1", ""), ("osc-secnum-fr1", SECNUM)):
        conn = ScalingoConnection(name=f"bench-{label}-{region}", team=team, base_url=sim.url + prefix,
                                  settings={"region": "", "auth_url": sim.url, "requests_per_minute": 0})
        conn.secrets.set("token", DEFAULT_TOKEN)
        conn.save()
        made.append(conn)
    return made


def poll_all(conns) -> None:
    """What the scheduler and the worker do: claim the lease, poll, record the outcome."""
    from vendors.core import polling

    for conn in conns:
        lease = polling.connection_claim(connection=conn, force=True)
        outcome = polling.connection_poll(vendor=conn.vendor, pk=conn.pk, lease=lease)
        if outcome.status != "ok":
            raise SystemExit(f"poll of {conn.name} failed: {outcome.message}")


def forget(conns) -> None:
    """Empty the tables (untimed) so the next poll is a cold one."""
    from vendors.scalingo import models

    for conn in conns:
        models.Event.objects.filter(connection=conn).delete()
        models.App.objects.filter(connection=conn).delete()


# -- the bare requests ---------------------------------------------------------------------------------
def bare_plan(sim: Simulator) -> list[tuple[str, list[str], str]]:
    """Per region: (API base, the app ids, a bearer), read once, untimed. The console keeps its bearer
    until it nears expiry, so neither side exchanges the token in the timed runs."""
    import httpx

    from vendors.scalingo.simulator import DEFAULT_TOKEN

    token = httpx.post(sim.url + "/v1/tokens/exchange", auth=("", DEFAULT_TOKEN)).json()["token"]
    plan = []
    for prefix in ("", SECNUM):
        base = sim.url + prefix + "/v1"
        apps = httpx.get(base + "/apps", headers={"Authorization": f"Bearer {token}"}).json()["apps"]
        plan.append((base, [a["id"] for a in apps], token))
    return plan


DETAIL_PATHS = ("/containers", "/ps", "/stats", "/addons", "/domains", "/collaborators", "/deployments?page=1")


def bare_run(sim: Simulator, plan, event_pages: int) -> int:
    """The poll's requests with nothing around them: app list and feed pages in a row (with the
    bearer already at hand, as the console's), then each app's seven reads in a row,
    FETCH_CONCURRENCY apps at a time, one client.
    A cold poll reads EVENT_PAGES pages of the feed; a warm one stops at the first page that
    reaches events it already has."""
    import httpx

    from vendors.scalingo import sync as polling

    made = 0
    heads = ["/apps", *(f"/events?page={page}" for page in range(1, event_pages + 1))]
    for base, app_ids, token in plan:
        with httpx.Client(headers={"Accept": "application/json", "Authorization": f"Bearer {token}"}) as http:
            for path in heads:
                http.get(base + path).read()
            made += len(heads)

            def details(app_id):
                for path in DETAIL_PATHS:
                    http.get(f"{base}/apps/{app_id}{path}").read()

            with ThreadPoolExecutor(max_workers=polling.FETCH_CONCURRENCY) as pool:
                list(pool.map(details, app_ids))
            made += len(DETAIL_PATHS) * len(app_ids)
    return made


# -- measures --------------------------------------------------------------------------------------------
def timed(fn, *args) -> tuple[float, float]:
    """(wall seconds, this process's CPU seconds): the simulator's CPU is its own process's."""
    started, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - started, time.process_time() - cpu


def statements(sim: Simulator, conns, db) -> dict:
    from django.test.utils import CaptureQueriesContext

    from vendors.scalingo import models

    forget(conns)
    with CaptureQueriesContext(db) as cold:
        poll_all(conns)
    sim.tick()
    with CaptureQueriesContext(db) as warm:
        poll_all(conns)
    apps = models.App.objects.filter(connection__in=conns, details_synced_at__isnull=False).count()
    return {"apps": apps, "cold": len(cold), "warm": len(warm),
            "cold_per_app": round(len(cold) / apps, 4), "warm_per_app": round(len(warm) / apps, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--apps", type=int, default=500)
    parser.add_argument("--small", type=int, default=50, help="the smaller account, for SQL statements per app")
    parser.add_argument("--repeat", type=int, default=7, help="interleaved timed runs of each kind")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the simulator adds to every answer")
    parser.add_argument("--steady", action="store_true",
                        help="a steady re-poll at --small (1x) and --apps (50x) apps: see bench/scalingo_steady.py")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        return serve(args.serve)
    if args.steady:
        from bench.scalingo_steady import main_steady

        return main_steady(args, Simulator=Simulator, connections_for=connections_for, poll_all=poll_all,
                           timed=timed, django_setup=django_setup, results=RESULTS)

    db, old_name = django_setup()
    from console.teams.models import Team
    from vendors.scalingo import sync as polling

    team = Team.objects.create(name="bench", slug="bench")
    small, large = Simulator(args.small), Simulator(args.apps)
    try:
        small_conns, conns = connections_for(small, team, "small"), connections_for(large, team, "large")
        sql = {"small": statements(small, small_conns, db), "large": statements(large, conns, db)}
        apps = sql["large"]["apps"]

        large.delay(args.latency)
        plan = bare_plan(large)
        # the same number of requests on both sides, checked on the simulator's counter
        requests = {}
        for kind, pages in (("cold", polling.EVENT_PAGES), ("warm", 1)):
            if kind == "cold":
                forget(conns)
            else:
                large.tick()
            before = large.served()
            poll_all(conns)
            polled = large.served() - before
            before = large.served()
            bare_requests = bare_run(large, plan, pages)
            if large.served() - before != bare_requests or bare_requests != polled:
                raise SystemExit(f"{kind}: the poll made {polled} requests, the bare run {bare_requests}")
            requests[kind] = polled

        runs = {"bare_cold": [], "poll_cold": [], "bare_warm": [], "poll_warm": []}
        load = [round(x, 2) for x in os.getloadavg()]
        for _ in range(args.repeat):  # interleaved, so a noisy moment hits both sides
            runs["bare_cold"].append(timed(bare_run, large, plan, polling.EVENT_PAGES))
            forget(conns)
            runs["poll_cold"].append(timed(poll_all, conns))
            large.tick()
            runs["bare_warm"].append(timed(bare_run, large, plan, 1))
            runs["poll_warm"].append(timed(poll_all, conns))

        forget(conns)
        tracemalloc.start()
        poll_all(conns)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    finally:
        small.stop()
        large.stop()
        db.creation.destroy_test_db(old_name, verbosity=0)

    median = {kind: statistics.median(wall for wall, _ in times) for kind, times in runs.items()}
    best = {kind: min(wall for wall, _ in times) for kind, times in runs.items()}
    cpu = {kind: statistics.median(used for _, used in times) for kind, times in runs.items()}
    ratio = {kind: median[f"poll_{kind}"] / median[f"bare_{kind}"] for kind in ("cold", "warm")}
    best_ratio = {kind: best[f"poll_{kind}"] / best[f"bare_{kind}"] for kind in ("cold", "warm")}
    result = {
        "bench": "scalingo_sync",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "database": db.vendor,
        "apps": apps,
        "connections": "one per region: osc-fr1 and osc-secnum-fr1",
        "requests_per_poll": requests,
        "fetch_concurrency": polling.FETCH_CONCURRENCY,
        "repeat": args.repeat,
        "latency_seconds": args.latency,
        "load_average_before": load,
        "seconds_median": {kind: round(value, 3) for kind, value in median.items()},
        "seconds_all": {kind: [round(wall, 3) for wall, _ in times] for kind, times in runs.items()},
        "worker_cpu_seconds_median": {kind: round(value, 3) for kind, value in cpu.items()},
        "ratio": {**{kind: round(value, 3) for kind, value in ratio.items()}, "target": 1.5},
        "ratio_of_best_runs": {kind: round(value, 3) for kind, value in best_ratio.items()},
        "sql_statements": {str(sql["small"]["apps"]): sql["small"], str(apps): sql["large"]},
        "memory": {"tracemalloc_peak_mib": round(peak / 2**20, 1), "ru_maxrss_mib": round(maxrss_kib / 1024, 1)},
    }
    written = RESULTS.with_name(f"scalingo_sync_latency_{args.latency * 1000:g}ms.json") if args.latency else RESULTS
    written.parent.mkdir(parents=True, exist_ok=True)
    written.write_text(json.dumps(result, indent=2) + "\n")

    print(f"Scalingo poll of {apps} apps ({polling.FETCH_CONCURRENCY} threads, {db.vendor}), "
          f"{args.latency * 1000:g} ms latency, median of {args.repeat} interleaved runs, load average {load[0]}:")
    for kind in ("cold", "warm"):
        print(f"  {kind}: {requests[kind]} requests; bare httpx {median[f'bare_{kind}']:.3f} s, "
              f"poll {median[f'poll_{kind}']:.3f} s: ratio {ratio[kind]:.2f} (target < 1.5; best runs "
              f"{best_ratio[kind]:.2f}; worker CPU {cpu[f'poll_{kind}']:.2f} s vs {cpu[f'bare_{kind}']:.2f} s)")
    for key in ("small", "large"):
        s = sql[key]
        print(f"  SQL statements at {s['apps']:4d} apps: cold {s['cold']} ({s['cold_per_app']:.3f}/app), "
              f"warm {s['warm']} ({s['warm_per_app']:.3f}/app)")
    print(f"  memory: tracemalloc peak {peak / 2**20:.1f} MiB during a cold poll, "
          f"ru_maxrss {maxrss_kib / 1024:.1f} MiB")
    print(f"  written to {written.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
