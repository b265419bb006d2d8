"""Scalingo pages: the apps list and the app page with its tabs and actions."""

from __future__ import annotations

import json
import threading
import time

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from console.teams.models import Role
from console.teams.selectors import has_role, require_role, teams_for_user
from vendors.core import registry
from vendors.core.errors import VendorError
from console.htmx import page_or_partial
from vendors.core.selectors import connections_for_user
from vendors.core.models import ActionRun
from console.pagination import paginate
from vendors.core.parts import part_failure
from vendors.scalingo import models, selectors, services
from vendors.scalingo.client import TailPause
from vendors.scalingo.polling import live_client_for
from vendors.scalingo.events import sentence
from vendors.scalingo.forms import REGIONS, BulkVariablesForm, RestartForm, ScaleForm, VariableForm

TABS = ["overview", "containers", "stats", "events", "deployments", "logs", "variables", "addons", "domains",
        "collaborators"]
TAIL_SECONDS = 300  # a live tail stops by itself, like the CLI's


def app_list(request):
    apps = selectors.apps_filtered(user=request.user, params=request.GET)
    page = paginate(request, apps)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page, "query": query.urlencode(), "params": request.GET,
        "statuses": models.AppStatus.choices,
        "regions": [value for value, _ in REGIONS if value],
        "connections": list(connections_for_user(user=request.user, spec=registry.get("scalingo"))
                            .order_by("name").values_list("name", flat=True)),
        "teams": teams_for_user(user=request.user),
        "sorts": [("name", "Name A→Z"), ("-name", "Name Z→A"), ("status", "Status"),
                  ("-deployed", "Last deployed, newest"), ("deployed", "Last deployed, oldest"),
                  ("connection", "Connection")],
    }
    return render(request, page_or_partial(request, "scalingo/app_list.html", "app-table"), context)


def _app_context(request, app: models.App, tab: str) -> dict:
    team = app.connection.team
    context = {
        "app": app, "tab": tab, "tabs": TABS, "team": team,
        "can_operate": has_role(user=request.user, team=team, role=Role.OPERATOR),
        "is_admin": has_role(user=request.user, team=team, role=Role.ADMIN),
        "formation": list(app.formation.all()),
        "last_deployment": app.deployments.first(),
        "connection": app.connection,
        "recent_actions": ActionRun.objects.filter(vendor="scalingo", connection_id=app.connection_id,
                                                   params__app=app.external_id)[:5],
        "details_failure": _details_failure(app),
    }
    if tab in ("overview", "containers"):
        context["containers"] = list(app.containers.all())
    if tab == "events":
        page = Paginator(app.events.all(), 30).get_page(request.GET.get("page"))
        context["events_page"] = page
        context["event_rows"] = [(event, sentence(event)) for event in page.object_list]
        context["query"] = f"tab=events"
    if tab == "deployments":
        context["deployments"] = list(app.deployments.all()[:30])
    if tab == "addons":
        context["addons"] = list(app.addons.all())
    if tab == "domains":
        context["domain_rows"] = list(app.domain_set.all())
    if tab == "collaborators":
        context["collaborators"] = list(app.collaborators.all())
    if tab == "containers" and context["can_operate"]:
        context["scale_form"] = ScaleForm(formation=context["formation"])
        context["restart_form"] = RestartForm(types=[line.name for line in context["formation"]])
    if tab == "logs":
        context["log_types"] = sorted({c.type for c in app.containers.all()} | {"router"})
    return context


def _details_failure(app: models.App) -> dict | None:
    """Why the last poll could not refresh this app's details (Scalingo's words, since when), or
    None; None too once the app was refreshed after that poll (a user opened it, an action ended)."""
    failure = part_failure(app.connection, f"app:{app.external_id}")
    polled_at = app.connection.last_attempt_at
    if failure and app.details_synced_at and polled_at and app.details_synced_at > polled_at:
        return None
    return failure


def app_detail(request, pk: int):
    app = selectors.app_get(user=request.user, pk=pk)
    tab = request.GET.get("tab", "overview")
    if tab not in TABS:
        tab = "overview"
    services.scalingo_app_viewed(app=app)
    context = _app_context(request, app, tab)
    if tab == "variables":
        context.update(_variables_context(app))
    name = "tab-content" if request.GET.get("partial") != "live" else "app-live"
    return render(request, page_or_partial(request, "scalingo/app_detail.html", name), context)


