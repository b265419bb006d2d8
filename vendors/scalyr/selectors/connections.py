"""Scalyr connections of the user's teams, and the query permission.

Querying logs is a right of its own, separate from seeing the console: operators and
admins have it; viewers only in teams whose admin granted it (`TeamQueryPolicy`).
Another team's objects answer 404; a member without the right gets 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from console.teams.models import Membership, Role
from console.teams.selectors import roles_by_team, teams_for_user
from vendors.scalyr.models import ScalyrConnection, TeamQueryPolicy

QUERY_DENIED = ("Querying logs needs the operator role in this team, or a grant to viewers by a team admin "
                "(on the Logs page).")


def connections_for_user(*, user) -> QuerySet[ScalyrConnection]:
    return ScalyrConnection.objects.filter(team__in=teams_for_user(user=user)).select_related("team")


def connections_by_name(*, user) -> list[ScalyrConnection]:
    return list(connections_for_user(user=user).order_by("name"))


def enabled_connections(*, teams, user=None) -> QuerySet[ScalyrConnection]:
    """The enabled connections of `teams` (a queryset of teams, a team or its id) by name; with
    `user`, only those of teams where the user may query logs (what a deep link may point to)."""
    connections = ScalyrConnection.objects.filter(enabled=True).order_by("name")
    if isinstance(teams, QuerySet):
        connections = connections.filter(team__in=teams)
    else:
        connections = connections.filter(team_id=teams if isinstance(teams, int) else teams.pk)
    if user is not None:
        connections = connections.filter(team_id__in=queryable_team_ids(user=user))
    return connections


def connection_get(*, user, pk: int) -> ScalyrConnection:
    """One connection of the user's teams; 404 for anything else, so existence never leaks.

    Two plain queries (the row, then the user's role in its team, kept as `user_role`): this runs
    before every explorer request, whose budget is a few milliseconds (bench/scalyr_query.py),
    and is cheaper than one query with a teams subquery.
    """
    connection = next(iter(ScalyrConnection.objects.filter(pk=pk).order_by()[:1]), None)
    if connection is None:
        raise Http404("No such Scalyr connection.")
    connection.user_role = Role.ADMIN if user.is_superuser else next(iter(
        Membership.objects.filter(team_id=connection.team_id, user_id=user.pk).values_list("role", flat=True)
        .order_by()[:1]), None)
    if connection.user_role is None:
        raise Http404("No such Scalyr connection.")
    return connection


def role_in(*, user, team_id: int) -> str | None:
    """The user's role in the team (admin for superusers), looked up once per request."""
    if user.is_superuser:
        return Role.ADMIN
    roles = getattr(user, "_scalyr_roles", None)
    if roles is None:
        roles = user._scalyr_roles = roles_by_team(user=user)
    return roles.get(team_id)


def viewers_may_query(*, team_id: int) -> bool:
    return TeamQueryPolicy.objects.filter(team_id=team_id, viewers_may_query=True).exists()


def may_query(*, user, team_id: int, role: str | None = None) -> bool:
    role = role or role_in(user=user, team_id=team_id)
    if role is None:
        return False
    if Role.rank(role) >= Role.rank(Role.OPERATOR):
        return True
    return viewers_may_query(team_id=team_id)


def connection_for_query(*, user, pk: int) -> ScalyrConnection:
    """A connection the user may query: 404 outside their teams, 403 without the query right."""
    connection = connection_get(user=user, pk=pk)
    if not may_query(user=user, team_id=connection.team_id, role=connection.user_role):
        raise PermissionDenied(QUERY_DENIED)
    return connection


def queryable_team_ids(*, user) -> set[int]:
    roles = roles_by_team(user=user)
    granted = set(TeamQueryPolicy.objects.filter(team_id__in=roles, viewers_may_query=True)
                  .values_list("team_id", flat=True))
    return {team_id for team_id, role in roles.items()
            if Role.rank(role) >= Role.rank(Role.OPERATOR) or team_id in granted}


def query_policies(*, user) -> list[tuple]:
    """(team, whether its viewers may query logs) for each of the user's teams with a Scalyr connection."""
    teams = list(teams_for_user(user=user).filter(scalyr_connections__isnull=False).distinct())
    policies = dict(TeamQueryPolicy.objects.filter(team__in=teams).values_list("team_id", "viewers_may_query"))
    return [(team, policies.get(team.pk, False)) for team in teams]
