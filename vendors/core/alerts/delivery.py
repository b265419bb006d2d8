"""One attempt at a notification, its retries with backoff, and what the channel learns from it.

The delivery row is claimed with a conditional UPDATE (queued or retrying → sending), so a task
delivered twice sends once. A failure worth another try waits CONSOLE_ALERT_RETRY_SECONDS, then twice
as long each time (at most 10 minutes), up to CONSOLE_ALERT_DELIVERY_ATTEMPTS attempts; the channel
records every failure (its page and, once it keeps failing, the overview say why) and every success.
A notification is not sent when its alert was silenced meanwhile, nor a reminder once acknowledged.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from vendors.core.alerts import senders
from vendors.core.alerts.models import AlertState, Channel, Delivery
from vendors.core.alerts.notifications import DELIVER
from vendors.core.dispatch import enqueue
from vendors.core.errors import SecretUnreadable

logger = logging.getLogger("vendors.alerts")

#: how long a claimed attempt may take before the sweep counts its worker as lost
SENDING_LEASE = timedelta(seconds=120)
MAX_BACKOFF_SECONDS = 600.0


def backoff(attempt: int) -> float:
    """Seconds to wait after failed attempt number `attempt` (1, 2, ...)."""
    return min(settings.CONSOLE_ALERT_RETRY_SECONDS * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)


def _claim(pk: int) -> bool:
    now = timezone.now()
    claimable = Q(state__in=(Delivery.State.QUEUED, Delivery.State.RETRYING)) | Q(
        state=Delivery.State.SENDING, next_attempt_at__lt=now)  # a worker lost mid-send
    return bool(Delivery.objects.filter(claimable, pk=pk).update(
        state=Delivery.State.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + SENDING_LEASE))


def _not_to_send(delivery: Delivery) -> str:
    alert = delivery.alert
    if delivery.event == Delivery.Event.TEST or alert is None:
        return ""
    now = timezone.now()
    if alert.state_now(now) == AlertState.SILENCED:
        return "The alert was silenced before this could be sent."
    if delivery.event == Delivery.Event.REMINDER and alert.state_now(now) != AlertState.FIRING:
        return "The alert was acknowledged or resolved before this reminder could be sent."
    if not delivery.channel.enabled:
        return "The channel was disabled before this could be sent."
    return ""


def delivery_attempt(pk: int) -> str:
    """Send delivery `pk` once (the `deliver` task); returns its state afterwards."""
    if not _claim(pk):
        return "not claimed"
    delivery = Delivery.objects.select_related("channel__team", "alert").get(pk=pk)
    reason = _not_to_send(delivery)
    if reason:
        _finish(delivery, Delivery.State.SKIPPED, reason)
        return delivery.state
    try:
        senders.send(delivery.channel, delivery.payload, delivery.event)
    except senders.SendFailed as failure:
        _failed(delivery, str(failure), retry=failure.retry)
    except SecretUnreadable as exc:
        _failed(delivery, str(exc), retry=False)
    else:
        _finish(delivery, Delivery.State.SENT, "")
        Channel.objects.filter(pk=delivery.channel_id).update(
            consecutive_failures=0, last_error="", last_success_at=timezone.now())
    return delivery.state


def _failed(delivery: Delivery, message: str, *, retry: bool) -> None:
    now = timezone.now()
    more = retry and delivery.attempts < settings.CONSOLE_ALERT_DELIVERY_ATTEMPTS
    wait = backoff(delivery.attempts) if more else None
    delivery.log = [*delivery.log, {"at": now.isoformat(), "error": message, "retry_in": wait}]
    delivery.last_error = message
    Channel.objects.filter(pk=delivery.channel_id).update(
        consecutive_failures=F("consecutive_failures") + 1, last_error=message[:1000], last_failure_at=now)
    logger.warning("Notification %s to channel %s failed (attempt %d): %s", delivery.pk, delivery.channel.name,
                   delivery.attempts, message)
    if not more:
        _finish(delivery, Delivery.State.FAILED, message)
        return
    delivery.state, delivery.next_attempt_at = Delivery.State.RETRYING, now + timedelta(seconds=wait)
    Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.SENDING).update(
        state=delivery.state, next_attempt_at=delivery.next_attempt_at, log=delivery.log, last_error=message)
    enqueue(DELIVER, delivery.pk, countdown=wait)


def _finish(delivery: Delivery, state: str, message: str) -> None:
    delivery.state, delivery.finished_at = state, timezone.now()
    delivery.last_error = message if state != Delivery.State.SENT else ""
    Delivery.objects.filter(pk=delivery.pk).update(state=state, finished_at=delivery.finished_at,
                                                   last_error=delivery.last_error, log=delivery.log,
                                                   next_attempt_at=None)


def deliveries_lost(*, now=None) -> int:
    """Queue again the deliveries whose task never ran or whose worker died mid-send (a minute late)."""
    now = now or timezone.now()
    late = Delivery.objects.filter(state__in=(Delivery.State.QUEUED, Delivery.State.RETRYING,
                                              Delivery.State.SENDING),
                                   next_attempt_at__lt=now - timedelta(seconds=60)).values_list("pk", flat=True)
    pks = list(late[:200])
    for pk in pks:
        enqueue(DELIVER, pk)
    return len(pks)
