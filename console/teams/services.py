from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from console.audit.services import audit_record
from console.teams.models import Membership, Role, Team


def _ensure_an_admin_remains(*, team: Team, leaving: Membership) -> None:
    if leaving.role == Role.ADMIN and not team.memberships.filter(role=Role.ADMIN).exclude(pk=leaving.pk).exists():
        raise ValidationError("A team needs at least one admin: make someone else admin first.")


def membership_add(*, team: Team, user, role: str, actor) -> Membership:
    with transaction.atomic():
        membership = Membership.objects.create(team=team, user=user, role=role)
        audit_record(actor=actor, verb="member.add", target=membership, team=team, detail={"role": role})
    return membership


def membership_set_role(*, membership: Membership, role: str, actor) -> None:
    if role == membership.role:
        return
    with transaction.atomic():
        if role != Role.ADMIN:
            _ensure_an_admin_remains(team=membership.team, leaving=membership)
        old = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit_record(actor=actor, verb="member.role", target=membership, team=membership.team,
                     detail={"from": old, "to": role})


def membership_remove(*, membership: Membership, actor) -> None:
    with transaction.atomic():
        _ensure_an_admin_remains(team=membership.team, leaving=membership)
        audit_record(actor=actor, verb="member.remove", target=membership, team=membership.team)
        membership.delete()


def team_create(*, name: str, slug: str, actor, admin=None) -> Team:
    with transaction.atomic():
        team = Team.objects.create(name=name, slug=slug)
        audit_record(actor=actor, verb="team.create", target=team, team=team)
        if admin is not None:
            membership_add(team=team, user=admin, role=Role.ADMIN, actor=actor)
    return team
