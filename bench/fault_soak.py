"""Soak: polls of every demo connection while the simulators answer a share of requests with faults.

    cd /work/main && .venv/bin/python bench/fault_soak.py [--polls 1000] [--chaos 0.3] [--kinds ...]
                                                          [--interval 5] [--time-scale 0.02] [--sweep 0]

The three vendor simulators serve their demo worlds in child processes (as the vendors would be
remote); the demo's connections to them (each vendor's `demo_connections`, through the same
provisioning as `manage.py demo`) live in a throw-away database. Chaos is switched on at
`--chaos` on every simulator (`POST /_sim/faults`: a seeded share of requests answered with a
429 in the vendor's shape, a 500/502/503, a request held past the client's read timeout and
dropped, a truncated body, a proxy's HTML page, or a wrong content type; see
vendors/core/simulator.py), then rounds run until `--polls` polls are done: each round ticks
every simulated world once (servers boot, apps deploy and crash, logs arrive), then polls every
connection once the way a worker does (`connection_claim(force=True)`, `connection_poll`).

A fast clock: rounds follow each other at once, so
- the vendors' own rate limits are off (the Scalingo simulator's 60 requests a minute, the Scalr
  Query API's 10,000 an hour) and so are the console's budgets for them (`requests_per_minute` and
  `hourly_limit` 0 on the connections): a minute of soak holds far more polls than a real minute;
- no setting bounds a poll's retries or client timeouts (the vendor polls build their clients
  with the core's defaults), so the bench scales the defaults of `vendors.core.http.VendorClient`
  by `--time-scale`: its retry time cap and backoff (attempts stay as shipped) and the read
  timeout of `DEFAULT_TIMEOUT`; chaos holds a timed-out request 1.5x that read timeout. The
  Scalingo client sets its own 30 s timeout (`ScalingoClient.__init__`), which no option
  reaches from a poll: on Scalingo a held request is seen as a dropped connection instead.
  Vendors' `Retry-After` hints are not scaled (Scalyr's is 1 s).
- connections poll every `--interval` seconds (part and failure backoffs are multiples of it).

Figures (printed, and written to bench/results/fault_soak.json):
(a) unhandled exceptions: log records at ERROR from `vendors.polling` (a poll that "failed
    unexpectedly", "Internal error while polling", a part's internal error), any other ERROR
    record, and exceptions escaping `connection_poll`. Goal 0.
(b) rows lost that the vendor still has: Scalr farms and servers, Scalingo apps, Scalyr saved
    charts' series. "At the end": rows the database had at some point, that the simulator's
    world still has after the soak, and that the database no longer has. "Dropped by a poll":
    rows a poll removed while the world still had them (counted at every poll, even if a later
    poll brought them back). Goal 0.
(c) per connection, the share of polls that complete (outcome "ok" or "degraded"); "deferred"
    (waiting for a rate budget) is counted apart. Goal >= 80%.
(d) after the faults stop: how many poll intervals each connection needs to be OK again
    (`connection.health == "ok"`), polled by the schedule (failure backoff and part backoff
    included), in real time, up to `--recovery-intervals`; a connection still not OK then is
    polled at once ("Poll now") up to 5 times, and the polls it needed are reported. Goal 1.
`--sweep N` also runs N rounds with each fault kind alone (at the same rate; each kind starts from
connections without failure history, data kept) and reports the
share of complete polls per connection and kind: which fault makes which poll fail.

Django runs with DJANGO_SETTINGS_MODULE (default tests.settings) on a throw-away test database
(a temporary SQLite file, or a test database beside DATABASE_URL when set).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "fault_soak.json"
sys.path.insert(0, str(ROOT))

VENDORS = ("scalr", "scalingo", "scalyr")
SEED = 7
#: how often the recovery's scheduler looks for due connections (the console's beat: every 5 s of a 60 s interval)
SCHEDULER_TICKS_PER_INTERVAL = 5


# -- the simulators, each in its own process --------------------------------------------------------
def serve(vendor: str) -> None:
    """Child process: serve `vendor`'s demo world; answer `world` lines on stdin with its rows as JSON."""
    if vendor == "scalr":
        from vendors.scalr.simulator import ScalrSimulator

        sim = ScalrSimulator.demo(seed=SEED, rate_limit=None)
    elif vendor == "scalingo":
        from vendors.scalingo.simulator import ScalingoSimulator

        sim = ScalingoSimulator.demo(seed=SEED)
        sim.limiter.limit = None  # fast clock: its 60 requests a minute would be hit by the soak's pace
    else:
        from vendors.scalyr.simulator import ScalyrSimulator

        sim = ScalyrSimulator.demo(seed=SEED)
    print(sim.serve(), flush=True)
    for line in sys.stdin:  # until the parent closes our stdin
        if line.strip() == "world":
            with sim.lock:
                rows = world_rows(vendor, sim)
            print(json.dumps(rows), flush=True)
    sim.stop()


