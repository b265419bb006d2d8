"""Variables: their names for everyone, values only revealed to admins (audited); set and
delete are actions, the value travelling encrypted to the worker."""

from __future__ import annotations

from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.htmx import page_or_partial
from console.teams.models import Role
from console.teams.selectors import require_role
from vendors.core.errors import VendorError
from vendors.scalingo import selectors, services
from vendors.scalingo.forms import BulkVariablesForm, VariableForm
from vendors.scalingo.views.common import action_started, app_context, app_url


def app_variables(request, pk: int):
    """Add or edit one variable (admin)."""
    app = selectors.app_get(user=request.user, pk=pk)
    require_role(user=request.user, team=app.connection.team, role=Role.ADMIN)
    if request.method != "POST":
        return redirect(f"{app_url(app)}?tab=variables")
    form = VariableForm(request.POST)
    if not form.is_valid():
        context = {**app_context(request, app, "variables"), "variable_form": form}
        return render(request, page_or_partial(request, "scalingo/app_detail.html", "variables-forms"), context,
                      status=422)
    name = form.cleaned_data["name"]
    action = services.scalingo_variables_set(app=app, variables={name: form.cleaned_data["value"]},
                                             actor=request.user, verb="scalingo.variable.set")
    return action_started(request, app, action, "variables")


@require_POST
def variables_bulk(request, pk: int):
    app = selectors.app_get(user=request.user, pk=pk)
    require_role(user=request.user, team=app.connection.team, role=Role.ADMIN)
    form = BulkVariablesForm(request.POST)
    if not form.is_valid():
        context = {**app_context(request, app, "variables"), "bulk_form": form}
        return render(request, page_or_partial(request, "scalingo/app_detail.html", "variables-forms"), context,
                      status=422)
    action = services.scalingo_variables_set(app=app, variables=form.cleaned_data["text"], actor=request.user,
                                             verb="scalingo.variable.bulk")
    return action_started(request, app, action, "variables")


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
        value, error = None, selectors.read_error(exc, app.connection)
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
    return action_started(request, app, action, "variables")
