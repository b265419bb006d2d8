"""The incident page: what changed just before it broke, for a window around a moment and some objects.

`/incidents/?at=<moment>&around=<object keys>&before=<minutes>&after=<minutes>` (see vendors/core/incidents.py).
A URL without its moment is sent to the one with it (now, to the second), so the address in the bar is
the one to share: a teammate opening it later sees the same window. Objects another team's members see
answer 404; the page shows only changes of the teams of its objects (all of the user's without any).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from dashboard.incidents import services
from vendors.core.changes import epoch
from vendors.core.incidents import MAX_AFTER, MAX_BEFORE, incident_from_params, parse_moment


def incident(request):
    found, problems = incident_from_params(user=request.user, params=request.GET)
    if parse_moment(request.GET.get("at")) is None or problems:
        for problem in problems:
            messages.warning(request, problem)
        return redirect(found.url())
    context = {
        "incident": found, "groups": services.timeline(found), "panels": services.panels(request, found),
        "incident_query": services.params(found), "window_timeline_url": services.timeline_url(found),
        "epoch_start": epoch(found.start), "epoch_end": epoch(found.end),
        "max_before": MAX_BEFORE, "max_after": MAX_AFTER,
        "share_url": request.build_absolute_uri(found.url()),
    }
    return render(request, "incidents/incident.html", context)


def suspects(request):
    found, _ = incident_from_params(user=request.user, params=request.GET)
    return render(request, "incidents/incident.html#suspects",
                  {"incident": found, "found": services.suspect_list(found)})
