"""Team memberships from identity-provider groups, set again at every sign-in (OIDC and LDAP).

The provisioning file's `sso_groups` entries (stored as SsoGroupMapping rows) say which
group gives which role in which team. A sign-in adds, changes and removes the person's
memberships whose source is "sso"; memberships made by hand (source "manual") are never
touched. A team has one membership per person, so when a hand-made one exists for a team
the groups also name, the hand-made one stands (its role included) until someone removes
it in the console; the next sign-in then adds the group's membership.
"""

from __future__ import annotations

from django.db import transaction

from console.audit.services import audit_record
from console.teams.models import Membership, Role, Source, SsoGroupMapping, Team

ACTOR = "sso"


def _wanted_roles(groups: list[str]) -> dict[int, tuple[Team, str, list[str]]]:
    """team id -> (team, highest role any of the groups gives, the groups that name it)."""
    wanted: dict[int, tuple[Team, str, list[str]]] = {}
    for mapping in SsoGroupMapping.objects.filter(group__in=set(groups)).select_related("team"):
        team, role, via = wanted.get(mapping.team_id, (mapping.team, mapping.role, []))
        if Role.rank(mapping.role) > Role.rank(role):
            role = mapping.role
        wanted[mapping.team_id] = (team, role, sorted({*via, mapping.group}))
    return wanted


def sso_memberships_sync(*, user, groups: list[str]) -> None:
    """Make the user's SSO memberships those their groups give; idempotent.

    When two groups name one team the highest role wins. Each change is audited with
    the actor "sso". Unlike a change made in the console, a sign-in may remove a team's
    last admin: the directory is the authority for the memberships it gives.
    """
    with transaction.atomic():
        wanted = _wanted_roles(groups)
        held = {m.team_id: m for m in Membership.objects.select_for_update().filter(user=user).select_related("team")}
        for team_id, (team, role, via) in wanted.items():
            membership = held.get(team_id)
            if membership is None:
                membership = Membership.objects.create(team=team, user=user, role=role, source=Source.SSO)
                audit_record(actor=ACTOR, verb="member.add", target=membership, team=team,
                             detail={"role": role, "groups": via})
            elif membership.source == Source.SSO and membership.role != role:
                old, membership.role = membership.role, role
                membership.save(update_fields=["role"])
                audit_record(actor=ACTOR, verb="member.role", target=membership, team=team,
                             detail={"from": old, "to": role, "groups": via})
        for team_id, membership in held.items():
            if membership.source == Source.SSO and team_id not in wanted:
                audit_record(actor=ACTOR, verb="member.remove", target=membership, team=membership.team,
                             detail={"groups": "none that names this team"})
                membership.delete()