def world_rows(vendor: str, sim) -> dict:
    """What the vendor has, as the console would store it (external ids)."""
    if vendor == "scalr":
        world = sim.world
        return {"farms": {str(f.id): f.env_id for f in world.farms.values()},
                "servers": {s.id: s.farm_id for s in world.servers.values()},
                "envs_of_key": {key: sim.visible_env_ids(credential) for key, credential in sim.credentials.items()}}
    if vendor == "scalingo":
        world = sim.world
        return {"apps_by_region": {region: sorted(a["id"] for a in world.apps.values()
                                                  if a["_region"] == region and world.can_see(sim.ops, a))
                                   for region in {a["_region"] for a in world.apps.values()}}}
    return {"events": len(sim.store)}


class Simulator:
    def __init__(self, vendor: str):
        import httpx

        self.vendor = vendor
        self.log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen([sys.executable, __file__, "--serve", vendor], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.log, text=True, cwd=ROOT)
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http"):
            self.log.seek(0)
            raise SystemExit(f"the {vendor} simulator did not start:\n{self.log.read()}")
        self.control = httpx.Client(base_url=self.url, timeout=30)

    def world(self) -> dict:
        self.process.stdin.write("world\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def faults(self, **settings) -> dict:
        answer = self.control.post("/_sim/faults", json=settings)
        answer.raise_for_status()
        return answer.json()

    def tick(self) -> None:
        self.control.post("/_sim/tick").raise_for_status()

    def stats(self) -> dict:
        return self.control.get("/_sim/stats").json()

    def stop(self) -> dict:
        """Stop it; what its log says about its own failures (a simulator bug answers 500 "internal error")."""
        self.control.close()
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.log.seek(0)
        lines = self.log.read().splitlines()
        self.log.close()
        failures = [line for line in lines if "simulator failed on" in line]
        last = next((line for line in reversed(lines) if line and not line.startswith(" ")), "")
        return {"handler_failures": len(failures), "first": failures[:1], "last_error_line": last if failures else ""}


# -- Django -----------------------------------------------------------------------------------------
def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ.setdefault("CONSOLE_VAR_DIR", tempfile.mkdtemp(prefix="bench-soak-"))
    import django

    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return connection, old_name


class ErrorRecords(logging.Handler):
    """Every log record at ERROR or above, while the soak runs (they would otherwise go to stderr)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)

    def summary(self) -> dict:
        by_message = Counter(f"{r.name}: {r.msg}" for r in self.records)
        first = {}
        for record in self.records:
            key = f"{record.name}: {record.msg}"
            if key not in first:
                trace = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
                first[key] = {"message": record.getMessage(), "exception": trace.strip().splitlines()[-1:]}
        polling = sum(1 for r in self.records if r.name.startswith("vendors.polling"))
        return {"vendors_polling": polling, "other": len(self.records) - polling, "by_message": dict(by_message),
                "first_of_each": first}


def fast_clients(scale: float) -> dict:
    """Scale the core client's time defaults (there is no setting for a poll's retries or timeouts)."""
    import httpx

    from vendors.core import http

    for name in ("max_attempts", "max_retry_seconds", "backoff_initial", "backoff_max"):
        if not hasattr(http.VendorClient, name):
            raise SystemExit(f"vendors.core.http.VendorClient has no {name} any more: update the bench")
    client = http.VendorClient
    client.max_retry_seconds *= scale
    client.backoff_initial *= scale
    client.backoff_max *= scale
    shipped = http.DEFAULT_TIMEOUT
    http.DEFAULT_TIMEOUT = httpx.Timeout(connect=shipped.connect, read=shipped.read * scale,
                                         write=shipped.write, pool=shipped.pool)
    return {"max_attempts": client.max_attempts, "max_retry_seconds": client.max_retry_seconds,
            "backoff_initial": client.backoff_initial, "backoff_max": client.backoff_max,
            "read_timeout": http.DEFAULT_TIMEOUT.read, "scalingo_read_timeout": 30.0}


def provision_demo(sims: dict[str, Simulator], interval: int) -> list:
    """The demo's connections to the simulators, as `manage.py demo` provisions them, on a fast clock."""
    from vendors.core import registry
    from vendors.core.provisioning import provision

    document = {"teams": [{"name": "demo"}], "connections": []}
    for vendor in VENDORS:
        document["connections"].extend(registry.get(vendor).demo.connections(sims[vendor].url))
    provision(document, environ={}, inline_secrets=True)
    connections = []
    for vendor in VENDORS:
        for connection in registry.get(vendor).connection_model.objects.order_by("name"):
            settings = dict(connection.settings or {})
            if vendor == "scalingo":
                settings["requests_per_minute"] = 0
            if vendor == "scalr" and connection.api == "v1":
                settings["hourly_limit"] = 0
            type(connection).objects.filter(pk=connection.pk).update(poll_seconds=interval, settings=settings)
            connection.refresh_from_db()
            connections.append(connection)
    return connections


