"""The user's farms and servers: the two lists, one farm, farm role or server, and what their pages show."""

from __future__ import annotations

from django.db.models import QuerySet

from console.teams.models import Role
from vendors.scalr import models
from vendors.scalr.filters import FARM_SORTS, FarmFilter, ServerFilter
from vendors.scalr.selectors.connections import CONNECTION_DETAILS, connections_for_user, get, user_teams

#: what a row of the farm list shows
FARM_ROW = ("external_id", "name", "status", "description", "owner", "locked", "lock_comment", "servers_total",
            "servers_running", "details_synced_at", "environment__name", "connection__name", "connection__team__name")
#: the joined columns a list of servers never reads
SERVER_LIST_DEFERRED = (*(f"farm__environment__connection__{name}" for name in CONNECTION_DETAILS),
                        "farm__environment__unavailable")


def _farms(user) -> QuerySet[models.Farm]:
    return models.Farm.objects.filter(connection__team__in=user_teams(user)) \
        .select_related("environment", "connection", "connection__team")


def farm_list(*, user, params) -> FarmFilter:
    """The user's farms as the farm list's query string filters and sorts them (`.qs`)."""
    return FarmFilter(params, _farms(user).only(*FARM_ROW))


def server_list(*, user, params) -> ServerFilter:
    """The user's servers as the server list's query string filters and sorts them (`.qs`)."""
    # the connections as a subquery, not a join: counting 40,000 servers then reads the connection index only;
    # a row shows the farm, its role and environment (named with its connection), nothing else joined
    servers = models.Server.objects.filter(connection__in=connections_for_user(user=user).values("pk")) \
        .select_related("farm", "farm_role", "farm__environment__connection__team").defer(*SERVER_LIST_DEFERRED)
    return ServerFilter(params, servers)


def event_list(*, user, farm: int | None = None, server: int | None = None, connection: int | None = None,
               type: str = "", since=None, before=None) -> QuerySet[models.Event]:
    """The events of the user's farms, newest first: a farm's (its page's timeline), a server's (the events
    that name it, as its page shows), by type or time."""
    events = models.Event.objects.filter(connection__in=connections_for_user(user=user).values("pk")) \
        .select_related("farm", "connection", "connection__team").order_by("-timestamp", "-pk")
    if server is not None:
        found = models.Server.objects.filter(connection__team__in=user_teams(user), pk=server) \
            .values_list("farm_id", "external_id").first()
        if found is None:
            return events.none()
        events = events.filter(farm_id=found[0], message__contains=found[1])
    filters = {"farm_id": farm, "connection_id": connection, "type": type or None, "timestamp__gte": since,
               "timestamp__lte": before}
    return events.filter(**{name: value for name, value in filters.items() if value is not None})


def farm_get(*, user, pk: int) -> models.Farm:
    return get(_farms(user).order_by(*FARM_SORTS["name"]), pk, "farm")


def server_get(*, user, pk: int) -> models.Server:
    return get(models.Server.objects.filter(connection__team__in=user_teams(user))
               .select_related("farm", "farm__environment", "farm_role", "connection", "connection__team"),
               pk, "server")


def farm_role_get(*, user, pk: int) -> models.FarmRole:
    return get(models.FarmRole.objects.filter(farm__connection__team__in=user_teams(user))
               .select_related("farm", "farm__environment", "farm__connection", "farm__connection__team"),
               pk, "farm role")


def farm_roles_for_user(*, user, min_role: str = Role.VIEWER, api: str | None = None) -> QuerySet:
    connections = connections_for_user(user=user, min_role=min_role)
    if api:
        connections = connections.filter(settings__api=api)
    # the connections' ids as a plain list: joined to the teams, the planner walked every farm in name order
    return models.FarmRole.objects.filter(farm__connection_id__in=list(connections.values_list("pk", flat=True))) \
        .select_related("farm", "farm__environment", "farm__connection").order_by("farm__name", "alias")


def farm_page(*, farm: models.Farm) -> dict:
    """What a farm's page shows of it: its roles with their servers, servers without a role, its
    timeline (events, log lines: to be paged), DNS zones, vhosts, and the environment's scripts."""
    roles = list(farm.farm_roles.prefetch_related("servers"))
    servers = [s for role in roles for s in role.servers.all()]
    orphans = list(farm.servers.filter(farm_role__isnull=True))
    return {
        "roles": roles, "orphans": orphans,
        "active_servers": [s for s in servers + orphans if s.status != models.ServerStatus.TERMINATED],
        "events": farm.events.all(), "logs": farm.log_entries.all(),
        "zones": list(farm.dns_zones.all()), "vhosts": list(farm.vhosts.all()),
        "scripts": farm.environment.scripts.all()[:100],
    }


def server_page(*, server: models.Server) -> dict:
    """What a server's page shows of it: its farm's events and log lines about it (to be paged), its
    images (bundle tasks) and the environment's scripts."""
    farm = server.farm
    return {"logs": farm.log_entries.filter(server_external_id=server.external_id),
            "events": farm.events.filter(message__contains=server.external_id),
            "bundle_tasks": server.bundle_tasks.all()[:10], "scripts": farm.environment.scripts.all()[:100]}
