"""Scheduling and running polls: lease claims, status bookkeeping, backoff.

A connection is claimed with one conditional UPDATE (free or expired lease, due, enabled):
the database decides who wins, so any number of schedulers, beats, workers or "Poll
now" clicks poll a connection at most once at a time. The poll task receives the lease
token and only writes status while it still holds it; a duplicate delivered after the poll
finished finds the lease gone and does nothing (one redelivered because its worker process
died mid-poll still holds the lease, and polls again: never two at once).

The scheduler's lease covers the wait in the queue (CONSOLE_POLL_LEASE_SECONDS). Once a worker
starts the poll, the lease is cut to CONSOLE_POLL_RUNNING_LEASE_SECONDS and renewed by a thread
while the poll runs (never past the first lease's length from the start): a worker that dies,
with its host, leaves its connections to the others within that short lease, not the long one.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db import connection as db_connection
from django.db.models import Q
from django.utils import timezone

from console.audit.services import SCHEDULER, audit_record
from vendors.core import registry
from vendors.core import errors
from vendors.core.alerts.evaluation import alerts_evaluate
from vendors.core.errors import Deferred, SecretUnreadable
from vendors.core.metrics import POLL_SECONDS, POLLS
from vendors.core.models import FAILING_AFTER, Connection
from vendors.core.parts import PollParts
from vendors.core.signals import poll_recorded

logger = logging.getLogger("vendors.polling")

HEARTBEAT_KEY = "console:scheduler:last-tick"


@dataclass(frozen=True)
class PollOutcome:
    #: "ok"; "degraded" (some parts failed, the rest is stored); "deferred" (waits for a rate
    #: budget, not a failure); "failed" (the whole: auth refused, vendor unreachable, root list);
    #: "skipped" (the lease was not held)
    status: str
    message: str = ""

    @property
    def completed(self) -> bool:
        return self.status in ("ok", "degraded")


def _free_lease(now) -> Q:
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now)


def connection_claim(*, connection: Connection, force: bool = False) -> str | None:
    """Take the poll lease of `connection`; returns the lease token, or None if someone holds it.

    Without `force` the connection must also be due. `force` is "Poll now": it skips the
    schedule but never a lease held by a running poll.
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    candidates = type(connection).objects.filter(_free_lease(now), pk=connection.pk, enabled=True)
    if not force:
        candidates = candidates.filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
    lease_until = now + timedelta(seconds=settings.CONSOLE_POLL_LEASE_SECONDS)
    claimed = candidates.update(lease_owner=token, lease_until=lease_until)
    return token if claimed else None


def connections_due() -> list[Connection]:
    now = timezone.now()
    due = []
    for spec in registry.vendors():
        due.extend(
            spec.connection_model.objects.filter(_free_lease(now), enabled=True)
            .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
            .only("pk", "name")
        )
    return due


def scheduler_run(*, enqueue) -> list[Connection]:
    """Claim every due connection and hand each to `enqueue(vendor, pk, lease)`."""
    cache.set(HEARTBEAT_KEY, time.time(), timeout=None)
    claimed = []
    for connection in connections_due():
        token = connection_claim(connection=connection)
        if token:
            enqueue(connection.vendor, connection.pk, token)
            claimed.append(connection)
    return claimed


def vendor_ticks() -> None:
    """Each vendor's `tick` hook; one that fails is logged and never stops the others or the polls."""
    for spec in registry.vendors():
        if spec.tick is None:
            continue
        try:
            spec.tick()
        except Exception:
            logger.exception("The scheduler tick of %s failed", spec.name)


def leases_release_all() -> int:
    """Free every poll lease: for a start that dropped the queued poll tasks (the demo), whose leases would
    otherwise keep their connections unpolled until they expire. Never while workers may be polling."""
    return sum(spec.connection_model.objects.exclude(lease_owner="").update(lease_owner="", lease_until=None)
               for spec in registry.vendors())


def scheduler_last_tick() -> float | None:
    return cache.get(HEARTBEAT_KEY)


class _LeaseRenewal:
    """Keeps a running poll's lease short and alive (see the module docstring), from its own thread
    and database connection; it never blocks the poll, which only waits for it once the poll is over."""

    def __init__(self, held, latest):
        self.held, self.latest = held, latest
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="poll-lease-renewal")
        self.thread.start()

    @staticmethod
    def until(now, latest):
        return min(now + timedelta(seconds=settings.CONSOLE_POLL_RUNNING_LEASE_SECONDS), latest)

    def _run(self) -> None:
        try:
            while not self.stopped.wait(settings.CONSOLE_POLL_RUNNING_LEASE_SECONDS / 3):
                try:
                    self.held.update(lease_until=self.until(timezone.now(), self.latest))
                except DatabaseError as exc:  # busy (SQLite's lock): the next renewal tries again
                    logger.warning("Could not renew a poll lease: %s", exc)
        finally:
            db_connection.close()

    def stop(self) -> None:
        """Stop renewing, and wait (briefly: a renewal is one UPDATE) until the thread has closed its
        database connection, so none outlives the poll (a test database could not be dropped)."""
        self.stopped.set()
        self.thread.join(timeout=5)