# -- what the database has, and what the vendor has -------------------------------------------------
def db_rows(connection) -> set[str]:
    """The rows of `connection` that (b) watches, as "kind:external id"."""
    if connection.vendor == "scalr":
        from vendors.scalr.models import Farm, Server

        return ({f"farm:{i}" for i in Farm.objects.filter(connection=connection).values_list("external_id", flat=True)}
                | {f"server:{i}" for i in Server.objects.filter(connection=connection)
                   .values_list("external_id", flat=True)})
    if connection.vendor == "scalingo":
        from vendors.scalingo.models import App

        return {f"app:{i}" for i in App.objects.filter(connection=connection).values_list("external_id", flat=True)}
    from vendors.scalyr.models import SavedQuery

    charts = SavedQuery.objects.filter(connection=connection, kind=SavedQuery.Kind.CHART)
    return {f"chart:{pk}" for pk, values in charts.values_list("pk", "values")
            if any(v is not None for v in values or ())}


def vendor_rows(connection, world: dict) -> set[str] | None:
    """The rows the vendor has for `connection`; None where the vendor has no rows of its own (Scalyr:
    a saved chart's series is the console's; the events behind it stay at Scalyr, so every chart that had
    a series still should)."""
    settings = connection.settings or {}
    if connection.vendor == "scalr":
        key_id = connection.secrets.get("key_id")
        envs = set(world["envs_of_key"][key_id])
        if settings.get("env_ids"):
            envs &= {int(i) for i in settings["env_ids"]}
        farms = {farm for farm, env in world["farms"].items() if env in envs}
        return {f"farm:{f}" for f in farms} | {f"server:{s}" for s, farm in world["servers"].items()
                                                if str(farm) in farms}
    if connection.vendor == "scalingo":
        region = settings.get("region") or "osc-fr1"
        return {f"app:{i}" for i in world["apps_by_region"].get(region, [])}
    return None


