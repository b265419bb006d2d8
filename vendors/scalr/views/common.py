"""What the Scalr pages share: query strings, sort links, roles, the followed action, stale data."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect

from console.htmx import wants_fragment
from console.teams.models import Role
from console.teams.selectors import has_role
from vendors.core.models import ActionRun, Health
from vendors.scalr import selectors

TIMELINE_PAGE_SIZE = 15


def query_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def sort_links(request, current: str, columns: list[str]) -> dict[str, str]:
    base = query_without(request, "sort", "page")
    links = {}
    for column in columns:
        wanted = f"-{column}" if current == column else column
        links[column] = f"?{base}{'&' if base else ''}sort={wanted}"
    return links


def stale_connections(connections) -> list:
    """Connections whose data the pages show is not current (a poll failed, or none for a while). A
    connection Degraded only by parts it could not read is not: the pages of those parts say so."""
    return [c for c in connections if c.health == Health.FAILING
            or (c.health == Health.DEGRADED and (c.consecutive_failures or c.is_stale))]


def roles_for(user, team_id: int) -> dict[str, bool]:
    return {"can_operate": has_role(user=user, team=team_id, role=Role.OPERATOR),
            "is_admin": has_role(user=user, team=team_id, role=Role.ADMIN)}


def action_for(request, team_id: int) -> ActionRun | None:
    return selectors.action_get(pk=request.GET.get("action", ""), team_id=team_id)


def timeline(request, rows, param: str):
    """One page of a farm's or server's events or log lines (`?<param>=<page>`)."""
    return Paginator(rows, TIMELINE_PAGE_SIZE).get_page(request.GET.get(param))


def detail_template(request, template: str, prefix: str) -> tuple[str, bool]:
    """A farm or server page, or the part an htmx refresh asks for (`?section=<prefix>-live`, `-events`
    or `-logs`; anything else: the live part); and whether the live part was asked for by name."""
    if not wants_fragment(request):
        return template, False
    section = request.GET.get("section", f"{prefix}-live")
    known = (f"{prefix}-live", f"{prefix}-events", f"{prefix}-logs")
    return f"{template}#{section if section in known else known[0]}", section == known[0]


def unavailable_notes(environments, feature: str) -> list[tuple[str, str]]:
    """(connection name, reason) where `feature` cannot be shown: once per connection, however many of its
    environments say so (it is the installation or the API generation that lacks it)."""
    notes = {}
    for env in environments:
        if feature in env.unavailable:
            notes.setdefault((env.connection.name, env.unavailable[feature]), None)
    return list(notes)


def followed(action):
    """Back to the page the action is about, which follows it next to the buttons that started it."""
    return redirect(f"{action.target_url}{'&' if '?' in action.target_url else '?'}action={action.pk}#actions")
