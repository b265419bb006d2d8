"""Bench: a Scalr account at 1x and 50x the demo's inventory, 50 ms away (issue 14).

    .venv/bin/python bench/scalr_sync.py --scale 50 [--latency 0.05] [--repeat 3] [--apis v2 v1]
                                         [--copy-servers 143] [--copy-scripts 3]

One simulator (its own process) serves `populate.demo` `--scale` times over in the demo's two
environments, each copy with its own five roles and their images. A copy is the issue's 1x: the
demo's 12 farms, topped up to `--copy-servers` servers (extra Running servers in its running farm
roles) and cut to `--copy-scripts` scripts, so that 50 copies are the issue's world (600 farms,
7,150 servers, 250 roles, 150 scripts). For each API and each size:

- **first sync**: a new connection polled as a worker does, with the requests it sent recorded;
- **steady re-poll**: the same connection polled again with nothing changed at Scalr;
- **floor**: the very requests of each, signed afresh, sent with bare httpx at the poll's own
  concurrency (`FETCH_CONCURRENCY`, 8), as if none depended on another.

Floors and polls are interleaved over `--repeat` rounds (a fresh connection for each first sync)
and medians compared. Also the polling process's peak RSS (this process: the simulator is a child).
Results: bench/results/scalr_sync_50x.json.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time

RESULT_NAME = "scalr_sync_50x.json"
SIMULATOR = """\
import threading
from vendors.scalr.simulator import ScalrSimulator, populate
from vendors.scalr.simulator import model as m

sim = ScalrSimulator.demo(rate_limit=None)
world = sim.world
with sim.lock:
    for copy in range({times}):
        farms, scripts = (set(world.farms), set(world.scripts)) if copy else (set(), set())
        if copy:  # each copy has its own catalog: populate.demo uses the roles it finds
            saved = dict(world.roles)
            world.roles.clear()
            populate.demo(world)
            world.roles.update(saved)
        new_farms = [f for i, f in world.farms.items() if i not in farms]
        new_scripts = sorted(i for i in world.scripts if i not in scripts)
        for script_id in new_scripts[{scripts}:]:
            del world.scripts[script_id]
        roles = [role for farm in new_farms if farm.status == m.FARM_RUNNING for role in world.roles_of_farm(farm.id)]
        ids = {{f.id for f in new_farms}}
        missing = {servers} - sum(1 for s in world.servers.values() if s.farm_id in ids)
        for n in range(max(missing, 0)):
            world.new_server(roles[n % len(roles)], status="Running", reason="Scaled up")
