"""Farms and servers: lists across every Scalr connection of the user's teams, and their pages."""

from __future__ import annotations

from django.core.cache import cache
from django.core.paginator import Paginator
from django.shortcuts import render

from console.teams.models import Role
from console.teams.selectors import has_role
from vendors.core import errors
from console.htmx import page_or_partial, wants_fragment
from vendors.core.models import ActionRun, Health
from console.pagination import paginate
from vendors.scalr import forms, models, reads, selectors
from vendors.scalr.tasks import refresh_farm

TIMELINE_PAGE_SIZE = 15
#: a page open on a moving farm refreshes it from Scalr at most this often
VIEW_REFRESH_SECONDS = 5
SERVER_STATUS_GROUPS = {"starting": ("pending_launch", "pending", "initializing", "resuming", "importing", "temporary"),
                        "stopping": ("pending_terminate", "pending_suspend")}


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
    pk = request.GET.get("action", "")
    return ActionRun.objects.filter(pk=int(pk), team_id=team_id).select_related("actor").first() \
        if pk.isdigit() else None


# -- farms -----------------------------------------------------------------------------------
def farm_list(request):
    filters = selectors.FarmFilters.from_query(request.GET)
    farms = selectors.farms_for_user(user=request.user, filters=filters).only(*selectors.FARM_ROW)
    page = paginate(request, farms)
    connections = selectors.connection_choices(user=request.user)
    context = {
        "page": page, "filters": filters, "statuses": models.FarmStatus.choices,
        "environments": selectors.environment_choices(user=request.user),
        "connection_options": [(c.pk, c.name) for c in connections],
        "stale": stale_connections(connections),
        "teams": sorted({c.team for c in connections}, key=lambda t: t.name),
        "query": query_without(request, "page"),
        "sort_links": sort_links(request, filters.sort, ["name", "status", "environment", "servers", "connection"]),
        "filtered": any([filters.status, filters.environment, filters.connection, filters.team, filters.q]),
    }
    return render(request, page_or_partial(request, "scalr/farm_list.html", "farm-rows"), context)


def scalr_farm_viewed(farm: models.Farm) -> None:
    """Someone watches a farm that is changing: refresh it from Scalr, at most every few seconds."""
    moving = farm.transitional or farm.servers.filter(status__in=models.TRANSITIONAL_SERVER).exists()
    if moving and farm.connection.enabled and cache.add(f"scalr:viewed:{farm.pk}", 1, VIEW_REFRESH_SECONDS):
        refresh_farm.delay(farm.pk)


def _timeline(request, queryset, param: str):
    return Paginator(queryset, TIMELINE_PAGE_SIZE).get_page(request.GET.get(param))


def farm_context(request, farm: models.Farm, **extra) -> dict:
    env = farm.environment
    roles = list(farm.farm_roles.prefetch_related("servers"))
    servers = [s for role in roles for s in role.servers.all()]
    orphans = list(farm.servers.filter(farm_role__isnull=True))
    api = farm.connection.api
    context = {
        "farm": farm, "env": env, "connection": farm.connection, "roles": roles, "orphans": orphans,
        "stale": stale_connections([farm.connection]), "missing": selectors.missing_for_farm(farm),
        "active_servers": [s for s in servers + orphans if s.status != models.ServerStatus.TERMINATED],
        "events": _timeline(request, farm.events.all(), "events"),
        "logs": _timeline(request, farm.log_entries.all(), "logs"),
        "zones": list(farm.dns_zones.all()), "vhosts": list(farm.vhosts.all()),
        "unavailable": env.unavailable, "api": api, "action": action_for(request, farm.connection.team_id),
        "terminate_form": forms.TerminateFarmForm(api=api), "clone_form": forms.CloneFarmForm(api=api),
        "lock_form": forms.LockFarmForm(), "launch_server_form": forms.LaunchServerForm(),
        "scripts": env.scripts.all()[:100],
        "events_query": query_without(request, "events", "section", "action"),
        "logs_query": query_without(request, "logs", "section", "action"),
        **roles_for(request.user, farm.connection.team_id),
    }
    context.update(extra)
    return context


def detail_template(request, template: str, prefix: str) -> tuple[str, bool]:
    """A farm or server page, or the part an htmx refresh asks for (`?section=<prefix>-live`, `-events`
    or `-logs`; anything else: the live part); and whether the live part was asked for by name."""
    if not wants_fragment(request):
        return template, False
    section = request.GET.get("section", f"{prefix}-live")
    known = (f"{prefix}-live", f"{prefix}-events", f"{prefix}-logs")
    return f"{template}#{section if section in known else known[0]}", section == known[0]


