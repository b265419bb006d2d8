"""What the audit log shows a user: the entries of the teams they administer."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from console.audit.models import AuditEvent
from console.teams.models import Role, Team
from console.teams.selectors import teams_for_user


def audit_teams(*, user) -> QuerySet[Team]:
    """The teams whose audit log `user` may read; 403 for who administers none (superusers read all)."""
    teams = teams_for_user(user=user, min_role=Role.ADMIN)
    if not user.is_superuser and not teams.exists():
        raise PermissionDenied("The audit log is for team admins.")
    return teams


def audit_events(*, user, teams: QuerySet[Team], filters: dict | None = None) -> QuerySet[AuditEvent]:
    """Entries of `teams` (superusers: every entry), narrowed by the filter form's cleaned data."""
    events = AuditEvent.objects.all() if user.is_superuser else AuditEvent.objects.filter(team__in=teams)
    filters = filters or {}
    lookups = {"team": "team", "actor": "actor_label__icontains", "verb": "verb__startswith",
               "outcome": "outcome", "since": "created_at__date__gte", "until": "created_at__date__lte"}
    for name, lookup in lookups.items():
        if filters.get(name):
            events = events.filter(**{lookup: filters[name]})
    return events.select_related("team")
