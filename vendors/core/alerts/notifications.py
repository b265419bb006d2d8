"""Which channels hear about an alert, and what they are told.

A notification is a `Delivery` row (the webhook's JSON body: never a secret) queued by name once the
transaction commits; the task receives the row's id only (vendors/core/alerts/tasks.py).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from console.teams.models import Team
from vendors.core.alerts.models import Alert, Channel, Delivery, Severity
from vendors.core.dispatch import enqueue

DELIVER = "vendors.core.alerts.tasks.deliver"


def absolute(path: str) -> str:
    """A console path as a link a receiver can open (CONSOLE_URL + path; the path alone without it)."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.CONSOLE_URL}{path}" if settings.CONSOLE_URL else path


#: the webhook's fields, in the order it sends them (a JSON column may store them in another)
FIELDS = ("id", "status", "severity", "title", "detail", "vendor", "connection", "team", "since", "url")


def payload(alert: Alert, event: str, *, team: str) -> dict:
    """The webhook's JSON body (Slack's message and the email are written from it)."""
    since = alert.since or alert.fired_at
    return {
        "id": alert.pk,
        "status": "resolved" if event == Delivery.Event.RESOLVED else "firing",
        "severity": alert.severity_name,
        "title": alert.title,
        "detail": alert.detail,
        "vendor": alert.vendor,
        "connection": alert.connection_name,
        "team": team,
        "since": since.isoformat() if since else None,
        "url": absolute(alert.url),
    }


def alerts_notify(notices: list[tuple[Alert, str]]) -> list[Delivery]:
    """Queue each (alert, event) to its team's enabled channels that want its severity; sent after commit."""
    if not notices:
        return []
    team_ids = {alert.team_id for alert, _ in notices}
    channels = list(Channel.objects.filter(team_id__in=team_ids, enabled=True))
    if not channels:
        return []
    teams = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name"))
    deliveries = [Delivery(channel=channel, alert=alert, event=event,
                           payload=payload(alert, event, team=teams.get(alert.team_id, "")))
                  for alert, event in notices for channel in channels
                  if channel.team_id == alert.team_id and alert.severity <= channel.min_severity]
    return deliveries_queue(deliveries)


def deliveries_queue(deliveries: list[Delivery]) -> list[Delivery]:
    now = timezone.now()
    for delivery in deliveries:
        delivery.next_attempt_at = now
    created = Delivery.objects.bulk_create(deliveries)
    for delivery in created:
        enqueue(DELIVER, delivery.pk, after_commit=True)
    return created


def test_payload(channel: Channel) -> dict:
    """What "Send test" sends: the shape of a real alert, saying it is a test."""
    return {"id": 0, "status": "firing", "severity": Severity.named(channel.min_severity),
            "title": f"Test notification to {channel.name}",
            "detail": "Sent with “Send test” from the ops console: this channel works.",
            "vendor": "console", "connection": "", "team": channel.team.name,
            "since": timezone.now().isoformat(), "url": absolute(reverse("alerts:channel-detail", args=[channel.pk]))}
