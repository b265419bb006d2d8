"""Scale-out: polls per minute with 1, 2 (and 4) Celery workers on separate "hosts", duplicate polls,
and how long a killed worker's connections wait before another worker polls them.

    sudo .venv/bin/python bench/scale_out.py [--connections 500] [--workers 1 2 4] [--concurrency 4]
                                             [--latency 0.05] [--window 60] [--poll-seconds 5]

Runs as root (network namespaces) on PostgreSQL (127.0.0.1:5432, a database `scaleout` created and
dropped here) and Redis (127.0.0.1:6379, database 1, flushed before and after). Each worker is
`celery worker --pool prefork --concurrency N` (as deploy/systemd runs it) in its own network
namespace, reaching PostgreSQL, Redis and the vendor over a veth link (bench/scale_out_hosts.py).
This process is the beat host: it runs the scheduler (`polling.scheduler_run`, which claims due
connections with leases) and counts.

The vendor is the test vendor's simulator (a widget list and one owner read per widget, 2 widgets
per connection: 3 requests per poll), 50 ms away, with a token per connection so it logs every poll
of every connection. Phases:

* **throughput**, for each worker count: every connection is due again `--poll-seconds` after its
  poll (more than the workers can do: they are saturated) and the scheduler ticks every second, so
  the queue never runs dry; polls completed in `--window` s after a warm-up, with the workers' CPU
  time and the machine's CPU use over the same window.
* **recovery**: two workers, connections polled every `--steady-seconds` at the shipped tick
  (`CONSOLE_SCHEDULER_TICK_SECONDS`); all connections start due at once, and while both workers
  are busy one is killed (`kill -9` of its whole process group: a host lost). The connections it
  was polling are found in the database (attempt started before the kill, never finished) and the
  time until each has a finished poll again is measured.

Duplicate polls: two polls of one connection less than its poll interval apart (0.5 s tolerance)
by the simulator's log; a lost connection's unfinished poll and its recovery are reported apart.
Prints a table and writes bench/results/scale_out.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime
from datetime import timezone as tz
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import scale_out_hosts as hosts  # noqa: E402

DB_NAME = "scaleout"
REDIS_DB = 1
RESULTS = ROOT / "bench" / "results" / "scale_out.json"


def environment(address: str, var_dir: str) -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.scale_out_settings", "CONSOLE_VAR_DIR": var_dir,
            "DATABASE_URL": f"postgres://postgres@{address}:5432/{DB_NAME}",
            "REDIS_URL": f"redis://{address}:6379/{REDIS_DB}", "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql], check=True,
                   capture_output=True)


def redis_flush() -> None:
    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "flushdb"], check=True, capture_output=True)


class Run:
    """The console's side: the connections, the scheduler ticking in a thread, the simulator's log."""

    def __init__(self, args, simulator_url: str, var_dir: str):
        from django.core.management import call_command

        from console.teams.models import Team
        from tests.testvendor.models import WidgetConnection

        self.args, self.var_dir = args, var_dir
        self.url = simulator_url
        call_command("migrate", verbosity=0)
        team = Team.objects.create(name="Scale", slug="scale")
        for n in range(args.connections):
            connection = WidgetConnection(name=f"c{n}", team=team, base_url=simulator_url, poll_seconds=60)
            connection.secrets.set("token", f"{hosts.TOKEN_PREFIX}{n}")
            connection.save()
        self.model = WidgetConnection
        self.workers: list[hosts.Worker] = []

    # -- workers -------------------------------------------------------------------------------
    def start_workers(self, count: int) -> None:
        from dashboard.celery import app

        env = environment(hosts.SERVICE_IP, self.var_dir)
        self.workers = [hosts.Worker(k, env, concurrency=self.args.concurrency, log_dir=Path(self.var_dir))
                        for k in range(1, count + 1)]
        names = {f"scale{k}@host{k}" for k in range(1, count + 1)}
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            answered = {name for reply in app.control.ping(timeout=1.0) for name in reply}
            if names <= answered:
                return
        raise RuntimeError(f"workers did not start; see the logs in {self.var_dir}")

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers = []

    def reset(self, *, poll_seconds: int) -> None:
        from dashboard.celery import app

        app.control.purge()
        self.model.objects.update(poll_seconds=poll_seconds, next_poll_at=None, lease_owner="", lease_until=None,
                                  last_attempt_at=None, last_success_at=None)

    # -- the scheduler (beat) ------------------------------------------------------------------
    def ticking(self, every: float) -> threading.Event:
        from django.db import connection

        from vendors.core import polling
        from vendors.core.tasks import poll_connection

        stop = threading.Event()

        def tick():
            while not stop.is_set():
                polling.scheduler_run(enqueue=lambda vendor, pk, lease: poll_connection.delay(vendor, pk, lease))
                stop.wait(every)
            connection.close()

        threading.Thread(target=tick, daemon=True).start()
        return stop

    def polls(self, since: float = 0.0) -> list[tuple[str, float]]:
        import httpx

        answer = httpx.post(f"{self.url}/_sim/polls", json={"since": since}, timeout=30)
        return [(name, at) for name, at in answer.json()]

    # -- phases ----------------------------------------------------------------------------------
    def throughput(self, count: int) -> dict:
        self.reset(poll_seconds=self.args.poll_seconds)
        self.start_workers(count)
        begun = time.time()
        stop = self.ticking(1.0)
        try:
            time.sleep(self.args.warmup)
            cpu0, busy0 = [w.cpu_seconds() for w in self.workers], hosts.machine_busy()
            t0 = time.time()
            time.sleep(self.args.window)
            t1 = time.time()
            cpu1, busy1 = [w.cpu_seconds() for w in self.workers], hosts.machine_busy()
        finally:
            stop.set()
            self.stop_workers()
        log = self.polls(begun)
        done = sum(1 for _, at in log if t0 <= at < t1)
        worker_cpu = sum(cpu1) - sum(cpu0)
        busy = (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1])
        return {"workers": count, "polls": done, "window_s": round(t1 - t0, 1),
                "polls_per_minute": round(done * 60 / (t1 - t0)), "workers_cpu_s": round(worker_cpu, 1),
                "worker_cpu_ms_per_poll": round(1000 * worker_cpu / max(1, done), 1),
                "workers_cores_used": round(worker_cpu / (t1 - t0), 2), "machine_busy": round(busy, 2),
                "duplicates": duplicates(log, self.args.poll_seconds)}

    def recovery(self) -> dict:
        from django.conf import settings
        from django.db.models import F, Q

        seconds = self.args.steady_seconds
        self.reset(poll_seconds=seconds)
        self.start_workers(2)
        begun = time.time()
        stop = self.ticking(settings.CONSOLE_SCHEDULER_TICK_SECONDS)
        try:
            time.sleep(self.args.kill_after)
            killed_at = datetime.now(tz.utc)
            self.workers[1].kill()
            time.sleep(3.0)  # the survivor finishes what it had started before the kill
            unfinished = Q(last_success_at__isnull=True) | Q(last_success_at__lt=F("last_attempt_at"))
            lost = list(self.model.objects.filter(unfinished, last_attempt_at__lt=killed_at,
                                                  lease_owner__gt="").values_list("pk", flat=True))
            limit = settings.CONSOLE_POLL_LEASE_SECONDS + seconds + 60
            waited = time.monotonic()
            while time.monotonic() - waited < limit:
                again = self.model.objects.filter(pk__in=lost, last_success_at__gt=killed_at).count()
                if again == len(lost):
                    break
                time.sleep(0.5)
            back = dict(self.model.objects.filter(pk__in=lost).values_list("pk", "last_success_at"))
        finally:
            stop.set()
            self.stop_workers()
        waits = [(at - killed_at).total_seconds() for at in back.values() if at and at > killed_at]
        log = self.polls(begun)
        names = {f"c{n}" for n in range(self.args.connections)}
        lost_names = set(self.model.objects.filter(pk__in=lost).values_list("name", flat=True))
        return {"lease_seconds": settings.CONSOLE_POLL_LEASE_SECONDS,
                "tick_seconds": settings.CONSOLE_SCHEDULER_TICK_SECONDS, "poll_seconds": seconds,
                "lost_connections": len(lost), "polled_again": len(waits),
                "wait_s_max": round(max(waits), 1) if waits else None,
                "wait_s_median": round(statistics.median(waits), 1) if waits else None,
                "duplicates": duplicates([(n, at) for n, at in log if f"c{n}" in names - lost_names], seconds)}


def duplicates(log: list[tuple[str, float]], interval: float) -> dict:
    """Polls of one connection less than `interval` apart (0.5 s of tolerance), by the simulator's log."""
    times = defaultdict(list)
    for name, at in log:
        times[name].append(at)
    gaps = {name: [round(b - a, 2) for a, b in zip(sorted(ts), sorted(ts)[1:]) if b - a < interval - 0.5]
            for name, ts in times.items()}
    return {"connections_polled": len(times), "polls": len(log), "duplicate_polls": sum(map(len, gaps.values())),
            "connections_with_duplicates": sum(1 for g in gaps.values() if g),
            "duplicate_gaps_s": {name: g for name, g in gaps.items() if g}}


