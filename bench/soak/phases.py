"""The soak's phases: rounds of polls under faults, the losses at the end, the recovery, the sweep of kinds."""

from __future__ import annotations

import math
import time
from collections import Counter

from bench.soak import SCHEDULER_TICKS_PER_INTERVAL, SEED
from bench.soak.ledger import Ledger, complete, db_rows, vendor_rows
from bench.soak.simulators import Simulator


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

