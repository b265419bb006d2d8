"""After each poll (and each Scalyr chart refresh): a connection's conditions become alert rows.

A condition with no active alert fires one, or re-opens the alert of the same identity resolved within
CONSOLE_ALERT_REOPEN_SECONDS (a flapping condition stays one alert, with its acknowledgement and
silence); an active alert whose condition is gone resolves. Notifications are queued by name and sent
once the transaction commits: a firing alert notifies once (again when it grows more severe), a
resolved one once if people were told it fired, and nothing while it is silenced.

Writes are bulk: a poll that sees 500 crashed apps updates their 500 alerts in a few statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vendors.core import registry
from vendors.core.alerts import notifications
from vendors.core.alerts.conditions import connection_conditions
from vendors.core.alerts.models import Alert, AlertEvent, AlertState, Delivery
from vendors.core.models import Connection

#: what an evaluation may change on an alert row
FIELDS = ["team", "connection_name", "severity", "title", "detail", "url", "since", "last_seen_at", "state",
          "fired_at", "resolved_at", "notified_at"]


@dataclass
class Evaluation:
    fired: list[Alert] = field(default_factory=list)
    reopened: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)
    ongoing: list[Alert] = field(default_factory=list)


def alerts_evaluate(*, connection: Connection) -> Evaluation:
    """Bring the alerts of `connection` in line with its conditions now."""
    with transaction.atomic():
        # one evaluation of a connection at a time (a poll and a chart refresh may end together)
        list(type(connection).objects.select_for_update().filter(pk=connection.pk).values_list("pk"))
        return alerts_apply(source=Source.of(connection), items=connection_conditions(connection))


def alerts_connection_gone(*, connection: Connection) -> Evaluation:
    """A deleted (or disabled) connection's alerts resolve: its conditions are gone with it."""
    return alerts_apply(source=Source.of(connection), items=[])


@dataclass(frozen=True)
class Source:
    """The connection the conditions were seen through."""

    vendor: str
    pk: int
    name: str
    team_id: int

    @classmethod
    def of(cls, connection: Connection) -> Source:
        return cls(connection.vendor, connection.pk, connection.name, connection.team_id)


def alerts_apply(*, source: Source, items: list[registry.AttentionItem]) -> Evaluation:
    now = timezone.now()
    result = Evaluation()
    wanted: dict[str, registry.AttentionItem] = {}
    for item in items:
        wanted.setdefault(item.key, item)
    with transaction.atomic():
        mine = Alert.objects.filter(vendor=source.vendor, connection_id=source.pk)
        active = {alert.key: alert for alert in mine.filter(resolved_at__isnull=True)}
        recent = _recently_resolved(mine, wanted.keys() - active.keys(), now)
        events: list[AlertEvent] = []
        notices: list[tuple[Alert, str]] = []
        changed, created = [], []
        for key, item in wanted.items():
            alert = active.get(key)
            if alert is not None:
                _update(alert, item, source, now, notices)
                result.ongoing.append(alert)
                changed.append(alert)
            elif key in recent:
                alert = recent[key]
                _update(alert, item, source, now, notices)
                _reopen(alert, now, events, notices)
                result.reopened.append(alert)
                changed.append(alert)
            else:
                alert = _new(item, source, now)
                result.fired.append(alert)
                created.append(alert)
        for key, alert in active.items():
            if key not in wanted:
                _resolve(alert, now, events, notices)
                result.resolved.append(alert)
                changed.append(alert)
        Alert.objects.bulk_update(changed, FIELDS, batch_size=200)
        Alert.objects.bulk_create(created, batch_size=200)
        for alert in created:
            events.append(AlertEvent(alert=alert, at=now, kind=AlertEvent.Kind.FIRED, text=alert.title))
            notices.append((alert, Delivery.Event.FIRING))
        AlertEvent.objects.bulk_create(events, batch_size=200)
        notifications.alerts_notify(notices)
    return result


def _recently_resolved(alerts, keys, now) -> dict[str, Alert]:
    if not keys:
        return {}
    window = now - timedelta(seconds=settings.CONSOLE_ALERT_REOPEN_SECONDS)
    found: dict[str, Alert] = {}
    for alert in alerts.filter(key__in=keys, resolved_at__gte=window).order_by("resolved_at", "pk"):
        found[alert.key] = alert  # the latest resolution wins
    return found


def _new(item: registry.AttentionItem, source: Source, now) -> Alert:
    return Alert(team_id=source.team_id, vendor=source.vendor, connection_id=source.pk,
                 connection_name=source.name, key=item.key[:200], severity=item.severity,
                 title=item.title[:300], detail=item.detail, url=item.url[:500], since=item.since,
                 state=AlertState.FIRING, first_seen_at=now, last_seen_at=now, fired_at=now, notified_at=now)


def _update(alert: Alert, item: registry.AttentionItem, source: Source, now, notices) -> None:
    """The condition holds still: the row follows what it says now. Growing more severe tells people again."""
    more_severe = item.severity < alert.severity
    alert.team_id = source.team_id
    alert.connection_name = source.name
    alert.severity, alert.title, alert.detail = item.severity, item.title[:300], item.detail
    alert.url, alert.since, alert.last_seen_at = item.url[:500], item.since, now
    # its state is people's (and the sweep's, when a silence ends): a poll only fires, re-opens and resolves
    if more_severe and alert.resolved_at is None and alert.state == AlertState.FIRING:
        alert.notified_at = now
        notices.append((alert, Delivery.Event.FIRING))


def _reopen(alert: Alert, now, events, notices) -> None:
    """Back within the window: the same alert fires again, keeping who acknowledged or silenced it."""
    alert.resolved_at = None
    alert.fired_at = now
    alert.state = alert.state_now(now)
    events.append(AlertEvent(alert=alert, at=now, kind=AlertEvent.Kind.REOPENED, text=alert.title))
    if alert.state == AlertState.FIRING:
        alert.notified_at = now
        notices.append((alert, Delivery.Event.FIRING))


def _resolve(alert: Alert, now, events, notices) -> None:
    silenced = alert.state_now(now) == AlertState.SILENCED
    alert.resolved_at = now
    alert.state = AlertState.RESOLVED
    events.append(AlertEvent(alert=alert, at=now, kind=AlertEvent.Kind.RESOLVED))
    if alert.notified_at is not None and not silenced:  # people were told it fired: tell them it ended
        notices.append((alert, Delivery.Event.RESOLVED))