def connection_poll(*, vendor: str, pk: int, lease: str) -> PollOutcome:
    """Run one poll of a claimed connection and record how it went."""
    spec = registry.get(vendor)
    model = spec.connection_model
    held = model.objects.filter(pk=pk, lease_owner=lease)
    started_at = timezone.now()
    latest = started_at + timedelta(seconds=settings.CONSOLE_POLL_LEASE_SECONDS)
    # starting is conditional: a scheduler that took an expired lease back meanwhile wins
    started = bool(lease) and held.update(last_attempt_at=started_at, lease_until=_LeaseRenewal.until(started_at, latest))
    connection = model.objects.select_related("team").filter(pk=pk, lease_owner=lease).first() if started else None
    if connection is None:
        return PollOutcome("skipped", "lease not held (already polled, or deleted)")
    renewal = _LeaseRenewal(held, latest)
    try:
        outcome = _poll(spec, connection, held, started_at)
    finally:
        renewal.stop()
    _alerts_evaluate(model, pk)
    return outcome


def _alerts_evaluate(model, pk: int) -> None:
    """What the poll changed becomes alerts (fired, resolved); a failure here never fails the poll."""
    connection = model.objects.select_related("team").filter(pk=pk).first()
    if connection is None:
        return
    try:
        alerts_evaluate(connection=connection)
    except Exception:
        logger.exception("Evaluating the alerts of %s connection %s failed", connection.vendor, connection.name)


def _poll(spec, connection, held, started_at) -> PollOutcome:
    vendor = spec.name
    clock = time.perf_counter()
    was_failing = connection.consecutive_failures >= FAILING_AFTER
    parts = PollParts(connection, now=started_at)
    try:
        notes = spec.poll(connection, parts) or []
    except Deferred as wait:
        return _record_deferral(spec, connection, held, clock, str(wait), wait.retry_in)
    except errors.RateLimited as exc:  # the vendor's limit is shared with other clients: wait, do not fail
        return _record_deferral(spec, connection, held, clock, f"{spec.label} asked to slow down: {exc}",
                                exc.retry_after or connection.poll_seconds)
    except (errors.VendorError, SecretUnreadable) as exc:
        return _record_failure(spec, connection, held, clock, str(exc), was_failing)
    except Exception:
        logger.exception("Poll of %s connection %s failed unexpectedly", vendor, connection.name)
        return _record_failure(spec, connection, held, clock,
                               "Internal error while polling; the worker log has the details.", was_failing)
    elapsed = time.perf_counter() - clock
    status = "degraded" if parts.failures else "ok"
    _record(spec, connection, held, PollOutcome(status, parts.summary()), elapsed,
            last_success_at=timezone.now(), last_error="", consecutive_failures=0, poll_notes=list(notes),
            part_failures=parts.failures, parts_total=parts.total, deferred_reason="",
            last_duration_ms=int(elapsed * 1000), next_poll_at=started_at + timedelta(seconds=connection.poll_seconds),
            lease_owner="", lease_until=None)
    POLLS.labels(vendor, status).inc()
    POLL_SECONDS.labels(vendor).observe(elapsed)
    if was_failing:
        audit_record(actor=SCHEDULER, verb="connection.recovered", target=connection, team=connection.team,
                     message="Polls succeed again.")
    return PollOutcome(status, parts.summary())


def _record(spec, connection, held, outcome: PollOutcome, elapsed: float, **status) -> bool:
    """Write the poll's outcome while the lease is held, and tell `poll_recorded`'s receivers in the
    same transaction (vendors.core.signals); False when the lease was lost meanwhile (nothing written)."""
    with transaction.atomic():
        written = bool(held.update(**status))
        if written:
            poll_recorded.send(sender=type(connection), connection=connection, vendor=spec.name,
                               status=outcome.status, message=outcome.message, duration_ms=int(elapsed * 1000))
    return written


def _record_deferral(spec, connection, held, clock, message, retry_in) -> PollOutcome:
    """The poll waits for a budget: no failure is counted, the next attempt comes when it can pay."""
    elapsed = time.perf_counter() - clock
    wait = max(1.0, min(float(retry_in), connection.poll_seconds * 2.0))
    _record(spec, connection, held, PollOutcome("deferred", message), elapsed,
            deferred_reason=message[:500], last_duration_ms=int(elapsed * 1000),
            next_poll_at=timezone.now() + timedelta(seconds=wait), lease_owner="", lease_until=None)
    POLLS.labels(spec.name, "deferred").inc()
    logger.info("Poll of %s connection %s deferred for %.0f s: %s", spec.name, connection.name, wait, message)
    return PollOutcome("deferred", message)


def _record_failure(spec, connection, held, clock, message, was_failing) -> PollOutcome:
    elapsed = time.perf_counter() - clock
    failures = connection.consecutive_failures + 1
    backoff = min(connection.poll_seconds * 2 ** (failures - 1), settings.CONSOLE_MAX_BACKOFF_SECONDS)
    backoff = max(backoff, connection.poll_seconds)
    _record(spec, connection, held, PollOutcome("failed", message), elapsed,
            last_error=message[:1000], consecutive_failures=failures, last_duration_ms=int(elapsed * 1000),
            next_poll_at=timezone.now() + timedelta(seconds=backoff), lease_owner="", lease_until=None)
    POLLS.labels(spec.name, "failed").inc()
    POLL_SECONDS.labels(spec.name).observe(elapsed)
    logger.warning("Poll of %s connection %s failed (%d in a row): %s", spec.name, connection.name, failures, message)
    if failures == FAILING_AFTER and not was_failing:
        audit_record(actor=SCHEDULER, verb="connection.failing", target=connection, team=connection.team,
                     outcome="failure", message=message)
    return PollOutcome("failed", message)
