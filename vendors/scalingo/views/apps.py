"""The apps list, the app page with its tabs, and the scale and restart actions."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone as dt_timezone

from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from console.htmx import page_or_partial
from console.pagination import paginate
from console.params import whole_number
from console.teams.models import Role
from console.teams.selectors import require_role
from vendors.scalingo import changes, models, selectors, services
from vendors.scalingo.forms import REGIONS, RestartForm, ScaleForm
from vendors.scalingo.views.common import TABS, action_started, app_context

SORTS = [("name", "Name A→Z"), ("-name", "Name Z→A"), ("status", "Status"), ("-deployed", "Last deployed, newest"),
         ("deployed", "Last deployed, oldest"), ("connection", "Connection")]


def app_list(request):
    page = paginate(request, selectors.apps_filtered(user=request.user, params=request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page, "query": query.urlencode(), "params": request.GET,
        "statuses": models.AppStatus.choices,
        "regions": [value for value, _ in REGIONS if value],
        **selectors.app_list_choices(user=request.user),
        "sorts": SORTS,
    }
    return render(request, page_or_partial(request, "scalingo/app_list.html", "app-table"), context)


def app_detail(request, pk: int):
    app = selectors.app_get(user=request.user, pk=pk)
    tab = request.GET.get("tab", "overview")
    if tab not in TABS:
        tab = "overview"
    services.scalingo_app_viewed(app=app)
    context = app_context(request, app, tab)
    if tab == "events":
        context["query"] = "tab=events"
    if tab == "containers" and context["can_operate"]:
        context["scale_form"] = ScaleForm(formation=context["formation"])
        context["restart_form"] = RestartForm(types=[line.name for line in context["formation"]])
    name = "tab-content" if request.GET.get("partial") != "live" else "app-live"
    return render(request, page_or_partial(request, "scalingo/app_detail.html", name), context)


# -- scale and restart: validate, confirm (the dialog states the change), queue ----------------
@require_POST
def app_scale(request, pk: int):
    app = selectors.app_get(user=request.user, pk=pk)
    require_role(user=request.user, team=app.connection.team, role=Role.OPERATOR)
    form = ScaleForm(request.POST, formation=selectors.app_formation(app=app))
    context = {"app": app, "scale_form": form}
    if not form.is_valid():
        return render(request, "scalingo/actions.html#scale-form", context, status=422)
    changes = form.changes()
    if request.POST.get("confirmed") != "1":
        context.update(changes=changes, sentence=services.formation_sentence(changes))
        return render(request, "scalingo/actions.html#scale-confirm", context)
    action = services.scalingo_app_scale(app=app, changes=changes, actor=request.user)
    return action_started(request, app, action, "containers")


@require_POST
def app_restart(request, pk: int):
    app = selectors.app_get(user=request.user, pk=pk)
    require_role(user=request.user, team=app.connection.team, role=Role.OPERATOR)
    form = RestartForm(request.POST, types=selectors.container_type_names(app=app))
    if not form.is_valid():
        return render(request, "scalingo/actions.html#restart-form", {"app": app, "restart_form": form}, status=422)
    scope = form.cleaned_data["scope"]
    if request.POST.get("confirmed") != "1":
        return render(request, "scalingo/actions.html#restart-confirm",
                      {"app": app, "scope": scope, "restart_form": form})
    action = services.scalingo_app_restart(app=app, scope=scope, actor=request.user)
    return action_started(request, app, action, "containers")


def app_series(request, pk: int):
    """The stats charts' points over the last `hours`, or over the window `start`-`end` (epoch seconds, an
    incident's: Scalingo keeps 24 hours), and the app's changes in that time for their markers."""
    app = selectors.app_get(user=request.user, pk=pk)
    now = timezone.now()
    window, problem = _window(request.GET, now)
    if window:
        hours = min(max(math.ceil((now - window[0]).total_seconds() / 3600), 1), 24)
    else:
        hours, problem = whole_number(request.GET, "hours", default=3, low=1, high=24, label="Hours")
    if problem:
        return JsonResponse({"series": {}, "error": problem, "hours": hours}, status=400)
    series, error = selectors.app_series(app=app, hours=hours)
    start, end = window or (now - timedelta(hours=hours), now)
    return JsonResponse({"series": series, "error": error, "hours": hours,
                         "window": [start.timestamp(), end.timestamp()] if window else None,
                         **changes.app_chart_changes(app=app, start=start, end=end)})


def _window(params, now):
    """`start` and `end` (epoch seconds) as datetimes, or None; and what is wrong with them."""
    if "start" not in params and "end" not in params:
        return None, ""
    try:
        start, end = (datetime.fromtimestamp(float(params[name]), tz=dt_timezone.utc) for name in ("start", "end"))
    except (KeyError, ValueError, OverflowError, OSError):
        return None, "Start and end: moments in epoch seconds."
    if not (now - timedelta(days=30) <= start < end <= now + timedelta(days=1)):
        return None, "Start and end: a window within the last 30 days, start before end."
    return (start, end), ""
