"""Farms: the list across every Scalr connection of the user's teams, a farm's page and its statistics."""

from __future__ import annotations

from django.shortcuts import render

from console.htmx import page_or_partial
from console.pagination import paginate
from vendors.core import errors
from vendors.scalr import forms, models, selectors, services
from vendors.scalr.selectors import live
from vendors.scalr.views.common import (action_for, detail_template, query_without, roles_for, sort_links,
                                        stale_connections, timeline)


def farm_list(request):
    found = selectors.farm_list(user=request.user, params=request.GET)
    filters = found.values
    page = paginate(request, found.qs)
    connections = selectors.connection_choices(user=request.user)
    context = {
        "page": page, "filters": filters, "statuses": models.FarmStatus.choices,
        "environments": selectors.environment_choices(user=request.user),
        "connection_options": [(c.pk, c.name) for c in connections],
        "stale": stale_connections(connections),
        "teams": sorted({c.team for c in connections}, key=lambda t: t.name),
        "query": query_without(request, "page"),
        "sort_links": sort_links(request, filters["sort"], ["name", "status", "environment", "servers", "connection"]),
        "filtered": found.filtered,
    }
    return render(request, page_or_partial(request, "scalr/farm_list.html", "farm-rows"), context)


def farm_context(request, farm: models.Farm, **extra) -> dict:
    env = farm.environment
    shown = selectors.farm_page(farm=farm)
    api = farm.connection.api
    context = {
        "farm": farm, "env": env, "connection": farm.connection, "roles": shown["roles"], "orphans": shown["orphans"],
        "stale": stale_connections([farm.connection]), "missing": selectors.missing_for_farm(farm),
        "active_servers": shown["active_servers"],
        "events": timeline(request, shown["events"], "events"),
        "logs": timeline(request, shown["logs"], "logs"),
        "zones": shown["zones"], "vhosts": shown["vhosts"],
        "unavailable": env.unavailable, "api": api, "action": action_for(request, farm.connection.team_id),
        "terminate_form": forms.TerminateFarmForm(api=api), "clone_form": forms.CloneFarmForm(api=api),
        "lock_form": forms.LockFarmForm(), "launch_server_form": forms.LaunchServerForm(),
        "scripts": shown["scripts"],
        "events_query": query_without(request, "events", "section", "action"),
        "logs_query": query_without(request, "logs", "section", "action"),
        **roles_for(request.user, farm.connection.team_id),
    }
    context.update(extra)
    return context


def farm_detail(request, pk: int):
    farm = selectors.farm_get(user=request.user, pk=pk)
    template, live_part = detail_template(request, "scalr/farm_detail.html", "farm")
    if live_part:
        services.scalr_farm_viewed(farm=farm)
    return render(request, template, farm_context(request, farm))


def stats_context(request, environment: models.Environment, object_type: str, object_id, farm=None) -> dict:
    """Monitoring graphs of a farm or server over `?period=`, and a farm's usage, read from Scalr."""
    period = request.GET.get("period", "daily")
    period = period if period in live.PERIODS else "daily"
    context = {"period": period, "periods": live.PERIODS, "graphs": [], "usage": None,
               "graphs_error": "", "usage_error": ""}
    reason = environment.unavailable.get("stats")
    if reason:
        context["graphs_error"] = context["usage_error"] = reason
        return context
    try:
        context["graphs"] = live.graph_urls(environment=environment, object_type=object_type, object_id=object_id,
                                            period=period)
    except errors.VendorError as exc:
        context["graphs_error"] = str(exc)
    if farm is not None:
        try:
            context["usage"] = live.farm_stats(farm=farm)
        except errors.VendorError as exc:
            context["usage_error"] = str(exc)
    return context


def farm_stats(request, pk: int):
    farm = selectors.farm_get(user=request.user, pk=pk)
    context = {"farm": farm, "stats_url": request.path,
               **stats_context(request, farm.environment, "farm", farm.external_id, farm=farm)}
    return render(request, "scalr/_stats.html", context)
