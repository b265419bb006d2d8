"""Which teams a user may see or act on: every view's queryset starts here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from console.teams.models import Membership, Role, Team


def teams_for_user(*, user, min_role: str = Role.VIEWER) -> QuerySet[Team]:
    """Teams where `user` holds at least `min_role` (superusers: all teams)."""
    if not user.is_authenticated:
        return Team.objects.none()
    if user.is_superuser:
        return Team.objects.all()
    return Team.objects.filter(memberships__user=user, memberships__role__in=Role.at_least(min_role)).distinct()


def role_for(*, user, team: Team) -> str | None:
    if user.is_superuser:
        return Role.ADMIN
    membership = Membership.objects.filter(user=user, team=team).only("role").first()
    return membership.role if membership else None


def roles_by_team(*, user) -> dict[int, str]:
    """team id → role, in one query; used to show or hide actions in lists."""
    if user.is_superuser:
        return {pk: Role.ADMIN for pk in Team.objects.values_list("pk", flat=True)}
    return dict(Membership.objects.filter(user=user).values_list("team_id", "role"))


def has_role(*, user, team: Team | int, role: str) -> bool:
    team_id = team if isinstance(team, int) else team.pk
    held = roles_by_team(user=user).get(team_id) if not user.is_superuser else Role.ADMIN
    return held is not None and Role.rank(held) >= Role.rank(role)


def require_role(*, user, team: Team | int, role: str) -> None:
    """Raise 403 when a member of the team lacks the role (non-members never get this far: 404)."""
    if not has_role(user=user, team=team, role=role):
        raise PermissionDenied(f"This needs the {role} role in the team.")


def teams_with_roles(*, user) -> list[tuple[Team, str | None]]:
    """The user's teams with their member counts, each with the user's role in it (a superuser who is
    no member of a team administers it)."""
    teams = teams_for_user(user=user).annotate(member_count=Count("memberships"))
    roles = {m.team_id: m.role for m in Membership.objects.filter(user=user)}
    return [(team, roles.get(team.pk, Role.ADMIN if user.is_superuser else None)) for team in teams]


def team_get(*, user, slug: str) -> Team:
    """One of the user's teams, or 404 (another team's slug answers as if it did not exist)."""
    return get_object_or_404(teams_for_user(user=user), slug=slug)


def team_members(*, team: Team) -> QuerySet[Membership]:
    return team.memberships.select_related("user").order_by("user__username")


def membership_get(*, user, slug: str, pk: int) -> Membership:
    """A membership of a team the user administers: 404 outside their teams, 403 without the admin role."""
    team = team_get(user=user, slug=slug)
    require_role(user=user, team=team, role=Role.ADMIN)
    return get_object_or_404(Membership.objects.select_related("user", "team"), team=team, pk=pk)


def provisioned_team(*, name, label: str, error: type[Exception]) -> Team:
    """The team a provisioning file's entry names, or `error` saying which entry named none (teams are
    created from the file's `teams` list, before the entries that name them)."""
    team = Team.objects.filter(name="" if name is None else str(name)).first()
    if team is None:
        raise error(f"{label}: field 'team': no team named {name!r} (list it under 'teams' first).")
    return team
