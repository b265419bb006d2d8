"""Whether sending the console's events to a Scalyr connection works, for its page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from vendors.scalyr.client import WRITE_LOGS, token_kinds
from vendors.scalyr.models import OutboxEvent, OutboxStream, ScalyrConnection


@dataclass(frozen=True)
class Sending:
    on: bool
    has_token: bool
    #: rows waiting to be sent, and rows Scalyr refused (set aside)
    waiting: int = 0
    refused: int = 0
    last_sent_at: datetime | None = None
    sent_total: int = 0
    last_attempt_at: datetime | None = None
    next_attempt_at: datetime | None = None
    failures: int = 0
    #: Scalyr's words: why the last attempt failed, and what it said beside its last success
    last_error: str = ""
    last_warning: str = ""
    last_refusal: str = ""

    @property
    def state(self) -> str:
        """ok | failing | waiting (rows but no attempt yet) | off"""
        if not self.on:
            return "off"
        if self.last_error:
            return "failing"
        return "waiting" if self.waiting and not self.last_sent_at else "ok"


def sending_status(*, connection: ScalyrConnection) -> Sending:
    """Two queries: the counts, and the stream (what was sent, the last error)."""
    counts = OutboxEvent.objects.filter(connection=connection, sent_at__isnull=True).aggregate(
        waiting=Count("pk", filter=Q(refused="")), refused=Count("pk", filter=~Q(refused="")))
    stream = OutboxStream.objects.filter(pk=connection.pk).first()
    on = bool((connection.settings or {}).get("send_audit"))
    has_token = WRITE_LOGS in token_kinds(connection)
    if stream is None:
        return Sending(on=on, has_token=has_token, waiting=counts["waiting"], refused=counts["refused"])
    refusal = ""
    if counts["refused"]:
        refusal = OutboxEvent.objects.filter(connection=connection, sent_at__isnull=True).exclude(refused="") \
            .order_by("-pk").values_list("refused", flat=True).first() or ""
    return Sending(on=on, has_token=has_token, waiting=counts["waiting"], refused=counts["refused"],
                   last_sent_at=stream.last_sent_at, sent_total=stream.sent_total,
                   last_attempt_at=stream.last_attempt_at, next_attempt_at=stream.next_attempt_at,
                   failures=stream.failures, last_error=stream.last_error, last_warning=stream.last_warning,
                   last_refusal=refusal)
