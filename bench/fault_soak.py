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
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.soak import RESULTS, SEED, VENDORS  # noqa: E402
from bench.soak.django_side import ErrorRecords, django_setup, fast_clients, provision_demo  # noqa: E402
from bench.soak.ledger import Ledger, complete  # noqa: E402
from bench.soak.phases import end_losses, recovery, rounds, sweep  # noqa: E402
from bench.soak.report import git_head, report  # noqa: E402
from bench.soak.simulators import Simulator, serve  # noqa: E402


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
        "git_head": git_head(),
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



if __name__ == "__main__":
    main()
