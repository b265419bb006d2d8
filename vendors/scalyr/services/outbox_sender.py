"""Sending the outbox to Scalyr with addEvents, in order, each row accepted once.

One worker sends a connection's rows at a time: it holds the stream's lease (one conditional
UPDATE, as polls are claimed), takes the oldest waiting rows that fit one request (at most
`MAX_EVENTS`, and under the documented 3,000,000 bytes), gives the new ones their sequence numbers,
sends them, and marks them sent only when Scalyr took the batch. A batch whose answer was lost is
sent again with the same numbers, and Scalyr drops what it already has (client/events.py).

A failure (Scalyr down, 429 or `error/server/backoff`, 5xx, a refused token) keeps every row and
waits before the next attempt: 5 s, doubling up to a minute, or Scalyr's `Retry-After`. Scalyr's
refusal of a batch halves it; of a single event, that event is set aside (`refused`) with Scalyr's
words, so one bad row cannot hold up the rest. Rows are queued by name after each write and, for
a backlog left by an outage, by the scheduler tick (`outbox_tick`).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from vendors.core import errors
from vendors.core.dispatch import enqueue
from vendors.core.errors import SecretUnreadable
from vendors.scalyr.client import sender_for
from vendors.scalyr.client.events import MAX_REQUEST_BYTES, UploadEvent, encode
from vendors.scalyr.models import OutboxEvent, OutboxStream, ScalyrConnection
from vendors.scalyr.services.outbox import SEND_TASK, SERVER_HOST, sending_on

logger = logging.getLogger("vendors.scalyr.outbox")

#: events per request (ours: Scalyr documents bytes, not a count)
MAX_EVENTS = 500
#: what a batch's events may take of a request, leaving room for the token, session and sessionInfo
EVENT_BYTES = MAX_REQUEST_BYTES - 16_384
#: room for the fields around an event's attributes (ts, sev, si, sn)
EVENT_OVERHEAD = 160
LEASE_SECONDS = 120
#: one task sends for at most this long, then queues the rest to itself
DRAIN_SECONDS = 60.0
RETRY_FIRST, RETRY_MAX = 5.0, 60.0
KEEP_SENT, KEEP_REFUSED = timedelta(days=1), timedelta(days=7)


class LeaseLost(Exception):
    pass


_process = {"pid": None, "id": None}


def session_for(connection_id: int) -> str:
    """This process's session with one connection: a UUID per console process (and destination) for
    its lifetime, as the document asks; a forked worker gets its own."""
    if _process["pid"] != os.getpid():
        _process.update(pid=os.getpid(), id=uuid.uuid4())
    return str(uuid.uuid5(_process["id"], str(connection_id)))


def session_info() -> dict:
    return {"serverHost": SERVER_HOST, "serverType": "ops-console", "consoleHost": socket.gethostname()}


def stream_for(connection_id: int) -> OutboxStream:
    stream, _ = OutboxStream.objects.get_or_create(connection_id=connection_id,
                                                   defaults={"stream": f"ops-console-{uuid.uuid4().hex}"})
    return stream


def _claim(stream: OutboxStream, lease: str = "") -> str | None:
    """Take the stream's lease (free, and the backoff over), or renew `lease` when this task was given it."""
    now = timezone.now()
    until = now + timedelta(seconds=LEASE_SECONDS)
    rows = OutboxStream.objects.filter(pk=stream.pk)
    if lease and rows.filter(lease_owner=lease).update(lease_until=until):
        return lease
    token = uuid.uuid4().hex
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return token if rows.filter(free, due).update(lease_owner=token, lease_until=until) else None


def outbox_tick() -> int:
    """Queue a send for each connection with waiting rows whose backoff is over (the scheduler tick)."""
    waiting = OutboxEvent.objects.filter(sent_at__isnull=True, refused="").values("connection_id")
    queued = 0
    for pk in ScalyrConnection.objects.filter(pk__in=waiting, enabled=True, settings__send_audit=True) \
            .values_list("pk", flat=True):
        lease = _claim(stream_for(pk))
        if lease:
            enqueue(SEND_TASK, pk, lease)
            queued += 1
    return queued


def outbox_send(*, connection_id: int, lease: str = "") -> str:
    """Send what waits for one connection; returns "sent", "idle", "failed", "busy", "off" or "gone"."""
    connection = ScalyrConnection.objects.filter(pk=connection_id).first()
    if connection is None:
        return "gone"
    stream = stream_for(connection_id)
    token = _claim(stream, lease)
    if token is None:
        return "busy"
    try:
        if not sending_on(connection):
            return "off"
        return _drain(connection, stream, token)
    except LeaseLost:
        return "busy"
    finally:
        OutboxStream.objects.filter(pk=stream.pk, lease_owner=token).update(lease_owner="", lease_until=None)


