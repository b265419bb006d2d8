"""The user's Scalr connections and environments, and the reads every page shares, always scoped
to the user's teams (another team's object: 404)."""

from __future__ import annotations

import hmac

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from console.params import digits
from console.teams.models import Role
from console.teams.selectors import teams_for_user
from vendors.core import selectors as core_selectors
from vendors.core.errors import SecretUnreadable
from vendors.core.models import HEALTH_FIELDS, ActionRun
from vendors.core.parts import missing_parts
from vendors.scalr import models
from vendors.scalr.forms import CALLBACK_SECRET


def user_teams(user, min_role: str = Role.VIEWER):
    return teams_for_user(user=user, min_role=min_role)


def connection_ids(*, teams) -> list[int]:
    return core_selectors.connection_ids(model=models.ScalrConnection, teams=teams)


def connections_for_user(*, user, min_role: str = Role.VIEWER) -> QuerySet[models.ScalrConnection]:
    return models.ScalrConnection.objects.filter(team__in=user_teams(user, min_role)).select_related("team")


def environments_for_user(*, user, min_role: str = Role.VIEWER, api: str | None = None) -> QuerySet:
    qs = models.Environment.objects.filter(connection__team__in=user_teams(user, min_role)) \
        .select_related("connection", "connection__team").order_by("name", "connection__name")
    if api == "v1":
        qs = qs.filter(connection__settings__api="v1")
    return qs


def environment_list(*, user, connection: int | None = None) -> QuerySet[models.Environment]:
    """The user's environments (of one connection) by name, with what the connection page counts in each:
    farms, running farms, servers."""
    def counted(rows: QuerySet, where: str) -> Coalesce:  # a subquery each: no GROUP BY over the joined rows
        return Coalesce(Subquery(rows.filter(**{where: OuterRef("pk")}).order_by().values(where)
                                 .annotate(n=Count("pk")).values("n")), 0)

    farms = models.Farm.objects.all()
    environments = environments_for_user(user=user).order_by("name", "connection__name", "pk").annotate(
        farm_count=counted(farms, "environment"),
        running_count=counted(farms.filter(status=models.FarmStatus.RUNNING), "environment"),
        server_count=counted(models.Server.objects.all(), "farm__environment"))
    return environments.filter(connection_id=connection) if connection is not None else environments


def environment_counted_get(*, user, pk: int) -> models.Environment:
    """One of the user's environments, with `environment_list`'s counts."""
    return get(environment_list(user=user), pk, "environment")


def environments_listed_for_user(*, user) -> QuerySet:
    """The user's environments for a list page, which only names their connections, reads their teams and
    missing parts: building every environment with its whole connection and team was most of what such a
    page did more at 100x data (50 environments)."""
    return environments_for_user(user=user).select_related("connection").only(
        "name", "external_id", "unavailable", "synced_at", "connection__name", "connection__team_id",
        "connection__part_failures")


def environment_choices(*, user) -> list[tuple[int, str]]:
    """(pk, "environment (connection)") for a filter's options: plain values, as a list may have hundreds."""
    return [(pk, models.environment_label(name, connection)) for pk, name, connection in models.Environment.objects.filter(
        connection__team__in=user_teams(user)).order_by("name", "connection__name").values_list(
        "pk", "name", "connection__name")]


#: what a list of farms or servers never reads of a connection joined to its rows
CONNECTION_DETAILS = ("settings", "secrets", "poll_notes", "counts", "last_error")


def connection_choices(*, user) -> list[models.ScalrConnection]:
    """The user's connections with what their health and a filter need."""
    return list(connections_for_user(user=user).only(*HEALTH_FIELDS, "team__name", "team__slug"))


def get(qs: QuerySet, pk: int, what: str):
    """The row `pk` of `qs`, or 404."""
    row = qs.filter(pk=pk).first()
    if row is None:
        raise Http404(f"No such {what}.")
    return row


def environment_get(*, user, pk: int, min_role: str = Role.VIEWER) -> models.Environment:
    return get(environments_for_user(user=user, min_role=min_role), pk, "environment")


def connection_get(*, user, pk: int) -> models.ScalrConnection:
    return get(connections_for_user(user=user), pk, "connection")


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
    """Part failures of these catalogs (see `sync.CATALOGS`) in the given environments, each labelled
    with its environment; the environments' connections must be loaded (`environments_for_user` does)."""
    return [{**failure, "connection": env.connection.name} for env in environments for failure in missing_parts(
        env.connection, *(f"env:{env.external_id}:{catalog}" for catalog in catalogs))]


def missing_for_farm(farm: models.Farm) -> list[dict]:
    """Why a farm's page may show old data: its environment's farm list or its details could not be read."""
    return missing_parts(farm.connection, f"env:{farm.environment.external_id}:farms", f"farm:{farm.external_id}")


def action_get(*, pk: str, team_id: int) -> ActionRun | None:
    """The action a page follows (`?action=<pk>`), if it is one of the team's."""
    action_id = digits(pk)
    return ActionRun.objects.filter(pk=action_id, team_id=team_id).select_related("actor").first() \
        if action_id is not None else None


def connection_environments(*, connection: models.ScalrConnection) -> tuple[QuerySet, dict[int, int]]:
    """The connection's environments with their farm counts, and environment pk -> its servers."""
    environments = connection.environments.annotate(
        farm_count=Count("farms", distinct=True),
        running_count=Count("farms", filter=Q(farms__status=models.FarmStatus.RUNNING), distinct=True))
    servers = dict(connection.servers.values_list("farm__environment_id").annotate(n=Count("pk")))
    return environments, servers


def callback_connection(*, pk: int, token: str) -> models.ScalrConnection | None:
    """The connection whose callback token this is, or None (unknown id, wrong token, unreadable)."""
    connection = models.ScalrConnection.objects.filter(pk=pk).select_related("team").first()
    if connection is None or not token:
        return None
    try:
        stored = connection.secrets.get(CALLBACK_SECRET)
    except SecretUnreadable:
        return None
    if not stored or not hmac.compare_digest(stored.encode(), token.encode()):
        return None
    return connection