def farm_detail(request, pk: int):
    farm = selectors.farm_get(user=request.user, pk=pk)
    template, live = detail_template(request, "scalr/farm_detail.html", "farm")
    if live:
        scalr_farm_viewed(farm)
    return render(request, template, farm_context(request, farm))


def _stats_context(request, environment: models.Environment, object_type: str, object_id, farm=None) -> dict:
    period = request.GET.get("period", "daily")
    period = period if period in reads.PERIODS else "daily"
    context = {"period": period, "periods": reads.PERIODS, "graphs": [], "usage": None,
               "graphs_error": "", "usage_error": ""}
    reason = environment.unavailable.get("stats")
    if reason:
        context["graphs_error"] = context["usage_error"] = reason
        return context
    try:
        context["graphs"] = reads.graph_urls(environment=environment, object_type=object_type, object_id=object_id,
                                             period=period)
    except errors.VendorError as exc:
        context["graphs_error"] = str(exc)
    if farm is not None:
        try:
            context["usage"] = reads.farm_stats(farm=farm)
        except errors.VendorError as exc:
            context["usage_error"] = str(exc)
    return context


def farm_stats(request, pk: int):
    farm = selectors.farm_get(user=request.user, pk=pk)
    context = {"farm": farm, "stats_url": request.path,
               **_stats_context(request, farm.environment, "farm", farm.external_id, farm=farm)}
    return render(request, "scalr/_stats.html", context)


# -- servers ---------------------------------------------------------------------------------
def server_list(request):
    status = request.GET.get("status", "")
    environment = request.GET.get("environment", "")
    q = request.GET.get("q", "").strip()[:200]
    sort = request.GET.get("sort", "farm")
    servers = selectors.servers_for_user(user=request.user, environment=int(environment) if environment.isdigit()
                                         else None, q=q, sort=sort,
                                         status=status if status in models.ServerStatus.values else "")
    if status in SERVER_STATUS_GROUPS:
        servers = servers.filter(status__in=SERVER_STATUS_GROUPS[status])
    # a row shows the farm, its role and environment (named with its connection), nothing else joined
    servers = servers.select_related(None).select_related("farm", "farm_role", "farm__environment__connection") \
        .defer(*selectors.SERVER_LIST_DEFERRED)
    context = {
        "page": paginate(request, servers), "status": status, "q": q,
        "environment": environment, "statuses": models.ServerStatus.choices,
        "environments": selectors.environment_choices(user=request.user),
        "query": query_without(request, "page"),
        "sort_links": sort_links(request, sort, ["farm", "status", "launched"]),
        "filtered": bool(status or environment or q),
    }
    return render(request, page_or_partial(request, "scalr/server_list.html", "server-rows"), context)


def server_context(request, server: models.Server, **extra) -> dict:
    farm = server.farm
    api = server.connection.api
    context = {
        "server": server, "farm": farm, "env": farm.environment, "connection": server.connection, "api": api,
        "stale": stale_connections([server.connection]), "missing": selectors.missing_for_farm(farm),
        "unavailable": farm.environment.unavailable,
        "logs": _timeline(request, farm.log_entries.filter(server_external_id=server.external_id), "logs"),
        "events": _timeline(request, farm.events.filter(message__contains=server.external_id), "events"),
        "bundle_tasks": server.bundle_tasks.all()[:10], "scripts": farm.environment.scripts.all()[:100], "action": action_for(request, server.connection.team_id),
        "reboot_form": forms.RebootServerForm(), "terminate_form": forms.TerminateServerForm(api=api),
        "image_form": forms.CreateImageForm(), **roles_for(request.user, server.connection.team_id),
        "events_query": query_without(request, "events", "section", "action"),
        "logs_query": query_without(request, "logs", "section", "action"),
    }
    context.update(extra)
    return context


def server_detail(request, pk: int):
    server = selectors.server_get(user=request.user, pk=pk)
    template, live = detail_template(request, "scalr/server_detail.html", "server")
    if live:
        scalr_farm_viewed(server.farm)
    return render(request, template, server_context(request, server))


def server_stats(request, pk: int):
    server = selectors.server_get(user=request.user, pk=pk)
    context = {"stats_url": request.path,
               **_stats_context(request, server.farm.environment, "server", server.external_id)}
    return render(request, "scalr/_stats.html", context)
