"""Reads of the Scalr inventory, always scoped to the user's teams (another team's object: 404)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from console.teams.models import Role
from console.teams.selectors import teams_for_user
from vendors.core import selectors as core_selectors
from vendors.core.models import HEALTH_FIELDS
from vendors.core.parts import missing_parts
from vendors.scalr import models

FARM_SORTS = {"name": ("name", "pk"), "-name": ("-name", "-pk"), "status": ("status", "name"),
              "-status": ("-status", "name"), "environment": ("environment__name", "name"),
              "-environment": ("-environment__name", "name"), "servers": ("servers_total", "name"),
              "-servers": ("-servers_total", "name"), "connection": ("connection__name", "name"),
              "-connection": ("-connection__name", "name")}
SERVER_SORTS = {"farm": ("farm__name", "farm_role__alias", "index"), "-farm": ("-farm__name", "farm_role__alias", "index"),
                "status": ("status", "farm__name", "index"), "-status": ("-status", "farm__name", "index"),
                "launched": ("launched_at", "pk"), "-launched": ("-launched_at", "-pk")}


def _teams(user, min_role: str = Role.VIEWER):
    return teams_for_user(user=user, min_role=min_role)


def connection_ids(*, teams) -> list[int]:
    return core_selectors.connection_ids(model=models.ScalrConnection, teams=teams)


def connections_for_user(*, user, min_role: str = Role.VIEWER) -> QuerySet[models.ScalrConnection]:
    return models.ScalrConnection.objects.filter(team__in=_teams(user, min_role)).select_related("team")


def environments_for_user(*, user, min_role: str = Role.VIEWER, api: str | None = None) -> QuerySet:
    qs = models.Environment.objects.filter(connection__team__in=_teams(user, min_role)) \
        .select_related("connection", "connection__team").order_by("name", "connection__name")
    if api == "v1":
        qs = qs.filter(connection__settings__api="v1")
    return qs


def environment_choices(*, user) -> list[tuple[int, str]]:
    """(pk, "environment (connection)") for a filter's options: plain values, as a list may have hundreds."""
    return [(pk, models.environment_label(name, connection)) for pk, name, connection in models.Environment.objects.filter(
        connection__team__in=_teams(user)).order_by("name", "connection__name").values_list(
        "pk", "name", "connection__name")]


#: what a list of farms or servers never reads of a connection joined to its rows
CONNECTION_DETAILS = ("settings", "secrets", "poll_notes", "counts", "last_error")
#: what a row of the farm list shows
FARM_ROW = ("name", "status", "description", "owner", "locked", "lock_comment", "servers_total", "servers_running",
            "details_synced_at", "environment__name", "connection__name", "connection__team__name")
#: the joined columns a list of servers never reads
SERVER_LIST_DEFERRED = (*(f"farm__environment__connection__{name}" for name in CONNECTION_DETAILS),
                        "farm__environment__unavailable")


def connection_choices(*, user) -> list[models.ScalrConnection]:
    """The user's connections with what their health and a filter need."""
    return list(connections_for_user(user=user).only(*HEALTH_FIELDS, "team__name", "team__slug"))


@dataclass(frozen=True)
class FarmFilters:
    status: str = ""
    environment: int | None = None
    connection: int | None = None
    team: str = ""
    q: str = ""
    sort: str = "name"

    @classmethod
    def from_query(cls, params) -> "FarmFilters":
        def number(name):
            value = params.get(name, "")
            return int(value) if value.isdigit() else None

        sort = params.get("sort", "name")
        return cls(status=params.get("status", "") if params.get("status", "") in models.FarmStatus.values else "",
                   environment=number("environment"), connection=number("connection"),
                   team=params.get("team", "")[:100], q=params.get("q", "").strip()[:200],
                   sort=sort if sort in FARM_SORTS else "name")


def farms_for_user(*, user, filters: FarmFilters | None = None) -> QuerySet[models.Farm]:
    filters = filters or FarmFilters()
    qs = models.Farm.objects.filter(connection__team__in=_teams(user)) \
        .select_related("environment", "connection", "connection__team")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.environment:
        qs = qs.filter(environment_id=filters.environment)
    if filters.connection:
        qs = qs.filter(connection_id=filters.connection)
    if filters.team:
        qs = qs.filter(connection__team__slug=filters.team)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(description__icontains=filters.q)
                       | Q(owner__icontains=filters.q) | Q(external_id__startswith=filters.q))
    return qs.order_by(*FARM_SORTS[filters.sort])


