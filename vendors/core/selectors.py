"""Reads of connections, always scoped to the user's teams."""

from __future__ import annotations

from django.db.models import F, QuerySet, Value
from django.http import Http404

from console.teams.models import Role, Team
from console.teams.selectors import teams_for_user
from vendors.core import registry
from vendors.core.models import HEALTH_FIELDS, ActionRun, Connection


def connections_for_user(*, user, spec: registry.VendorSpec, min_role: str = Role.VIEWER) -> QuerySet:
    return spec.connection_model.objects.filter(team__in=teams_for_user(user=user, min_role=min_role)) \
        .select_related("team")


def connection_ids(*, model, teams) -> list[int]:
    """The ids of the teams' connections of one vendor as a plain list: database planners use
    the indexes of the big tables (apps, servers, events) better with `IN (1, 2, 3)` than with
    a join to teams."""
    return list(model.objects.filter(team__in=teams).values_list("pk", flat=True))


class ConnectionRows:
    """Every connection the user can see, across vendors, by vendor then name, with only what the
    connection list shows (health, lease, team name), for a `Paginator`: `count()` and each page are
    one UNION ALL statement over the vendors' tables, so a page reads its 25 rows however many
    connections there are, and in as many statements whichever vendors it holds."""

    COLUMNS = ("id", "name", "team_id", "enabled", "poll_seconds", "last_attempt_at", "last_success_at",
               "consecutive_failures", "last_error", "part_failures", "parts_total", "deferred_reason",
               "lease_owner", "lease_until")

    def __init__(self, *, user, vendor: str = "", team: str = ""):
        """`vendor` (a registry name) and `team` (a slug) narrow the rows (the API's filters)."""
        self.specs = [spec for spec in registry.vendors() if not vendor or spec.name == vendor]
        parts = [connections_for_user(user=user, spec=spec).select_related(None).order_by()
                 .filter(**({"team__slug": team} if team else {}))
                 .annotate(vendor_order=Value(index), team_name=F("team__name"))
                 .values_list(*self.COLUMNS, "vendor_order", "team_name")
                 for index, spec in enumerate(self.specs)]
        self.rows = parts[0].union(*parts[1:], all=True).order_by("vendor_order", "name")

    def count(self) -> int:
        return self.rows.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Connection]:
        built = []
        for *values, vendor_order, team_name in self.rows[index]:
            model = self.specs[vendor_order].connection_model
            named = dict(zip(self.COLUMNS, values))  # from_db takes the values in the model's field order
            attnames = [f.attname for f in model._meta.concrete_fields if f.attname in named]
            row = model.from_db(self.rows.db, attnames, [named[name] for name in attnames])
            row.team = Team.from_db(self.rows.db, ("id", "name"), (row.team_id, team_name))
            built.append(row)
        return built


def connection_health_for_user(*, user) -> list[Connection]:
    """Every connection the user can see with only what its health is read from (no settings,
    secrets or notes): for the overview, which counts them by health, however many there are."""
    rows: list[Connection] = []
    for spec in registry.vendors():
        rows.extend(connections_for_user(user=user, spec=spec).select_related(None).only(*HEALTH_FIELDS)
                    .order_by("name"))
    return rows


def connections_named_for_user(*, user, text: str, limit: int) -> list[Connection]:
    """Up to `limit` connections the user can see whose name contains `text`, by vendor then name,
    with their team and health fields."""
    rows: list[Connection] = []
    for spec in registry.vendors():
        rows.extend(connections_for_user(user=user, spec=spec).filter(name__icontains=text)
                    .only(*HEALTH_FIELDS, "team__name").order_by("name")[:limit - len(rows)])
        if len(rows) >= limit:
            break
    return rows


def connection_names_for_user(*, user) -> list[str]:
    """The names of every connection the user can see, sorted (for filters)."""
    names: set[str] = set()
    for spec in registry.vendors():
        names.update(connections_for_user(user=user, spec=spec).values_list("name", flat=True))
    return sorted(names)


def connection_get(*, user, vendor: str, pk: int) -> Connection:
    """One connection of the user's teams; 404 for anything else, so existence never leaks."""
    spec = registry.find(vendor)
    if spec is None:
        raise Http404("No such vendor.")
    connection = connections_for_user(user=user, spec=spec).filter(pk=pk).first()
    if connection is None:
        raise Http404("No such connection.")
    return connection


def action_get(*, user, pk: int) -> ActionRun:
    """One action of the user's teams, or 404."""
    action = ActionRun.objects.filter(pk=pk, team__in=teams_for_user(user=user)).first()
    if action is None:
        raise Http404("No such action.")
    return action
