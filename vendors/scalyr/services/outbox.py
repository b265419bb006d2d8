"""The console's own events for Scalyr: each audit entry and poll outcome of a team becomes one outbox
row per Scalyr connection of that team with *Send audit* on, written in the transaction of what it tells
(so it exists exactly when that does), and is sent by `outbox_send` (services/outbox_sender.py).

An audit entry is told when it is recorded, and again when its outcome changes afterwards (an
action's entry is recorded *in progress* and finished with its outcome): `auditChange` says which.
Attributes are flat, as Scalyr's query language reads them; the text an operator reads is `message`.
"""

from __future__ import annotations

import json
import logging
import time

from django.db import transaction

from console.audit.models import AuditEvent, Outcome
from console.redaction import redact
from vendors.core.dispatch import enqueue
from vendors.scalyr.models import OutboxEvent, ScalyrConnection

logger = logging.getLogger("vendors.scalyr.outbox")

SEND_TASK = "vendors.scalyr.tasks.outbox_send"
#: where the console's events come from, as Scalyr's explorer filters them: `$serverHost == 'ops-console'`
SERVER_HOST = "ops-console"
AUDIT_LOG, POLL_LOG = "ops-console/audit", "ops-console/polls"
#: an entry's `detail` is sent as JSON text cut to this many characters
DETAIL_CHARS = 2000
AUDIT_SEVERITY = {Outcome.FAILURE: 5, Outcome.UNCONFIRMED: 4}
POLL_SEVERITY = {"failed": 5, "degraded": 4, "deferred": 4}


def sending_on(connection: ScalyrConnection) -> bool:
    return bool(connection.enabled and (connection.settings or {}).get("send_audit"))


def destinations(team_id: int | None) -> list[int]:
    """The Scalyr connections receiving the console's events of `team_id` (one query; none without a team)."""
    if team_id is None:
        return []
    return list(ScalyrConnection.objects.filter(team_id=team_id, enabled=True, settings__send_audit=True)
                .values_list("pk", flat=True))


def audit_attrs(entry: AuditEvent, change: str) -> dict:
    outcome = Outcome(entry.outcome).label if entry.outcome in Outcome.values else entry.outcome
    text = f"{entry.actor_label} {entry.verb} {entry.target_label} ({outcome.lower()})"
    attrs = {
        "message": f"{text}: {entry.message}" if entry.message else text,
        "logfile": AUDIT_LOG, "source": "audit", "auditId": entry.pk, "auditChange": change,
        "actor": entry.actor_label, "verb": entry.verb, "targetType": entry.target_type,
        "targetId": entry.target_id, "target": entry.target_label, "outcome": entry.outcome,
        "team": entry.team.slug if entry.team_id else "", "createdAt": entry.created_at.isoformat(),
    }
    if entry.via:
        attrs["via"] = entry.via
    if entry.detail:
        attrs["detail"] = json.dumps(entry.detail, default=str, sort_keys=True)[:DETAIL_CHARS]
    return {key: redact(value) if isinstance(value, str) else value for key, value in attrs.items()}


def poll_attrs(connection, vendor: str, status: str, message: str, duration_ms: int) -> dict:
    text = f"poll of {vendor} connection {connection.name}: {status}"
    return {"message": redact(f"{text}: {message}" if message else text), "logfile": POLL_LOG, "source": "poll",
            "vendor": vendor, "connection": connection.name, "connectionId": connection.pk,
            "team": connection.team.slug, "status": status, "durationMs": duration_ms}


def outbox_audit_record(*, entry: AuditEvent, change: str) -> int:
    """Queue `entry` (just recorded, or just finished) for the Scalyr connections of its team."""
    severity = AUDIT_SEVERITY.get(entry.outcome, 3)
    when = entry.created_at if change == "recorded" else None
    return _record(entry.team_id, lambda: audit_attrs(entry, change), severity, when)


def outbox_poll_record(*, connection, vendor: str, status: str, message: str, duration_ms: int) -> int:
    """Queue a poll's outcome for the Scalyr connections of the polled connection's team."""
    return _record(connection.team_id, lambda: poll_attrs(connection, vendor, status, message, duration_ms),
                   POLL_SEVERITY.get(status, 3), None)


def _record(team_id, attrs, severity: int, when) -> int:
    """One row per destination, in a savepoint of the caller's transaction. Never raises: a row that
    cannot be written is logged, and what it tells (the audit entry, the poll's outcome) is kept."""
    targets = destinations(team_id)
    if not targets:
        return 0
    try:
        ts_ns = int(when.timestamp() * 1_000_000_000) if when else time.time_ns()
        values = attrs()
        with transaction.atomic():
            OutboxEvent.objects.bulk_create([OutboxEvent(connection_id=pk, ts_ns=ts_ns, severity=severity,
                                                         attrs=values) for pk in targets])
    except Exception:
        logger.exception("Could not queue an event for Scalyr connections %s", targets)
        return 0
    for pk in targets:
        enqueue(SEND_TASK, pk, after_commit=True)
    return len(targets)
