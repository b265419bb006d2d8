"""What the Scalingo page modules share: where an app's page is, what it shows, and the answer to
an action just queued."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from console.teams.models import Role
from console.teams.selectors import has_role
from vendors.scalingo import selectors
from vendors.scalingo.forms import BulkVariablesForm, VariableForm

TABS = ["overview", "containers", "stats", "events", "deployments", "logs", "variables", "addons", "domains",
        "collaborators"]


def app_url(app) -> str:
    return reverse("scalingo:app-detail", args=[app.pk])


def action_started(request, app, action, tab: str):
    """The action's live status for htmx; otherwise a message and back to the app's tab."""
    if request.htmx:
        return render(request, "htmx/action_status.html", {"action": action})
    messages.success(request, f"{action.summary}: queued.")
    return redirect(f"{app_url(app)}?tab={tab}")


def app_context(request, app, tab: str) -> dict:
    """The app page on `tab`: the page itself, or the page a refused form is drawn in again."""
    team = app.connection.team
    context = {
        "app": app, "tab": tab, "tabs": TABS, "team": team, "connection": app.connection, "app_key": f"scalingo.app:{app.pk}",
        "can_operate": has_role(user=request.user, team=team, role=Role.OPERATOR),
        "is_admin": has_role(user=request.user, team=team, role=Role.ADMIN),
        **selectors.app_page(app=app, tab=tab, page=request.GET.get("page")),
    }
    if tab == "variables":
        names, error = selectors.variable_names(app=app)
        context.update({"variables": names, "variables_error": error, "variable_form": VariableForm(),
                        "bulk_form": BulkVariablesForm()})
    return context