def servers_for_user(*, user, status: str = "", environment: int | None = None, q: str = "",
                     sort: str = "farm") -> QuerySet[models.Server]:
    # the connections as a subquery, not a join: counting 40,000 servers then reads the connection index only
    qs = models.Server.objects.filter(connection__in=connections_for_user(user=user).values("pk")) \
        .select_related("farm", "farm__environment", "farm__environment__connection", "farm_role", "connection")
    if status:
        qs = qs.filter(status=status)
    if environment:
        qs = qs.filter(farm__environment_id=environment)
    if q:
        qs = qs.filter(Q(external_id__icontains=q) | Q(hostname__icontains=q) | Q(farm__name__icontains=q)
                       | Q(public_ips__icontains=q) | Q(private_ips__icontains=q))
    return qs.order_by(*SERVER_SORTS.get(sort, SERVER_SORTS["farm"]))


def _get(qs: QuerySet, pk: int, what: str):
    row = qs.filter(pk=pk).first()
    if row is None:
        raise Http404(f"No such {what}.")
    return row


def farm_get(*, user, pk: int) -> models.Farm:
    return _get(farms_for_user(user=user), pk, "farm")


def server_get(*, user, pk: int) -> models.Server:
    return _get(models.Server.objects.filter(connection__team__in=_teams(user))
                .select_related("farm", "farm__environment", "farm_role", "connection", "connection__team"),
                pk, "server")


def farm_role_get(*, user, pk: int) -> models.FarmRole:
    return _get(models.FarmRole.objects.filter(farm__connection__team__in=_teams(user))
                .select_related("farm", "farm__environment", "farm__connection", "farm__connection__team"),
                pk, "farm role")


def script_get(*, user, pk: int) -> models.Script:
    return _get(models.Script.objects.filter(environment__connection__team__in=_teams(user))
                .select_related("environment", "environment__connection", "environment__connection__team"),
                pk, "script")


def zone_get(*, user, pk: int) -> models.DnsZone:
    return _get(models.DnsZone.objects.filter(environment__connection__team__in=_teams(user))
                .select_related("environment", "environment__connection", "environment__connection__team", "farm"),
                pk, "DNS zone")


def environment_get(*, user, pk: int, min_role: str = Role.VIEWER) -> models.Environment:
    return _get(environments_for_user(user=user, min_role=min_role), pk, "environment")


def connection_get(*, user, pk: int) -> models.ScalrConnection:
    return _get(connections_for_user(user=user), pk, "connection")


def farm_roles_for_user(*, user, min_role: str = Role.VIEWER, api: str | None = None) -> QuerySet:
    qs = models.FarmRole.objects.filter(farm__connection__team__in=_teams(user, min_role)) \
        .select_related("farm", "farm__environment", "farm__connection").order_by("farm__name", "alias")
    if api:
        qs = qs.filter(farm__connection__settings__api=api)
    return qs


def farm_summary_counts(*, teams) -> tuple[dict[str, int], dict[str, int]]:
    """Farms and servers by status across the teams' enabled connections, from each poll's counts."""
    farms: dict[str, int] = {}
    servers: dict[str, int] = {}
    for counts in models.ScalrConnection.objects.filter(team__in=teams, enabled=True).values_list("counts",
                                                                                                  flat=True):
        for total, found in ((farms, (counts or {}).get("farms", {})), (servers, (counts or {}).get("servers", {}))):
            for status, n in found.items():
                total[status] = total.get(status, 0) + n
    return farms, servers


def missing_catalogs(environments, *catalogs: str) -> list[dict]:
    """Part failures of these catalogs (see `polling.CATALOGS`) in the given environments, each labelled
    with its environment; the environments' connections must be loaded (`environments_for_user` does)."""
    return [{**failure, "connection": env.connection.name} for env in environments for failure in missing_parts(
        env.connection, *(f"env:{env.external_id}:{catalog}" for catalog in catalogs))]


def missing_for_farm(farm: models.Farm) -> list[dict]:
    """Why a farm's page may show old data: its environment's farm list or its details could not be read."""
    return missing_parts(farm.connection, f"env:{farm.environment.external_id}:farms", f"farm:{farm.external_id}")