# -- scale and restart: validate, confirm (the dialog states the change), queue ----------------
@require_POST
def app_scale(request, pk: int):
    app = selectors.app_get(user=request.user, pk=pk)
    require_role(user=request.user, team=app.connection.team, role=Role.OPERATOR)
    form = ScaleForm(request.POST, formation=app.formation.all())
    context = {"app": app, "scale_form": form}
    if not form.is_valid():
        return render(request, "scalingo/actions.html#scale-form", context, status=422)
    changes = form.changes()
    if request.POST.get("confirmed") != "1":
        context.update(changes=changes, sentence=services.formation_sentence(changes))
        return render(request, "scalingo/actions.html#scale-confirm", context)
    action = services.scalingo_app_scale(app=app, changes=changes, actor=request.user)
    return _action_started(request, app, action, "containers")


@require_POST
def app_restart(request, pk: int):
    app = selectors.app_get(user=request.user, pk=pk)
    require_role(user=request.user, team=app.connection.team, role=Role.OPERATOR)
    form = RestartForm(request.POST, types=list(app.formation.values_list("name", flat=True)))
    if not form.is_valid():
        return render(request, "scalingo/actions.html#restart-form", {"app": app, "restart_form": form}, status=422)
    scope = form.cleaned_data["scope"]
    if request.POST.get("confirmed") != "1":
        return render(request, "scalingo/actions.html#restart-confirm",
                      {"app": app, "scope": scope, "restart_form": form})
    action = services.scalingo_app_restart(app=app, scope=scope, actor=request.user)
    return _action_started(request, app, action, "containers")


def _action_started(request, app, action, tab):
    if request.htmx:
        return render(request, "htmx/action_status.html", {"action": action})
    messages.success(request, f"{action.summary}: queued.")
    return redirect(f"{app_url(app)}?tab={tab}")


def app_url(app) -> str:
    from django.urls import reverse

    return reverse("scalingo:app-detail", args=[app.pk])


# -- live reads -----------------------------------------------------------------------------
def app_series(request, pk: int):
    app = selectors.app_get(user=request.user, pk=pk)
    hours = min(max(int(request.GET.get("hours", 3) or 3), 1), 24)
    series, error = {}, ""
    try:
        for line in app.formation.all():
            series[line.name] = {
                "cpu": services.scalingo_series(app=app, metric="cpu", container_type=line.name, hours=hours),
                "memory": services.scalingo_series(app=app, metric="memory", container_type=line.name, hours=hours),
            }
        if app.formation.filter(name="web").exists():
            series["router"] = {"requests": services.scalingo_series(app=app, metric="router", container_type="",
                                                                     hours=hours)}
    except VendorError as exc:
        error = services.read_error(exc, app.connection)
    return JsonResponse({"series": series, "error": error, "hours": hours})


def app_logs(request, pk: int):
    app = selectors.app_get(user=request.user, pk=pk)
    filter_ = request.GET.get("filter", "").strip()
    lines = min(max(int(request.GET.get("lines", 200) or 200), 10), 1000)
    try:
        log_lines, error = services.scalingo_logs(app=app, lines=lines, filter=filter_), ""
    except VendorError as exc:
        log_lines, error = [], services.read_error(exc, app.connection)
    return render(request, "scalingo/logs.html#log-lines",
                  {"app": app, "log_lines": log_lines, "error": error, "filter": filter_})


