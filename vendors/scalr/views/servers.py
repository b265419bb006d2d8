"""Servers: the list across every Scalr connection of the user's teams, a server's page, its
statistics, and the images (bundle tasks) made from servers."""

from __future__ import annotations

from django.shortcuts import render

from console.htmx import page_or_partial
from console.pagination import paginate
from vendors.scalr import forms, models, selectors, services
from vendors.scalr.views.common import (action_for, detail_template, query_without, roles_for, sort_links,
                                        stale_connections, timeline)
from vendors.scalr.views.farms import stats_context


def server_list(request):
    found = selectors.server_list(user=request.user, params=request.GET)
    filters = found.values
    context = {
        "page": paginate(request, found.qs), "status": filters["status"], "q": filters["q"],
        "environment": filters["environment"], "statuses": models.ServerStatus.choices,
        "environments": selectors.environment_choices(user=request.user),
        "query": query_without(request, "page"),
        "sort_links": sort_links(request, filters["sort"], ["farm", "status", "launched"]),
        "filtered": found.filtered,
    }
    return render(request, page_or_partial(request, "scalr/server_list.html", "server-rows"), context)


def server_context(request, server: models.Server, **extra) -> dict:
    farm = server.farm
    shown = selectors.server_page(server=server)
    api = server.connection.api
    context = {
        "server": server, "farm": farm, "env": farm.environment, "connection": server.connection, "api": api,
        "stale": stale_connections([server.connection]), "missing": selectors.missing_for_farm(farm),
        "unavailable": farm.environment.unavailable,
        "logs": timeline(request, shown["logs"], "logs"),
        "events": timeline(request, shown["events"], "events"),
        "bundle_tasks": shown["bundle_tasks"], "scripts": shown["scripts"],
        "action": action_for(request, server.connection.team_id),
        "reboot_form": forms.RebootServerForm(), "terminate_form": forms.TerminateServerForm(api=api),
        "image_form": forms.CreateImageForm(), **roles_for(request.user, server.connection.team_id),
        "events_query": query_without(request, "events", "section", "action"),
        "logs_query": query_without(request, "logs", "section", "action"),
    }
    context.update(extra)
    return context


def server_detail(request, pk: int):
    server = selectors.server_get(user=request.user, pk=pk)
    template, live_part = detail_template(request, "scalr/server_detail.html", "server")
    if live_part:
        services.scalr_farm_viewed(farm=server.farm)
    return render(request, template, server_context(request, server))


def server_stats(request, pk: int):
    server = selectors.server_get(user=request.user, pk=pk)
    context = {"stats_url": request.path,
               **stats_context(request, server.farm.environment, "server", server.external_id)}
    return render(request, "scalr/_stats.html", context)


def bundle_tasks(request):
    context = {"page": paginate(request, selectors.bundle_task_list(user=request.user)),
               "query": query_without(request, "page")}
    return render(request, "scalr/bundle_tasks.html", context)