def report(results: dict) -> None:
    print(f"\n{results['connections']} connections, {results['latency_ms']} ms vendor latency, "
          f"prefork concurrency {results['concurrency']} per worker, {os.cpu_count()} cores\n")
    print("| workers | polls/min | vs 1 worker | worker CPU ms/poll | cores used by workers | machine busy "
          "| duplicate polls |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    base = statistics.mean(r["polls_per_minute"] for r in results["throughput"] if r["workers"] == 1) \
        if any(r["workers"] == 1 for r in results["throughput"]) else results["throughput"][0]["polls_per_minute"]
    for row in results["throughput"]:
        print(f"| {row['workers']} | {row['polls_per_minute']:,} | {row['polls_per_minute'] / base:.2f} "
              f"| {row['worker_cpu_ms_per_poll']} | {row['workers_cores_used']} | {row['machine_busy']:.0%} "
              f"| {row['duplicates']['duplicate_polls']} |")
    rec = results.get("recovery")
    if rec:
        print(f"\nkill -9 of one of 2 workers: {rec['lost_connections']} connections lost mid-poll, "
              f"{rec['polled_again']} polled again after {rec['wait_s_median']} s (median), "
              f"{rec['wait_s_max']} s (max); lease {rec['lease_seconds']} s, tick {rec['tick_seconds']} s; "
              f"duplicate polls {rec['duplicates']['duplicate_polls']} "
              f"({rec['duplicates']['polls']} polls of the other connections)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=15.0)
    parser.add_argument("--poll-seconds", type=int, default=5)
    parser.add_argument("--steady-seconds", type=int, default=60)
    parser.add_argument("--kill-after", type=float, default=6.0)
    parser.add_argument("--no-recovery", action="store_true")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("scale_out.py makes network namespaces: run it as root")
    hosts.cleanup()
    var_dir = tempfile.mkdtemp(prefix="bench-scale-out-")
    psql(f"DROP DATABASE IF EXISTS {DB_NAME}")
    psql(f"CREATE DATABASE {DB_NAME}")
    redis_flush()
    run = None
    try:
        hosts.network_up(max(args.workers + [2]))
        _, url = hosts.simulator_start(args.latency)
        os.environ.update(environment("127.0.0.1", var_dir))
        import django

        django.setup()
        run = Run(args, url, var_dir)
        results = {"connections": args.connections, "latency_ms": round(args.latency * 1000),
                   "concurrency": args.concurrency, "cores": os.cpu_count(), "throughput": []}
        for count in args.workers:
            results["throughput"].append(run.throughput(count))
            print(f"{count} worker(s): {results['throughput'][-1]}", flush=True)
        if not args.no_recovery:
            results["recovery"] = run.recovery()
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
        results["commit"] = commit.strip()
        results["date"] = datetime.now(tz.utc).isoformat(timespec="seconds")
    finally:
        if run:
            run.stop_workers()
            from django.db import connections

            connections.close_all()
        hosts.cleanup()
        psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        redis_flush()
    report(results)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