class Ledger:
    """Per connection: outcomes, failure messages, rows ever stored and rows dropped while the vendor had them."""

    def __init__(self, connections):
        self.outcomes = {c.name: Counter() for c in connections}
        self.messages = {c.name: Counter() for c in connections}
        self.seen = {c.name: set() for c in connections}
        self.dropped = {c.name: Counter() for c in connections}  # kind -> rows dropped by polls
        self.dropping_polls = Counter()
        self.escaped: list[str] = []

    def poll(self, connection, world: dict) -> str:
        from vendors.core import polling

        name = connection.name
        before = db_rows(connection)
        lease = polling.connection_claim(connection=connection, force=True)
        if lease is None:
            status, message = "lease-held", "the lease was still held (a poll that did not release it?)"
        else:
            try:
                outcome = polling.connection_poll(vendor=connection.vendor, pk=connection.pk, lease=lease)
                status, message = outcome.status, outcome.message
            except Exception as exc:  # escaping connection_poll: counted under (a)
                status, message = "exception", f"{type(exc).__name__}: {exc}"
                self.escaped.append(f"{name}: {message}")
        after = db_rows(connection)
        self.seen[name] |= after
        has = vendor_rows(connection, world)
        dropped = (before - after) if has is None else (before & has) - after
        if dropped:
            self.dropping_polls[name] += 1
            self.dropped[name].update(row.split(":")[0] for row in dropped)
        self.outcomes[name][status] += 1
        if status not in ("ok",) and message:
            self.messages[name][normalised(message)] += 1
        return status


def normalised(message: str) -> str:
    """A failure message with its ids and numbers blanked, so the same failure is counted once."""
    message = re.sub(r"[0-9a-f]{24}|[0-9a-f]{8}-[0-9a-f-]{27}", "<id>", message)
    return re.sub(r"\d+", "N", message)[:240]


def complete(outcomes: Counter) -> int:
    return outcomes["ok"] + outcomes["degraded"]


# -- the soak -------------------------------------------------------------------------------------------
def worlds(sims: dict[str, Simulator]) -> dict[str, dict]:
    return {vendor: sim.world() for vendor, sim in sims.items()}


def rounds(sims, connections, ledger: Ledger, polls: int) -> int:
    done = 0
    while done < polls:
        for sim in sims.values():
            sim.tick()
        world = worlds(sims)  # the worlds move only on a tick: what the vendor has during this round
        for connection in connections:
            ledger.poll(connection, world[connection.vendor])
            done += 1
    return done


def end_losses(sims, connections, ledger: Ledger) -> dict:
    world = worlds(sims)
    lost = {}
    for connection in connections:
        now = db_rows(connection)
        has = vendor_rows(connection, world[connection.vendor])
        gone = ledger.seen[connection.name] - now
        if has is not None:
            gone &= has
        missing = (has - now) if has is not None else set()
        lost[connection.name] = {"lost": dict(Counter(r.split(":")[0] for r in gone)),
                                 "never_stored": dict(Counter(r.split(":")[0] for r in missing - gone)),
                                 "stored": dict(Counter(r.split(":")[0] for r in now))}
    return lost


