"""Bench: a steady Scalingo re-poll (nothing changed at the vendor) at 1x and 50x the demo's apps.

    cd /work/main && .venv/bin/python bench/scalingo_sync.py --steady [--small 33] [--apps 1650]
                                                             [--latency 0.05] [--repeat 5]

Both accounts are served by simulators in child processes (see scalingo_sync.py), polled once
untimed without latency (the first sync), then re-polled with the latency on: the requests each
steady re-poll sends (the simulator's counter), its time, and the floor: the very requests it
sent (read back from the simulator) sent again with bare httpx, the app list and the feed one
after another, each app's reads FETCH_CONCURRENCY apps at a time, as the poll does. Runs are
interleaved (floor, poll, floor, poll...) and medians compared. Also the worker's peak RSS.
Results: bench/results/scalingo_sync_steady.json.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

RESULT_NAME = "scalingo_sync_steady.json"


def sent_since(sim, before: int) -> list[dict]:
    import httpx

    served = sim.served() - before
    recorded = httpx.get(sim.url + "/_sim/requests").json()["requests"]
    return recorded[len(recorded) - served:] if served else []


def bare_replay(sim, requests: list[dict], token: str) -> None:
    """The same GETs, bodies read, not decoded: heads in a row, then each app's reads in a row,
    FETCH_CONCURRENCY apps at a time (per region, as each connection polls on its own)."""
    import httpx

    from vendors.scalingo import sync as polling

    by_base = defaultdict(lambda: ([], defaultdict(list)))
    for r in requests:
        base, _, rest = r["path"].partition("/v1/")
        heads, apps = by_base[base]
        url = sim.url + r["path"] + (f"?{r['query']}" if r["query"] else "")
        if rest.startswith("apps/"):
            apps[rest.split("/")[1]].append(url)
        else:
            heads.append(url)
    with httpx.Client(headers={"Accept": "application/json", "Authorization": f"Bearer {token}"}) as http:
        for heads, apps in by_base.values():
            for url in heads:
                http.get(url).read()

            def reads(urls):
                for url in urls:
                    http.get(url).read()

            with ThreadPoolExecutor(max_workers=polling.FETCH_CONCURRENCY) as pool:
                list(pool.map(reads, apps.values()))


def measure(sim, conns, latency: float, repeat: int, timed, poll_all) -> dict:
    import httpx

    from vendors.scalingo.simulator import DEFAULT_TOKEN

    sim.delay(0)
    poll_all(conns)  # the first sync, untimed
    token = httpx.post(sim.url + "/v1/tokens/exchange", auth=("", DEFAULT_TOKEN)).json()["token"]
    sim.delay(latency)
    before = sim.served()
    poll_all(conns)
    requests = sent_since(sim, before)
    sent = [r for r in requests if "tokens/exchange" not in r["path"]]
    before = sim.served()
    bare_replay(sim, sent, token)
    if sim.served() - before != len(sent):
        raise SystemExit(f"the replay sent {sim.served() - before} requests, the poll {len(sent)}")
    runs = {"floor": [], "poll": []}
    for _ in range(repeat):
        runs["floor"].append(timed(bare_replay, sim, sent, token)[0])
        before = sim.served()
        runs["poll"].append(timed(poll_all, conns)[0])
        if sim.served() - before != len(requests):
            raise SystemExit(f"a steady re-poll sent {sim.served() - before} requests, the first {len(requests)}")
    kinds = defaultdict(int)
    for r in requests:
        rest = r["path"].partition("/v1/")[2].split("/")
        kinds[rest[2] if rest[0] == "apps" and len(rest) > 2 else rest[0]] += 1
    median = {kind: statistics.median(times) for kind, times in runs.items()}
    return {"requests": len(requests), "requests_by_kind": dict(sorted(kinds.items())),
            "seconds_median": {k: round(v, 3) for k, v in median.items()},
            "seconds_all": {k: [round(t, 3) for t in v] for k, v in runs.items()},
            "ratio_to_floor": round(median["poll"] / median["floor"], 3)}


def main_steady(args, *, Simulator, connections_for, poll_all, timed, django_setup, results) -> None:
    db, old_name = django_setup()
    from console.teams.models import Team
    from vendors.scalingo import models
    from vendors.scalingo import sync as polling

    team = Team.objects.create(name="bench", slug="bench")
    sizes = {"1x": args.small, "50x": args.apps}
    figures, load = {}, [round(x, 2) for x in os.getloadavg()]
    try:
        for label, apps in sizes.items():
            sim = Simulator(apps)
            try:
                conns = connections_for(sim, team, label)
                figures[label] = measure(sim, conns, args.latency, args.repeat, timed, poll_all)
                figures[label]["apps"] = models.App.objects.filter(connection__in=conns).count()
            finally:
                sim.stop()
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        db.creation.destroy_test_db(old_name, verbosity=0)
    small, large = figures["1x"], figures["50x"]
    result = {
        "bench": "scalingo_sync --steady", "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "database": db.vendor, "latency_seconds": args.latency, "repeat": args.repeat,
        "fetch_concurrency": polling.FETCH_CONCURRENCY, "rotation": {"polls": polling.ROTATION_POLLS,
                                                                    "cap": polling.ROTATION_CAP},
        "load_average_before": load, "sizes": figures,
        "requests_ratio_50x_to_1x": round(large["requests"] / small["requests"], 2), "requests_target": 10,
        "time_ratio_to_floor_50x": large["ratio_to_floor"], "time_target": 1.5,
        "worker_ru_maxrss_mib": round(maxrss, 1), "memory_target_mib": 250,
    }
    written = results.with_name(RESULT_NAME)
    written.write_text(json.dumps(result, indent=2) + "\n")
    print(f"Steady Scalingo re-poll (nothing changed), {args.latency * 1000:g} ms latency, {db.vendor}, "
          f"median of {args.repeat} interleaved runs, load average {load[0]}:")
    for label, f in figures.items():
        print(f"  {label} ({f['apps']} apps): {f['requests']} requests {f['requests_by_kind']}; "
              f"poll {f['seconds_median']['poll']:.3f} s, floor at concurrency {polling.FETCH_CONCURRENCY} "
              f"{f['seconds_median']['floor']:.3f} s: ratio {f['ratio_to_floor']:.2f}")
    print(f"  requests 50x/1x: {result['requests_ratio_50x_to_1x']} (target <= 10); time 50x / floor: "
          f"{large['ratio_to_floor']} (target <= 1.5); worker peak RSS {maxrss:.1f} MiB (target < 250)")
    print(f"  written to {written.relative_to(results.parents[2])}")
