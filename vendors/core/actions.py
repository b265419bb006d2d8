"""The one action pipeline: every vendor's actions are rows whose state is the truth.

A vendor registers each verb once: `send(action, connection)` talks to the vendor and
returns either a sentence (the vendor did it at once) or `Accepted(message, follow)` (the
vendor took it and it must be followed); `follow(action, connection)` looks once and says
`done(...)`, `failed(...)` or `still(...)`. A service starts an action with `action_start`
(audited, queued on commit); the Celery task `vendors.core.tasks.run_action` runs
`action_execute`:

    queued ──claim──▶ sent ──vendor took it──▶ accepted ──followed──▶ succeeded | failed
                        │                          └──out of time──▶ unconfirmed (followed in the background)
                        └── refused ▶ failed;  no answer ▶ unconfirmed

*Sent at most once*: the claim is a conditional UPDATE from `queued`, so a redelivered task
or two workers never send one row twice; the same action submitted again within
`DOUBLE_SUBMIT` while the first is on its way (a double click) is the first row, not a second. A worker killed between *sent* and the vendor's answer leaves the row
*sent*: the next delivery does not resend it but says it is unconfirmed. A worker killed
while following leaves *accepted*: the next delivery follows again.

Following honours the vendor's `Retry-After` and outlives 429s and 5xx within the
following time; *failed* is only ever the vendor's refusal or its report of failure.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from console.audit.models import Outcome
from console.audit.services import audit_finish, audit_record
from vendors.core import registry
from vendors.core.dispatch import enqueue
from vendors.core.errors import OutcomeUnknown, RateLimited, SecretUnreadable, VendorError
from vendors.core.fields import SecretBox
from vendors.core.models import ActionRun, ActionStatus, Connection

logger = logging.getLogger("vendors.actions")

#: the same action submitted again within this time, while the first is still on its way, is a double
#: click: the first one stands (once the vendor answered it, the same request again is deliberate)
DOUBLE_SUBMIT = timedelta(seconds=10)
IN_FLIGHT = (ActionStatus.QUEUED, ActionStatus.SENT, ActionStatus.ACCEPTED)
#: how long an unconfirmed action is still followed in the background, and how often
BACKGROUND_FOLLOW = timedelta(minutes=30)
BACKGROUND_INTERVAL_SECONDS = 30
#: the pipeline's tasks (vendors/core/tasks.py), queued by name
RUN_ACTION, FOLLOW_ACTION = "vendors.core.tasks.run_action", "vendors.core.tasks.follow_action"


@dataclass(frozen=True)
class Accepted:
    """The vendor took the action; `follow` is what following it needs (stored as JSON)."""

    message: str = "Accepted; following it…"
    follow: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """A follower's look: settled (`done`), and if so whether it `failed`; else look again in `retry_in`."""

    done: bool
    message: str
    failed: bool = False
    retry_in: float = 5.0


def done(message: str) -> Step:
    return Step(True, message)


def failed(message: str) -> Step:
    """The vendor reported that the accepted action failed (in its words)."""
    return Step(True, message, failed=True)


def still(message: str, retry_in: float = 5.0) -> Step:
    return Step(False, message, retry_in=retry_in)


@dataclass(frozen=True)
class Verb:
    send: Callable[[ActionRun, Connection], "Accepted | str"]
    follow: Callable[[ActionRun, Connection], Step] | None = None
    #: seconds to follow in the task before the action is unconfirmed (None: the console's setting)
    follow_seconds: Callable[[], float] | None = None


_verbs: dict[str, Verb] = {}


def performer(verb: str, *, follow: Callable[[ActionRun, Connection], Step] | None = None,
              follow_seconds: Callable[[], float] | None = None):
    """Register the function it decorates as the sender of `verb` (and `follow` as its follower)."""
    def register(send):
        _verbs[verb] = Verb(send=send, follow=follow, follow_seconds=follow_seconds)
        return send
    return register