def recovery(sims, connections, interval: int, cap: int) -> dict:
    """Faults are off: poll by the schedule, in real time, until each connection is OK (or `cap` intervals)."""
    from vendors.core import polling

    for sim in sims.values():
        sim.faults()
    stopped = time.monotonic()
    result = {c.name: {"intervals": None, "scheduled_polls": 0} for c in connections}
    pending = {}
    for connection in connections:
        connection.refresh_from_db()
        result[connection.name]["health_at_stop"] = connection.health
        if connection.health == "ok":
            result[connection.name]["intervals"] = 0  # its last poll under faults was a good one
        else:
            pending[connection.name] = connection
    beat = interval / SCHEDULER_TICKS_PER_INTERVAL
    worlds_moved = 0
    for tick in range(cap * SCHEDULER_TICKS_PER_INTERVAL):  # a scheduler: due connections are polled at its ticks
        if not pending:
            break
        time.sleep(max(0.0, stopped + tick * beat - time.monotonic()))
        if tick // SCHEDULER_TICKS_PER_INTERVAL >= worlds_moved:  # the worlds move once an interval
            for sim in sims.values():
                sim.tick()
            worlds_moved += 1
        for name, connection in list(pending.items()):
            lease = polling.connection_claim(connection=connection)  # only when due, as the scheduler does
            if not lease:
                continue
            outcome = polling.connection_poll(vendor=connection.vendor, pk=connection.pk, lease=lease)
            result[name]["scheduled_polls"] += 1
            connection.refresh_from_db()
            elapsed = max(1, math.ceil((time.monotonic() - stopped) / interval))
            result[name]["health"] = connection.health
            result[name].setdefault("trail", []).append(
                {"interval": elapsed, "outcome": outcome.status, "health": connection.health,
                 "reason": connection.health_reason[:160]})
            if connection.health == "ok":
                result[name]["intervals"] = elapsed
                del pending[name]
    for name, connection in pending.items():  # still not OK: when would the scheduler poll it, and would a poll do?
        from django.utils import timezone

        connection.refresh_from_db()
        wait = (connection.next_poll_at - timezone.now()).total_seconds() if connection.next_poll_at else 0
        result[name].update(next_scheduled_in_intervals=round(max(0.0, wait) / interval, 1),
                            reason=connection.health_reason[:300], **parts_waiting(connection, interval))
        for attempt in range(1, 6):
            lease = polling.connection_claim(connection=connection, force=True)
            if lease:
                polling.connection_poll(vendor=connection.vendor, pk=connection.pk, lease=lease)
            connection.refresh_from_db()
            if connection.health == "ok":
                result[name]["polls_now_to_ok"] = attempt
                break
        else:
            result[name]["polls_now_to_ok"] = None
            result[name]["reason_after_polls_now"] = connection.health_reason[:300]
    return result


def parts_waiting(connection, interval: int) -> dict:
    """The failed parts a poll does not ask again before their backoff ends (vendors.core.parts), if any."""
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    failures = getattr(connection, "part_failures", None) or {}
    if not failures:
        return {}
    retries = [parse_datetime(f.get("retry_at") or "") for f in failures.values() if isinstance(f, dict)]
    waits = [(r - timezone.now()).total_seconds() for r in retries if r is not None]
    return {"failed_parts": len(failures),
            "most_failures_in_a_row": max((int(f.get("failures", 0)) for f in failures.values()), default=0),
            "last_part_asked_again_in_intervals": round(max(waits, default=0.0) / interval, 1)}


def forget_failures(connections) -> None:
    """Between two kinds of the sweep: connections without failure history (backoffs included), data kept."""
    for connection in connections:
        model = type(connection)
        fields = {f.name for f in model._meta.get_fields()}
        reset = {"consecutive_failures": 0, "last_error": "", "next_poll_at": None}
        reset.update({name: value for name, value in (("part_failures", {}), ("deferred_reason", ""))
                      if name in fields})
        model.objects.filter(pk=connection.pk).update(**reset)