def app_logs_tail(request, pk: int):
    """Server-sent events relaying the app's log stream; stops after TAIL_SECONDS.

    `line` events carry a rendered line; `notice` events say why nothing comes for a while
    (Scalingo asked to slow down: the tail waits and goes on, losing and repeating nothing);
    `failed` and `stopped` end it."""
    app = selectors.app_get(user=request.user, pk=pk)
    filter_ = request.GET.get("filter", "").strip() or None
    stop = threading.Event()

    def stream():
        started = time.monotonic()
        try:
            with live_client_for(app.connection) as client:
                for item in client.tail_logs(app.external_id, n=0, filter=filter_, stop=stop, timeout=TAIL_SECONDS,
                                             pauses=True):
                    if isinstance(item, TailPause):
                        yield f"event: notice\ndata: {json.dumps(item.message)}\n\n"
                        continue
                    html = render_to_string("scalingo/logs.html#log-line", {"line": item})
                    yield f"event: line\ndata: {json.dumps(html)}\n\n"
        except VendorError as exc:
            yield f"event: failed\ndata: {json.dumps(services.read_error(exc, app.connection))}\n\n"
        yield f"event: stopped\ndata: {json.dumps(f'Live tail stopped after {int(time.monotonic() - started)} s.')}\n\n"

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def deployment_output(request, pk: int, deployment_id: str):
    app = selectors.app_get(user=request.user, pk=pk)
    deployment = app.deployments.filter(external_id=deployment_id).first()
    if deployment is None:
        return render(request, "scalingo/app_detail.html#deployment-output",
                      {"output_error": "No such deployment in the last poll.", "app": app}, status=404)
    try:
        output, error = services.scalingo_deployment_output(app=app, deployment_id=deployment_id), ""
    except VendorError as exc:
        output, error = "", services.read_error(exc, app.connection)
    return render(request, "scalingo/app_detail.html#deployment-output",
                  {"app": app, "deployment": deployment, "output": output, "output_error": error})


# -- variables: names for everyone, values only revealed to admins (audited) ----------------
def _variables_context(app) -> dict:
    try:
        variables, error = services.scalingo_variables(app=app), ""
    except VendorError as exc:
        variables, error = [], services.read_error(exc, app.connection)
    return {"variables": [v.name for v in variables], "variables_error": error,
            "variable_form": VariableForm(), "bulk_form": BulkVariablesForm()}


def app_variables(request, pk: int):
    """Add or edit one variable (admin); the value travels encrypted to the task."""
    app = selectors.app_get(user=request.user, pk=pk)
    require_role(user=request.user, team=app.connection.team, role=Role.ADMIN)
    if request.method != "POST":
        return redirect(f"{app_url(app)}?tab=variables")
    form = VariableForm(request.POST)
    if not form.is_valid():
        context = {"app": app, **_variables_context(app), "variable_form": form}
        return render(request, page_or_partial(request, "scalingo/app_detail.html", "variables-forms"), context, status=422)
    name = form.cleaned_data["name"]
    action = services.scalingo_variables_set(app=app, variables={name: form.cleaned_data["value"]},
                                             actor=request.user, verb="scalingo.variable.set")
    return _action_started(request, app, action, "variables")


@require_POST
def variables_bulk(request, pk: int):
    app = selectors.app_get(user=request.user, pk=pk)
    require_role(user=request.user, team=app.connection.team, role=Role.ADMIN)
    form = BulkVariablesForm(request.POST)
    if not form.is_valid():
        context = {"app": app, **_variables_context(app), "bulk_form": form}
        return render(request, page_or_partial(request, "scalingo/app_detail.html", "variables-forms"), context, status=422)
    action = services.scalingo_variables_set(app=app, variables=form.cleaned_data["text"], actor=request.user,
                                             verb="scalingo.variable.bulk")
    return _action_started(request, app, action, "variables")


@require_POST
def variable_reveal(request, pk: int):
    app = selectors.app_get(user=request.user, pk=pk)
    require_role(user=request.user, team=app.connection.team, role=Role.ADMIN)
    name = request.POST.get("name", "")
    if not name:
        return HttpResponseBadRequest("Which variable?")
    try:
        value, error = services.scalingo_variable_reveal(app=app, name=name, actor=request.user), ""
    except VendorError as exc:
        value, error = None, services.read_error(exc, app.connection)
    response = render(request, "scalingo/app_detail.html#variable-value",
                      {"name": name, "value": value, "error": error})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def variable_delete(request, pk: int):
    app = selectors.app_get(user=request.user, pk=pk)
    require_role(user=request.user, team=app.connection.team, role=Role.ADMIN)
    name = request.POST.get("name", "")
    if not VariableForm.base_fields["name"].regex.match(name):
        return HttpResponseBadRequest("Which variable?")
    action = services.scalingo_variable_delete(app=app, name=name, actor=request.user)
    return _action_started(request, app, action, "variables")