def _drain(connection, stream: OutboxStream, token: str) -> str:
    started, outcome, limit = time.monotonic(), "idle", MAX_EVENTS
    try:
        client = sender_for(connection)
    except errors.VendorError as exc:  # an undecryptable token
        _failed(stream, exc)
        return "failed"
    with client:
        while True:
            batch = _batch(stream, token, limit)
            if not batch:
                break
            events = [UploadEvent(ts_ns=row.ts_ns, attrs=row.attrs, sev=row.severity, stream=stream.stream,
                                  number=row.number) for row in batch]
            try:
                answer = client.add_events(session=session_for(connection.pk), session_info=session_info(),
                                           events=events)
            except errors.InvalidRequest as exc:
                if len(batch) > 1:
                    limit = max(1, len(batch) // 2)  # Scalyr refused the batch: smaller ones find the bad row
                    continue
                OutboxEvent.objects.filter(pk=batch[0].pk).update(refused=str(exc)[:1000])
                logger.warning("Scalyr connection %s refused an event: %s", connection.name, exc)
                continue
            except (errors.VendorError, SecretUnreadable) as exc:
                _failed(stream, exc)
                return "failed"
            _sent(stream, batch, answer.message)
            outcome, limit = "sent", MAX_EVENTS
            if time.monotonic() - started > DRAIN_SECONDS:
                enqueue(SEND_TASK, connection.pk)  # the rest, from a fresh task (this lease ends now)
                break
    _prune(connection.pk)
    return outcome


def _prune(connection_id: int) -> None:
    """Sent rows are kept a day; refused ones a week (the page names the last refusal)."""
    now = timezone.now()
    refused_long_ago = Q(created_at__lt=now - KEEP_REFUSED) & ~Q(refused="")
    OutboxEvent.objects.filter(Q(sent_at__lt=now - KEEP_SENT) | refused_long_ago, connection_id=connection_id).delete()


def _batch(stream: OutboxStream, token: str, limit: int) -> list[OutboxEvent]:
    """The oldest waiting rows that fit one request, numbered (numbers already given are kept)."""
    rows = OutboxEvent.objects.filter(connection_id=stream.pk, sent_at__isnull=True, refused="") \
        .order_by(F("number").asc(nulls_last=True), "id")[:limit]
    batch, size = [], 0
    for row in rows:
        cost = len(encode(row.attrs)) + EVENT_OVERHEAD
        if batch and size + cost > EVENT_BYTES:
            break
        batch.append(row)
        size += cost
    fresh = [row for row in batch if row.number is None]
    if not fresh:
        return batch
    number, ts = stream.last_number, stream.last_ts_ns
    for row in fresh:
        number, ts = number + 1, max(row.ts_ns, ts + 1)
        row.number, row.ts_ns = number, ts
    with transaction.atomic():
        held = OutboxStream.objects.filter(pk=stream.pk, lease_owner=token, last_number=stream.last_number)
        if not held.update(last_number=number, last_ts_ns=ts):
            raise LeaseLost
        OutboxEvent.objects.bulk_update(fresh, ["number", "ts_ns"])
    stream.last_number, stream.last_ts_ns = number, ts
    return batch


def _sent(stream: OutboxStream, batch: list[OutboxEvent], warning: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        OutboxEvent.objects.filter(pk__in=[row.pk for row in batch]).update(sent_at=now)
        OutboxStream.objects.filter(pk=stream.pk).update(
            last_sent_at=now, last_attempt_at=now, sent_total=F("sent_total") + len(batch), failures=0,
            next_attempt_at=None, last_error="", last_warning=warning)


def _failed(stream: OutboxStream, exc: Exception) -> None:
    """Keep every row; wait (doubling, at most a minute, or Scalyr's Retry-After) before trying again."""
    failures = stream.failures + 1
    wait = min(RETRY_FIRST * 2 ** (failures - 1), RETRY_MAX)
    hinted = getattr(exc, "retry_after", None)
    if hinted:
        wait = max(wait, min(float(hinted), 3600.0))
    now = timezone.now()
    OutboxStream.objects.filter(pk=stream.pk).update(failures=failures, last_attempt_at=now, last_error=str(exc)[:1000],
                                                     next_attempt_at=now + timedelta(seconds=wait))
    stream.failures = failures
    logger.info("Sending events to Scalyr connection %s failed (%d in a row), again in %.0f s: %s",
                stream.pk, failures, wait, exc)