def sweep(sims, connections, chaos: float, hold: float, per_kind: int) -> dict:
    """Each fault kind alone, at the same rate: the share of complete polls per connection."""
    from vendors.core.simulator import CHAOS_KINDS

    shares = {}
    for kind in CHAOS_KINDS:
        forget_failures(connections)
        for sim in sims.values():
            sim.faults(chaos=chaos, chaos_kinds=[kind], chaos_timeout=hold, chaos_seed=SEED)
        ledger = Ledger(connections)
        rounds(sims, connections, ledger, per_kind * len(connections))
        shares[kind] = {name: {"complete": round(complete(o) / sum(o.values()), 3), "outcomes": dict(o),
                               "messages": dict(ledger.messages[name].most_common(3))}
                        for name, o in ledger.outcomes.items()}
    for sim in sims.values():
        sim.faults()
    return shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--polls", type=int, default=1000, help="polls in all, spread evenly over the connections")
    parser.add_argument("--chaos", type=float, default=0.3, help="share of requests answered with a fault")
    parser.add_argument("--kinds", nargs="*", help="restrict the mix (default: every kind; '5xx', 'html' groups)")
    parser.add_argument("--interval", type=int, default=5, help="connections' poll interval, seconds")
    parser.add_argument("--time-scale", type=float, default=0.02,
                        help="factor on the client's retry time cap, backoff and read timeout")
    parser.add_argument("--recovery-intervals", type=int, default=12)
    parser.add_argument("--sweep", type=int, default=0, metavar="ROUNDS",
                        help="then each fault kind alone for this many rounds")
    parser.add_argument("--serve", choices=VENDORS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve)

    db, old_name = django_setup()
    clients = fast_clients(args.time_scale)
    hold = round(clients["read_timeout"] * 1.5, 3)
    errors = ErrorRecords()
    root = logging.getLogger()
    saved_handlers, root.handlers = root.handlers, [errors]
    root.setLevel(logging.WARNING)

    sims = {vendor: Simulator(vendor) for vendor in VENDORS}
    started = time.monotonic()
    try:
        connections = provision_demo(sims, args.interval)
        chaos = {"chaos": args.chaos, "chaos_timeout": hold, "chaos_seed": SEED}
        if args.kinds:
            chaos["chaos_kinds"] = args.kinds
        for sim in sims.values():
            sim.control.post("/_sim/stats", json={"reset": True})
            mix = sim.faults(**chaos)["chaos_kinds"]
        ledger = Ledger(connections)
        polls = rounds(sims, connections, ledger, args.polls)
        soak_seconds = time.monotonic() - started
        faults = {vendor: sim.stats() for vendor, sim in sims.items()}
        losses = end_losses(sims, connections, ledger)
        recovered = recovery(sims, connections, args.interval, args.recovery_intervals)
        by_kind = sweep(sims, connections, args.chaos, hold, args.sweep) if args.sweep else None
    finally:
        simulator_errors = {vendor: sim.stop() for vendor, sim in sims.items()}
        root.handlers = saved_handlers
        db.creation.destroy_test_db(old_name, verbosity=0)

    per_connection = {}
    for connection in connections:
        name, outcomes = connection.name, ledger.outcomes[connection.name]
        total = sum(outcomes.values())
        per_connection[name] = {
            "vendor": connection.vendor, "polls": total, "outcomes": dict(outcomes),
            "complete_share": round(complete(outcomes) / total, 3) if total else None,
            "complete_share_without_deferred": round(complete(outcomes) / (total - outcomes["deferred"]), 3)
            if total - outcomes["deferred"] else None,
            "rows_lost_at_end": losses[name]["lost"], "rows_never_stored_at_end": losses[name]["never_stored"],
            "rows_stored_at_end": losses[name]["stored"],
            "rows_dropped_by_polls": dict(ledger.dropped[name]), "polls_that_dropped_rows": ledger.dropping_polls[name],
            "recovery": recovered[name],
            "top_failures": dict(ledger.messages[name].most_common(6)),
        }
    unhandled = errors.summary()
    result = {
        "bench": "fault_soak",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "database": db.vendor,
        "git_head": _git_head(),
        "polls": polls,
        "chaos": args.chaos, "chaos_kinds": mix, "chaos_timeout_seconds": hold, "seed": SEED,
        "interval_seconds": args.interval, "recovery_cap": args.recovery_intervals, "time_scale": args.time_scale,
        "client_defaults": clients,
        "soak_seconds": round(soak_seconds, 1),
        "faults_served": {vendor: stats["faults_served"] for vendor, stats in faults.items()},
        "requests_served": {vendor: stats["requests_served"] for vendor, stats in faults.items()},
        "simulator_errors": simulator_errors,
        "unhandled": {"error_records": unhandled, "escaped_exceptions": len(ledger.escaped),
                      "escaped_examples": ledger.escaped[:5], "goal": 0},
        "connections": per_connection,
        "goals": {"unhandled": 0, "rows_lost": 0, "complete_share": 0.8, "recovery_intervals": 1},
        "by_kind": by_kind,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    report(result)


def _git_head() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def report(result: dict) -> None:
    unhandled = result["unhandled"]
    records = unhandled["error_records"]
    print(f"Fault soak: {result['polls']} polls in {result['soak_seconds']} s, chaos {result['chaos']:.0%} "
          f"({', '.join(result['chaos_kinds'])}), held requests {result['chaos_timeout_seconds']} s, "
          f"interval {result['interval_seconds']} s, {result['database']}, at {result['git_head']}")
    for vendor, served in result["faults_served"].items():
        print(f"  {vendor} simulator: {result['requests_served'][vendor]} requests, faults "
              + ", ".join(f"{kind} {n}" for kind, n in served.items()))
        own = result["simulator_errors"][vendor]
        if own["handler_failures"]:
            print(f"    its own handler failed {own['handler_failures']} times (answered 500 'internal error'): "
                  f"{own['last_error_line']}")
    print(f"(a) unhandled: {records['vendors_polling']} ERROR records from vendors.polling, {records['other']} other "
          f"ERROR records, {unhandled['escaped_exceptions']} exceptions escaping connection_poll (goal 0)")
    for key, count in records["by_message"].items():
        print(f"      {count:5d} × {key}  [{' '.join(records['first_of_each'][key]['exception'])}]")
    header = (f"  {'connection':<16} {'polls':>5} {'ok':>4} {'degr':>4} {'defer':>5} {'fail':>4} {'other':>5} "
              f"{'(c) complete':>12} {'w/o defer':>9} {'(b) lost':>8} {'dropped':>7}  (d) intervals to OK")
    print(header)
    for name, c in result["connections"].items():
        o = c["outcomes"]
        other = c["polls"] - sum(o.get(k, 0) for k in ("ok", "degraded", "deferred", "failed"))
        lost = sum(c["rows_lost_at_end"].values())
        dropped = sum(c["rows_dropped_by_polls"].values())
        rec = c["recovery"]
        if rec["intervals"] == 0:
            back = "0 (OK when the faults stopped)"
        elif rec["intervals"] is not None:
            back = f"{rec['intervals']} ({rec['scheduled_polls']} poll(s))"
        else:
            now = rec.get("polls_now_to_ok")
            back = (f"> {result['recovery_cap']} (next scheduled poll in {rec['next_scheduled_in_intervals']} "
                    f"intervals; 'Poll now' {f'OK after {now}' if now else 'not OK after 5'})")
            if rec.get("failed_parts"):
                back += (f"; {rec['failed_parts']} failed part(s) wait for their backoff, the last asked again in "
                         f"{rec['last_part_asked_again_in_intervals']} intervals")
        without = c["complete_share_without_deferred"]
        print(f"  {name:<16} {c['polls']:>5} {o.get('ok', 0):>4} {o.get('degraded', 0):>4} {o.get('deferred', 0):>5} "
              f"{o.get('failed', 0):>4} {other:>5} {c['complete_share']:>12.0%} "
              f"{'-' if without is None else f'{without:.0%}':>9} {lost:>8} {dropped:>7}  {back}")
    print("  goals: (a) 0, (b) 0, (c) >= 80%, (d) 1 interval")
    for name, c in result["connections"].items():
        if c["top_failures"]:
            print(f"  {name}: most frequent non-ok outcomes")
            for message, count in c["top_failures"].items():
                print(f"      {count:5d} × {message}")
    if result["by_kind"]:
        names = list(result["connections"])
        print("  complete polls with each fault kind alone at the same rate:")
        print("    " + f"{'kind':<20}" + "".join(f"{n:>16}" for n in names))
        for kind, shares in result["by_kind"].items():
            print("    " + f"{kind:<20}" + "".join(f"{shares[n]['complete']:>16.0%}" for n in names))
    print(f"  written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
