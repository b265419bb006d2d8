"""Where the console's own events come from: an audit entry saved, a poll's outcome recorded.

Both arrive inside the transaction that writes them (console.audit.services saves entries in one,
vendors.core.polling sends `poll_recorded` in its own), so the outbox row is committed with them.
"""

from __future__ import annotations

from django.db.models.signals import post_save

from console.audit.models import AuditEvent, Outcome
from vendors.core.signals import poll_recorded
from vendors.scalyr.services.outbox import outbox_audit_record, outbox_poll_record


def audit_saved(sender, instance: AuditEvent, created: bool, update_fields=None, raw: bool = False, **kwargs):
    if raw:
        return  # loaddata
    if created:
        outbox_audit_record(entry=instance, change="recorded")
    elif update_fields and "outcome" in update_fields and instance.outcome != Outcome.PENDING:
        outbox_audit_record(entry=instance, change="finished")


def poll_outcome(sender, connection, vendor: str, status: str, message: str, duration_ms: int, **kwargs):
    outbox_poll_record(connection=connection, vendor=vendor, status=status, message=message, duration_ms=duration_ms)


def connect() -> None:
    post_save.connect(audit_saved, sender=AuditEvent, dispatch_uid="scalyr-outbox-audit")
    poll_recorded.connect(poll_outcome, dispatch_uid="scalyr-outbox-poll")