def default_follow_seconds() -> float:
    """How long a task follows an accepted action before saying it is unconfirmed."""
    configured = getattr(settings, "CONSOLE_ACTION_FOLLOW_SECONDS", None)
    if configured is not None:
        return float(configured)
    return max(0.0, getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", 240) - 40.0)


# -- starting ----------------------------------------------------------------------------------
def action_start(*, connection: Connection, actor, verb: str, target, summary: str, params: dict | None = None,
                 target_url: str = "", secret_payload: dict[str, str] | None = None,
                 inline: bool = False, target_type: str | None = None) -> ActionRun:
    """Record an action (audited as pending) and run it: on a worker once committed, or here when `inline`
    (a page that must show the vendor's answer in the same response, e.g. a config file's conflict; the
    vendor's refusal is then also on `action.error`, the typed error, for the page to read)."""
    if verb not in _verbs:
        raise LookupError(f"no performer is registered for {verb!r}")
    fingerprint = _fingerprint(actor, connection, verb, summary, params)
    with transaction.atomic():
        # one action start at a time per connection (a row lock on PostgreSQL; SQLite writes one at a time)
        type(connection).objects.select_for_update().filter(pk=connection.pk).values_list("pk").first()
        twin = ActionRun.objects.filter(fingerprint=fingerprint, created_at__gte=timezone.now() - DOUBLE_SUBMIT,
                                        status__in=IN_FLIGHT).first()
        if twin is not None:
            return twin  # a double click (or a resubmitted form) is the same action, sent once
        audit = audit_record(actor=actor, verb=verb, target=target, team=connection.team, outcome=Outcome.PENDING,
                             message=summary, detail={"connection": connection.name, **(params or {})},
                             target_type=target_type)
        action = ActionRun(
            vendor=connection.vendor, connection_id=connection.pk, team=connection.team, actor=actor, verb=verb,
            target_label=str(target)[:255], target_url=target_url, summary=summary[:500], params=params or {},
            audit=audit, fingerprint=fingerprint,
        )
        for name, value in (secret_payload or {}).items():
            action.secret_payload.set(name, value)
        action.save()
        if not inline:
            enqueue(RUN_ACTION, action.pk, after_commit=True)
    if inline:
        return action_execute(action.pk)
    return action


def _fingerprint(actor, connection, verb: str, summary: str, params: dict | None) -> str:
    """What makes two submissions the same action: who, where, which verb, the exact change stated."""
    raw = json.dumps([getattr(actor, "pk", str(actor)), connection.vendor, connection.pk, verb, summary, params or {}],
                     sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


# -- running -----------------------------------------------------------------------------------
def action_execute(action_id: int) -> ActionRun | None:
    """Send a queued action once, then follow it; resume or report a delivery that was interrupted."""
    now = timezone.now()
    claimed = ActionRun.objects.filter(pk=action_id, status=ActionStatus.QUEUED).update(
        status=ActionStatus.SENT, sent_at=now, touched_at=now)
    action = ActionRun.objects.select_related("audit").filter(pk=action_id).first()
    if action is None:
        return None
    if not claimed:
        if action.status == ActionStatus.SENT:  # a worker died after sending, before the vendor's answer
            return _lost_while_sending(action)
        if action.status == ActionStatus.ACCEPTED:  # a worker died while following
            return _follow(action, _connection(action))
        return action  # already settled, or unconfirmed and followed in the background
    connection = _connection(action)
    if connection is None:
        _forget_secrets(action)
        return _settle(action, ActionStatus.FAILED, "The connection was deleted before the action was sent.")
    verb = _verbs[action.verb]
    try:
        answer = verb.send(action, connection)
    except OutcomeUnknown as exc:
        return _settle(action, ActionStatus.UNCONFIRMED,
                       f"{exc}. Whether {_label(action)} acted on it is unknown: check {action.target_label} "
                       f"before trying again.")
    except (VendorError, SecretUnreadable) as exc:
        fields = exc.details.get("fields", {}) if isinstance(exc, VendorError) else {}
        code = (exc.code or exc.kind) if isinstance(exc, VendorError) else "secret_unreadable"
        action = _settle(action, ActionStatus.FAILED, str(exc), field_errors=fields, detail={"error": code})
        action.error = exc
        return action
    except Exception:
        logger.exception("Action %s (%s) failed unexpectedly", action.pk, action.verb)
        return _settle(action, ActionStatus.UNCONFIRMED,
                       f"Internal error while sending this to {_label(action)}; whether it was received is "
                       f"unknown (the worker log has the details). Check {action.target_label}.")
    finally:
        _forget_secrets(action)
    if not isinstance(answer, Accepted):
        return _settle(action, ActionStatus.SUCCEEDED, answer or "Done.")
    action.status, action.message, action.follow = ActionStatus.ACCEPTED, answer.message, answer.follow
    action.accepted_at = action.touched_at = timezone.now()
    action.save(update_fields=["status", "message", "follow", "accepted_at", "touched_at"])
    if verb.follow is None:
        return _settle(action, ActionStatus.SUCCEEDED, answer.message)
    return _follow(action, connection)


def _follow(action: ActionRun, connection) -> ActionRun:
    """Look at the accepted action until it settles or the following time is out (then: unconfirmed)."""
    verb = _verbs.get(action.verb)
    if connection is None or verb is None or verb.follow is None:
        return _settle(action, ActionStatus.UNCONFIRMED, "The action was accepted but can no longer be followed.")
    seconds = verb.follow_seconds() if verb.follow_seconds else default_follow_seconds()
    deadline = time.monotonic() + seconds
    while True:
        step = follow_once(action, connection, verb)
        if step.done:
            return _settle(action, ActionStatus.FAILED if step.failed else ActionStatus.SUCCEEDED, step.message)
        if time.monotonic() + step.retry_in > deadline:
            break
        action_progress(action, step.message)
        time.sleep(step.retry_in)
    not_yet = f"it was not confirmed within {_duration(seconds)}" if seconds >= 1 else "it is not confirmed yet"
    action = _settle(action, ActionStatus.UNCONFIRMED,
                     f"{_label(action)} accepted it, but {not_yet}: {step.message} "
                     f"The console keeps checking in the background.")
    _follow_later(action)
    return action


def follow_once(action: ActionRun, connection, verb: Verb) -> Step:
    """One look; the vendor's slow-downs and outages are reasons to look again, never a failure."""
    try:
        return verb.follow(action, connection)
    except RateLimited as exc:
        wait = exc.retry_after if exc.retry_after is not None else 5.0
        return still(f"{_label(action)} asked to slow down; looking again in {wait:.0f} s.", retry_in=max(wait, 0.5))
    except (VendorError, SecretUnreadable) as exc:
        return still(f"Could not look at it just now: {exc}.", retry_in=5.0)
    except Exception:
        logger.exception("Following action %s (%s) failed unexpectedly", action.pk, action.verb)
        return still("Could not look at it just now (the worker log has the details).", retry_in=5.0)


def action_follow_again(action_id: int) -> ActionRun | None:
    """The background look at an unconfirmed action: settle it when the vendor says, else look later."""
    action = ActionRun.objects.select_related("audit").filter(
        pk=action_id, status=ActionStatus.UNCONFIRMED, accepted_at__isnull=False).first()
    if action is None:
        return None
    verb = _verbs.get(action.verb)
    connection = _connection(action)
    if verb is None or verb.follow is None or connection is None:
        return action
    step = follow_once(action, connection, verb)
    if step.done:
        return _settle(action, ActionStatus.FAILED if step.failed else ActionStatus.SUCCEEDED, step.message)
    if timezone.now() - action.accepted_at >= BACKGROUND_FOLLOW:
        minutes = int(BACKGROUND_FOLLOW.total_seconds() // 60)
        return _settle(action, ActionStatus.UNCONFIRMED,
                       f"{_label(action)} accepted it, but it was still not confirmed {minutes} min later: "
                       f"{step.message} Check {action.target_label} at {_label(action)}.")
    _follow_later(action)
    return action


def _follow_later(action: ActionRun) -> None:
    from celery import current_app

    if action.accepted_at is None or current_app.conf.task_always_eager:
        return  # eager (tests, no worker): nothing runs later; `action_follow_again` is called directly
    enqueue(FOLLOW_ACTION, action.pk, countdown=BACKGROUND_INTERVAL_SECONDS, after_commit=True)


AUDIT_OUTCOME = {ActionStatus.SUCCEEDED: Outcome.SUCCESS, ActionStatus.FAILED: Outcome.FAILURE,
                 ActionStatus.UNCONFIRMED: Outcome.UNCONFIRMED}


def _settle(action: ActionRun, status: str, message: str, *, field_errors: dict | None = None,
            detail: dict | None = None) -> ActionRun:
    """Record the outcome on the action and its audit entry together (a worker killed in between leaves neither)."""
    action.status, action.message, action.field_errors = status, message, field_errors or {}
    action.finished_at = timezone.now() if status != ActionStatus.UNCONFIRMED else None
    action.touched_at = timezone.now()
    with transaction.atomic():
        action.save(update_fields=["status", "message", "field_errors", "finished_at", "touched_at"])
        if action.audit:
            audit_finish(action.audit, outcome=AUDIT_OUTCOME[status],
                         message=f"{action.summary} {message}".strip(), detail=detail)
    return action


def _lost_while_sending(action: ActionRun) -> ActionRun:
    """A row left *sent*: whether the vendor got it is unknown, so it is never sent again."""
    return _settle(action, ActionStatus.UNCONFIRMED,
                   f"The console stopped while sending this to {_label(action)}; whether it was received is "
                   f"unknown. Check {action.target_label} before trying again.")


def _forget_secrets(action: ActionRun) -> None:
    if action.secret_payload.names():
        action.secret_payload = SecretBox()
        action.save(update_fields=["secret_payload"])


def _connection(action: ActionRun):
    return registry.get(action.vendor).connection_model.objects.select_related("team") \
        .filter(pk=action.connection_id).first()


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{round(seconds / 60)} min"


def _label(action: ActionRun) -> str:
    spec = registry.find(action.vendor)
    return spec.label if spec else action.vendor


def action_secret_values(action: ActionRun) -> dict[str, str]:
    """The decrypted secret payload of an action (only while it is being sent)."""
    return {name: action.secret_payload.get(name) for name in action.secret_payload.names()}


def action_progress(action: ActionRun, message: str) -> None:
    """Tell the page what a long action is doing now (e.g. "operation running"); also its heartbeat."""
    ActionRun.objects.filter(pk=action.pk).update(message=message[:1000], touched_at=timezone.now())


def actions_sweep() -> int:
    """Pick up actions whose task was lost: a whole worker crashed (no process was left to give its task
    back), or a broker dropped the message. Run by every scheduler tick; returns how many were picked up.

    Queued or accepted rows that nothing touched for longer than a task may run are run again (the claim
    and the states make that safe: nothing is sent twice); a row left *sent* is reported unconfirmed.
    """
    stale = timezone.now() - timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 270) + 30)
    lost = list(ActionRun.objects.filter(status__in=(ActionStatus.QUEUED, ActionStatus.ACCEPTED))
                .filter(touched_at__lt=stale).values_list("pk", flat=True)[:100])
    lost += list(ActionRun.objects.filter(status=ActionStatus.QUEUED, touched_at__isnull=True,
                                          created_at__lt=stale).values_list("pk", flat=True)[:100])
    for pk in lost:
        ActionRun.objects.filter(pk=pk).update(touched_at=timezone.now())  # one pick-up per stale period
        enqueue(RUN_ACTION, pk)
    sent = list(ActionRun.objects.filter(status=ActionStatus.SENT, touched_at__lt=stale)
                .select_related("audit")[:100])
    for action in sent:
        _lost_while_sending(action)
    return len(lost) + len(sent)
