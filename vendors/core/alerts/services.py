"""What people do to alerts (acknowledge, silence, lift a silence, add a note), each audited and written
into the alert's history; and the sweep that ends silences and sends reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from console.audit.services import audit_record
from console.moments import moment_text
from vendors.core.alerts import notifications
from vendors.core.alerts.delivery import deliveries_lost
from vendors.core.alerts.models import Alert, AlertEvent, AlertState, Delivery

#: the longest silence (a longer one is a channel setting, or a fix)
MAX_SILENCE = timedelta(days=90)
NOTE_MAX = 2000


class AlertRefused(Exception):
    """The action does not apply to this alert (said in a sentence)."""


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().select_related("team").get(pk=alert.pk)


def _record(alert: Alert, kind: str, actor, text: str = "") -> AlertEvent:
    return AlertEvent.objects.create(alert=alert, kind=kind, actor=actor, actor_label=actor.get_username(), text=text)


def _save_state(alert: Alert, now, *fields: str) -> None:
    alert.state = alert.state_now(now)
    alert.save(update_fields=[*fields, "state"])


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor) -> Alert:
    """Someone is on it: no more reminders (the resolution is still sent)."""
    alert = _locked(alert)
    if alert.resolved_at is not None:
        raise AlertRefused("This alert is resolved: there is nothing to acknowledge.")
    if alert.acknowledged_at is not None:
        raise AlertRefused(f"{alert.acknowledged_by_label} acknowledged this alert already.")
    now = timezone.now()
    alert.acknowledged_at, alert.acknowledged_by, alert.acknowledged_by_label = now, actor, actor.get_username()
    _save_state(alert, now, "acknowledged_at", "acknowledged_by", "acknowledged_by_label")
    _record(alert, AlertEvent.Kind.ACKNOWLEDGED, actor)
    audit_record(actor=actor, verb="alert.acknowledge", target=alert, team=alert.team,
                 message=f"Acknowledged the alert “{alert.title}”.")
    return alert


@transaction.atomic
def alert_silence(*, alert: Alert, actor, until: datetime) -> Alert:
    """Nothing is sent about it until `until` (if it fires again meanwhile, nothing either)."""
    now = timezone.now()
    if until <= now:
        raise AlertRefused("A silence ends in the future: pick a later time.")
    if until > now + MAX_SILENCE:
        raise AlertRefused("A silence lasts at most 90 days.")
    alert = _locked(alert)
    alert.silenced_until, alert.silenced_by, alert.silenced_by_label = until, actor, actor.get_username()
    _save_state(alert, now, "silenced_until", "silenced_by", "silenced_by_label")
    _record(alert, AlertEvent.Kind.SILENCED, actor, f"Until {moment_text(until, 'minutes')}.")
    audit_record(actor=actor, verb="alert.silence", target=alert, team=alert.team,
                 message=f"Silenced the alert “{alert.title}” until {moment_text(until, 'minutes')}.",
                 detail={"until": until.isoformat()})
    return alert


@transaction.atomic
def alert_unsilence(*, alert: Alert, actor) -> Alert:
    alert = _locked(alert)
    now = timezone.now()
    if alert.silenced_until is None or alert.silenced_until <= now:
        raise AlertRefused("This alert is not silenced.")
    alert.silenced_until = None
    _save_state(alert, now, "silenced_until")
    _record(alert, AlertEvent.Kind.UNSILENCED, actor)
    audit_record(actor=actor, verb="alert.unsilence", target=alert, team=alert.team,
                 message=f"Lifted the silence of the alert “{alert.title}”.")
    _tell_if_untold(alert, now)
    return alert


@transaction.atomic
def alert_note(*, alert: Alert, actor, text: str) -> AlertEvent:
    text = str(text).strip()
    if not text:
        raise AlertRefused("Write the note first.")
    if len(text) > NOTE_MAX:
        raise AlertRefused(f"A note has at most {NOTE_MAX:,} characters.")
    alert = _locked(alert)
    event = _record(alert, AlertEvent.Kind.NOTE, actor, text)
    audit_record(actor=actor, verb="alert.note", target=alert, team=alert.team,
                 message=f"Added a note to the alert “{alert.title}”.")
    return event


def _tell_if_untold(alert: Alert, now) -> None:
    """It fired while silenced and still fires: people hear of it now."""
    if alert.state == AlertState.FIRING and alert.notified_at is None:
        Alert.objects.filter(pk=alert.pk).update(notified_at=now)
        alert.notified_at = now
        notifications.alerts_notify([(alert, Delivery.Event.FIRING)])


def alerts_sweep(*, now=None) -> dict[str, int]:
    """Every scheduler tick: silences that ended, reminders that are due, notifications whose task was lost."""
    now = now or timezone.now()
    ended = 0
    for pk in Alert.objects.filter(state=AlertState.SILENCED, silenced_until__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            alert = Alert.objects.select_for_update().filter(pk=pk, state=AlertState.SILENCED).first()
            if alert is None:
                continue
            _save_state(alert, now, "state")
            AlertEvent.objects.create(alert=alert, at=now, kind=AlertEvent.Kind.SILENCE_ENDED)
            _tell_if_untold(alert, now)
            ended += 1
    reminded = 0
    due = now - timedelta(seconds=settings.CONSOLE_ALERT_REMIND_SECONDS)
    for pk, notified_at in Alert.objects.filter(state=AlertState.FIRING, notified_at__lte=due) \
            .values_list("pk", "notified_at")[:500]:
        with transaction.atomic():
            # claimed by moving notified_at: two sweeps at once remind once
            if Alert.objects.filter(pk=pk, notified_at=notified_at, state=AlertState.FIRING).update(notified_at=now):
                notifications.alerts_notify([(Alert.objects.get(pk=pk), Delivery.Event.REMINDER)])
                reminded += 1
    return {"silences_ended": ended, "reminders": reminded, "requeued": deliveries_lost(now=now)}
