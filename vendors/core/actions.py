"""Vendor actions: confirmed in the page, run by a Celery task, audited, followed to the end.

A vendor service calls `action_start(...)` with the Celery task that performs it; the task
calls `action_run(action_id, perform)` where `perform(action, connection)` talks to the
vendor and returns a sentence describing the outcome (or raises a VendorError, whose
message, in the vendor's words, becomes the action's and the audit entry's).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from dashboard.audit.models import Outcome
from dashboard.audit.services import audit_finish, audit_record
from vendors.core import registry
from vendors.core.errors import SecretUnreadable, VendorError
from vendors.core.fields import SecretBox
from vendors.core.models import ActionRun, ActionStatus, Connection

logger = logging.getLogger("vendors.actions")


def action_start(*, connection: Connection, actor, verb: str, target, summary: str, task, params: dict | None = None,
                 target_url: str = "", secret_payload: dict[str, str] | None = None) -> ActionRun:
    with transaction.atomic():
        audit = audit_record(actor=actor, verb=verb, target=target, team=connection.team, outcome=Outcome.PENDING,
                             message=summary, detail={"connection": connection.name, **(params or {})})
        action = ActionRun(
            vendor=connection.vendor, connection_id=connection.pk, team=connection.team, actor=actor, verb=verb,
            target_label=str(target)[:255], target_url=target_url, summary=summary[:500], params=params or {},
            audit=audit,
        )
        for name, value in (secret_payload or {}).items():
            action.secret_payload.set(name, value)
        action.save()
        transaction.on_commit(lambda: task.delay(action.pk))
    return action


def action_run(action_id: int, perform: Callable[[ActionRun, Connection], str]) -> ActionRun:
    action = ActionRun.objects.select_related("audit").get(pk=action_id)
    if action.finished:
        return action  # a redelivered task: the action already ran
    connection = registry.get(action.vendor).connection_model.objects.select_related("team") \
        .filter(pk=action.connection_id).first()
    ActionRun.objects.filter(pk=action.pk).update(status=ActionStatus.RUNNING)
    field_errors = {}
    if connection is None:
        status, message = ActionStatus.FAILED, "The connection was deleted before the action ran."
    else:
        try:
            status, message = ActionStatus.SUCCEEDED, perform(action, connection) or "Done."
        except (VendorError, SecretUnreadable) as exc:
            status, message = ActionStatus.FAILED, str(exc)
            field_errors = getattr(exc, "details", {}).get("fields", {}) if isinstance(exc, VendorError) else {}
        except Exception:
            logger.exception("Action %s (%s) failed unexpectedly", action.pk, action.verb)
            status, message = ActionStatus.FAILED, "Internal error while running the action; see the worker log."
    action.status, action.message, action.field_errors = status, message, field_errors
    action.finished_at = timezone.now()
    action.secret_payload = SecretBox()
    action.save(update_fields=["status", "message", "field_errors", "finished_at", "secret_payload"])
    if action.audit:
        audit_finish(action.audit, outcome=Outcome.SUCCESS if status == ActionStatus.SUCCEEDED else Outcome.FAILURE,
                     message=f"{action.summary} {message}".strip())
    return action


def action_secret_values(action: ActionRun) -> dict[str, str]:
    """The decrypted secret payload of an action (only while it runs)."""
    return {name: action.secret_payload.get(name) for name in action.secret_payload.names()}


def action_progress(action: ActionRun, message: str) -> None:
    """Tell the page what a long action is doing now (e.g. "operation running")."""
    ActionRun.objects.filter(pk=action.pk).update(message=message[:1000])