sim.faults.latency = {latency}
print(sim.serve(), flush=True)
threading.Event().wait()
"""


def start(times: int, args):
    code = SIMULATOR.format(times=times, scripts=args.copy_scripts, servers=args.copy_servers, latency=args.latency)
    process = subprocess.Popen([sys.executable, "-c", code], cwd=os.getcwd(), stdout=subprocess.PIPE, text=True)
    url = process.stdout.readline().strip()
    if not url.startswith("http"):
        process.kill()
        raise SystemExit("the simulator did not start")
    return process, url


def kinds(requests) -> dict:
    """Requests by what they read: the last path segment that is not a number."""
    counted: dict[str, int] = {}
    for method, raw_path, body in requests:
        if body and b"Action=" in body:
            name = dict(p.split("=", 1) for p in body.decode().split("&") if "=" in p).get("Action", "?")
        else:
            name = next((part for part in reversed(raw_path.partition("?")[0].strip("/").split("/"))
                         if not part.isdigit()), "?")
        counted[name] = counted.get(name, 0) + 1
    return dict(sorted(counted.items()))


def measure(bench, api: str, url: str, label: str, repeat: int) -> dict:
    from vendors.scalr.models import Farm, Role, Script, Server
    from vendors.scalr.sync import poll as polling

    concurrency = polling.FETCH_CONCURRENCY
    runs = {"first": [], "first_floor": [], "steady": [], "steady_floor": []}
    first_requests = steady_requests = None
    connection = None
    for round_ in range(repeat):
        if connection is not None:
            connection.delete()
        connection = bench.make_connection(f"scale-{api}-{label}-{round_}", url, api)
        recorder = bench.Recorder()
        runs["first"].append(bench.timed_poll(connection, recorder)["seconds"])
        first_requests = recorder.requests
        runs["first_floor"].append(bench.bare(url, api, first_requests, concurrency))
        recorder = bench.Recorder()
        runs["steady"].append(bench.timed_poll(connection, recorder)["seconds"])
        steady_requests = recorder.requests
        runs["steady_floor"].append(bench.bare(url, api, steady_requests, concurrency))
    inventory = {"farms": Farm.objects.filter(connection=connection).count(),
                 "servers": Server.objects.filter(connection=connection).count(),
                 "roles": Role.objects.filter(environment__connection=connection).count(),
                 "scripts": Script.objects.filter(environment__connection=connection).count()}
    connection.delete()
    median = {kind: statistics.median(times) for kind, times in runs.items()}
    return {
        **inventory, "first_requests": len(first_requests), "steady_requests": len(steady_requests),
        "first_requests_by_kind": kinds(first_requests), "steady_requests_by_kind": kinds(steady_requests),
        "seconds_median": {k: round(v, 3) for k, v in median.items()},
        "seconds_all": {k: [round(t, 3) for t in v] for k, v in runs.items()},
        "first_ratio_to_floor": round(median["first"] / median["first_floor"], 3),
        "steady_ratio_to_floor": round(median["steady"] / median["steady_floor"], 3),
    }


def main_scale(args, bench) -> None:
    from django.core.management import call_command
    from django.db import connection as db

    from dashboard.celery import freeze_startup_heap
    from vendors.scalr.sync import poll as polling

    call_command("migrate", verbosity=0)
    freeze_startup_heap()
    load = [round(x, 2) for x in os.getloadavg()]
    figures: dict[str, dict] = {}
    for api in args.apis:
        for label, times in (("1x", 1), (f"{args.scale}x", args.scale)):
            process, url = start(times, args)
            try:
                figures.setdefault(api, {})[label] = measure(bench, api, url, label, args.repeat)
            finally:
                process.kill()
                process.wait()
            row = figures[api][label]
            print(f"{api} {label}: {row['farms']} farms, {row['servers']} servers, {row['roles']} roles, "
                  f"{row['scripts']} scripts; first sync {row['first_requests']} requests "
                  f"{row['seconds_median']['first']:.2f} s (floor {row['seconds_median']['first_floor']:.2f} s, "
                  f"ratio {row['first_ratio_to_floor']}); steady {row['steady_requests']} requests "
                  f"{row['seconds_median']['steady']:.2f} s (floor {row['seconds_median']['steady_floor']:.2f} s, "
                  f"ratio {row['steady_ratio_to_floor']})", flush=True)
            print(f"    steady requests: {row['steady_requests_by_kind']}", flush=True)
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    big = f"{args.scale}x"
    summary = {api: {"steady_requests_ratio": round(sizes[big]["steady_requests"] / sizes["1x"]["steady_requests"], 2),
                     "steady_ratio_to_floor": sizes[big]["steady_ratio_to_floor"],
                     "first_ratio_to_floor": sizes[big]["first_ratio_to_floor"]}
               for api, sizes in figures.items()}
    result = {
        "bench": f"scalr_sync --scale {args.scale}", "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "database": db.vendor, "latency_seconds": args.latency, "repeat": args.repeat,
        "fetch_concurrency": polling.FETCH_CONCURRENCY, "copy": {"servers": args.copy_servers,
                                                                "scripts": args.copy_scripts},
        "load_average_before": load, "cpus": os.cpu_count(), "sizes": figures, "summary": summary,
        "targets": {"steady_requests_ratio": 10, "ratio_to_floor": 1.5, "rss_mib": 250},
        "worker_ru_maxrss_mib": round(maxrss, 1),
    }
    out = bench.ROOT / "bench" / "results" / RESULT_NAME
    out.write_text(json.dumps(result, indent=2) + "\n")
    for api, s in summary.items():
        print(f"{api}: steady requests {big}/1x {s['steady_requests_ratio']} (target <= 10); at {big}, steady "
              f"{s['steady_ratio_to_floor']} and first sync {s['first_ratio_to_floor']} of their floor (target <= 1.5)")
    print(f"polling process peak RSS {maxrss:.1f} MiB (target < 250); load average before {load[0]}")
    print(f"wrote {out.relative_to(bench.ROOT)}")
