from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from console.audit.models import AuditEvent, Outcome
from console.redaction import redact

SCHEDULER = "scheduler"
#: how the current request's user acts when it is not the pages, e.g. "API token deploy-bot"
_via: ContextVar[str] = ContextVar("audit_via", default="")


def acting_via_set(how: str) -> None:
    """From now on in this context (one API request: console.api.auth.ApiContextMiddleware), audit
    entries say the actor acted `via` this."""
    _via.set(how)


@contextmanager
def acting_via(how: str):
    """Entries recorded inside this block say the actor acted `via` this (an API token, say)."""
    reset = _via.set(how)
    try:
        yield
    finally:
        _via.reset(reset)


def audit_record(*, actor, verb: str, target, team=None, outcome: str = Outcome.SUCCESS, message: str = "",
                 detail: dict | None = None, target_type: str | None = None) -> AuditEvent:
    """Record one audit entry. `actor` is a user or the string 'scheduler'.

    Messages pass through redaction as a last line of defence; callers record the fact
    that a secret changed (its name), never its value. The entry is saved in a transaction (the
    caller's, if any), so what `post_save` receivers write (an outbox row) is committed with it.
    """
    user = None if isinstance(actor, str) or actor is None else actor
    if target_type is None:
        target_type = target._meta.label_lower if hasattr(target, "_meta") else type(target).__name__.lower()
    with transaction.atomic(savepoint=False):
        return AuditEvent.objects.create(
            actor=user,
            actor_label=actor if isinstance(actor, str) else (actor.get_username() if actor else SCHEDULER),
            verb=verb,
            target_type=target_type,
            target_id=str(getattr(target, "pk", "") or ""),
            target_label=str(target)[:255],
            team=team,
            outcome=outcome,
            message=redact(message)[:2000],
            detail=detail or {},
            via=_via.get()[:150],
        )


def audit_finish(event: AuditEvent, *, outcome: str, message: str = "", detail: dict | None = None) -> None:
    """Close an action's entry (recorded as pending when it was queued) with its outcome."""
    event.outcome = outcome
    event.message = redact(message)[:2000]
    if detail:
        event.detail = {**event.detail, **detail}
    with transaction.atomic(savepoint=False):
        event.save(update_fields=["outcome", "message", "detail"])
