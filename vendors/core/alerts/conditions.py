"""What is wrong with one connection right now: its own health, and what its vendor's attention hook says.

The connection's health is the core's own condition (every vendor has it); the rest comes through the
registry, so the alerts never name a vendor.
"""

from __future__ import annotations

from django.urls import reverse

from console.teams.models import Team
from vendors.core import registry
from vendors.core.models import Connection, Health

HEALTH_KEY = "connection.health"


def connection_health_item(connection: Connection) -> registry.AttentionItem | None:
    """A failing connection is critical, a degraded one a warning: one alert whose severity follows."""
    health = connection.health
    if health not in (Health.FAILING, Health.DEGRADED):
        return None
    return registry.AttentionItem(
        severity=0 if health == Health.FAILING else 1, vendor=connection.vendor, since=connection.last_success_at,
        title=f"Connection {connection.name} is {health}", detail=connection.health_reason,
        url=reverse("core:connection-detail", args=[connection.vendor, connection.pk]),
        key=HEALTH_KEY, connection_id=connection.pk)


def connection_conditions(connection: Connection) -> list[registry.AttentionItem]:
    """Every condition of `connection` (none when it is disabled: its alerts resolve)."""
    if not connection.enabled:
        return []
    items = [item for item in [connection_health_item(connection)] if item]
    spec = registry.find(connection.vendor)
    if spec is not None and spec.attention is not None:
        items += [item for item in spec.attention(Team.objects.filter(pk=connection.team_id), connection=connection)
                  if item.key and item.connection_id in (None, connection.pk)]
    return items
