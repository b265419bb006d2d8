"""Reads of alerts and channels, always scoped to the user's teams (another team's answers 404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from console.teams.models import Role
from console.teams.selectors import teams_for_user
from vendors.core.alerts.filters import AlertFilter
from vendors.core.alerts.models import ACTIVE_STATES, CHANNEL_FAILING_AFTER, Alert, AlertState, Channel, Delivery

HISTORY_LIMIT = 200


def _ordered(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    """Firing and acknowledged, then silenced, then resolved; in each, the most severe first, then the most recent."""
    return alerts.annotate(
        rank=Case(When(state=AlertState.SILENCED, then=Value(1)), When(state=AlertState.RESOLVED, then=Value(2)),
                  default=Value(0), output_field=IntegerField()),
        recency=Coalesce("since", "fired_at"),
    ).order_by("rank", "severity", F("recency").desc(), "-pk")


def alerts_for_user(*, user, params=None) -> QuerySet[Alert]:
    """The alerts of the user's teams, filtered by `params` (AlertFilter: team, vendor, connection, severity, state)."""
    alerts = Alert.objects.filter(team__in=teams_for_user(user=user)).select_related("team")
    return _ordered(AlertFilter(params, queryset=alerts).qs)


def alerts_active(*, teams) -> QuerySet[Alert]:
    """What needs attention: firing, acknowledged and silenced alerts (silenced last)."""
    return _ordered(Alert.objects.filter(team__in=teams, state__in=ACTIVE_STATES))


def alert_get(*, user, pk: int) -> Alert:
    alert = Alert.objects.filter(pk=pk, team__in=teams_for_user(user=user)).select_related("team").first()
    if alert is None:
        raise Http404("No such alert.")
    return alert


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    kind: str  # an AlertEvent kind, or "notification"
    label: str
    who: str = ""
    text: str = ""
    delivery: Delivery | None = None


def alert_history(*, alert: Alert) -> list[HistoryEntry]:
    """When it fired, each notification and how its delivery went, who acknowledged, silenced or wrote,
    when it resolved: oldest first (the latest HISTORY_LIMIT of each)."""
    entries = [HistoryEntry(event.at, event.kind, event.get_kind_display(), event.actor_label, event.text)
               for event in alert.events.order_by("-at", "-pk")[:HISTORY_LIMIT]]
    entries += [HistoryEntry(delivery.created_at, "notification", f"{delivery.get_event_display()} notification",
                             delivery=delivery)
                for delivery in alert.deliveries.select_related("channel").order_by("-created_at")[:HISTORY_LIMIT]]
    return sorted(entries, key=lambda entry: entry.when)


def channels_for_user(*, user) -> QuerySet[Channel]:
    return Channel.objects.filter(team__in=teams_for_user(user=user)).select_related("team").order_by("name")


def channel_get(*, user, pk: int) -> Channel:
    channel = channels_for_user(user=user).filter(pk=pk).first()
    if channel is None:
        raise Http404("No such channel.")
    return channel


def channel_deliveries(*, channel: Channel, limit: int = 20) -> list[Delivery]:
    return list(channel.deliveries.select_related("alert").order_by("-created_at", "-pk")[:limit])


def channels_failing(*, teams) -> list[Channel]:
    """Enabled channels whose last deliveries all failed (the overview lists them)."""
    return list(Channel.objects.filter(team__in=teams, enabled=True,
                                       consecutive_failures__gte=CHANNEL_FAILING_AFTER).order_by("name"))


def delivery_get(*, user, pk: int) -> Delivery:
    delivery = Delivery.objects.filter(pk=pk, channel__team__in=teams_for_user(user=user)) \
        .select_related("channel").first()
    if delivery is None:
        raise Http404("No such notification.")
    return delivery


def admin_teams(*, user):
    return teams_for_user(user=user, min_role=Role.ADMIN)
