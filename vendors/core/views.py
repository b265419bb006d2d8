"""Connections pages: list with health, detail, add/edit per vendor, test, poll now, enable, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.pagination import paginate
from console.teams.models import Role
from console.teams.selectors import require_role, roles_by_team, teams_for_user
from vendors.core import registry, services
from console.htmx import wants_fragment
from vendors.core.selectors import ConnectionRows, action_get, connection_get


def _spec_or_404(vendor: str) -> registry.VendorSpec:
    spec = registry.find(vendor)
    if spec is None:
        raise Http404("No such vendor.")
    return spec


def connection_list(request):
    connections = ConnectionRows(user=request.user)
    health = request.GET.get("health", "")
    if health:  # health is worked out in Python (it depends on the time): read every row, then page
        connections = [c for c in connections[:] if c.health == health]
    page = paginate(request, connections)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "connections": page.object_list,
        "page": page,
        "query": query.urlencode(),
        "health_filter": health,
        "vendors": registry.vendors(),
        "can_add": teams_for_user(user=request.user, min_role=Role.ADMIN).exists(),
        "roles": roles_by_team(user=request.user),
    }
    template = "core/connection_list.html"
    if wants_fragment(request):
        template += "#connection-rows"
    return render(request, template, context)


def settings_display(form_class, settings: dict) -> list[tuple[str, str]]:
    """(label, value) of a connection's plain settings as its form names them; keys the form does not
    offer (the console's own flags, such as the demo's) are not settings a person set, and are left out."""
    fields = form_class.base_fields
    shown = []
    for name in getattr(form_class, "settings_fields", ()):
        field = fields.get(name)
        if field is None or field.widget.is_hidden:
            continue
        value = settings.get(name)
        choices = dict(getattr(field, "choices", None) or ())
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, (list, tuple)):
            text = ", ".join(str(item) for item in value)
        else:
            text = str(choices.get(value, value)) if value not in (None, "") else ""
        shown.append((str(field.label or name.replace("_", " ")).rstrip(":"), text or "—"))
    return shown


def connection_detail(request, vendor: str, pk: int):
    connection = connection_get(user=request.user, vendor=vendor, pk=pk)
    spec = registry.get(vendor)
    role = roles_by_team(user=request.user).get(connection.team_id)
    context = {
        "connection": connection,
        "spec": spec,
        "is_admin": request.user.is_superuser or role == Role.ADMIN,
        "secret_status": [(label, connection.secrets.is_set(name)) for name, label in spec.secret_fields.items()],
        "settings": settings_display(spec.form_class, connection.settings or {}),
        "vendor_page": spec.connection_page(connection) if spec.connection_page else None,
        "panels": spec.connection_panels(connection) if spec.connection_panels else [],
    }
    template = "core/connection_detail.html"
    if wants_fragment(request):
        template += "#connection-status"
    return render(request, template, context)


def connection_create(request, vendor: str):
    spec = _spec_or_404(vendor)
    admin_teams = teams_for_user(user=request.user, min_role=Role.ADMIN)
    if not admin_teams.exists():
        raise PermissionDenied("Adding a connection needs the admin role in a team.")
    form = spec.form_class(request.POST or None, teams=admin_teams)
    if request.method == "POST" and form.is_valid():
        connection = services.connection_save(form=form, actor=request.user)
        messages.success(request, f"Connection “{connection}” added. Its first poll starts within seconds.")
        return redirect("core:connection-detail", vendor=vendor, pk=connection.pk)
    return render(request, "core/connection_form.html", {"form": form, "spec": spec, "creating": True})


def connection_edit(request, vendor: str, pk: int):
    connection = connection_get(user=request.user, vendor=vendor, pk=pk)
    require_role(user=request.user, team=connection.team, role=Role.ADMIN)
    spec = registry.get(vendor)
    admin_teams = teams_for_user(user=request.user, min_role=Role.ADMIN)
    form = spec.form_class(request.POST or None, instance=connection, teams=admin_teams)
    if request.method == "POST" and form.is_valid():
        services.connection_save(form=form, actor=request.user)
        messages.success(request, f"Connection “{connection}” saved.")
        return redirect("core:connection-detail", vendor=vendor, pk=connection.pk)
    return render(request, "core/connection_form.html",
                  {"form": form, "spec": spec, "connection": connection, "creating": False})


@require_POST
def connection_delete(request, vendor: str, pk: int):
    connection = connection_get(user=request.user, vendor=vendor, pk=pk)
    require_role(user=request.user, team=connection.team, role=Role.ADMIN)
    name = str(connection)
    services.connection_delete(connection=connection, actor=request.user)
    messages.success(request, f"Connection “{name}” and its data were deleted.")
    return redirect("core:connection-list")


@require_POST
def connection_toggle(request, vendor: str, pk: int):
    connection = connection_get(user=request.user, vendor=vendor, pk=pk)
    require_role(user=request.user, team=connection.team, role=Role.ADMIN)
    services.connection_set_enabled(connection=connection, enabled=not connection.enabled, actor=request.user)
    messages.success(request, f"Polling of “{connection}” {'enabled' if connection.enabled else 'disabled'}.")
    return redirect("core:connection-detail", vendor=vendor, pk=pk)


@require_POST
def connection_poll(request, vendor: str, pk: int):
    connection = connection_get(user=request.user, vendor=vendor, pk=pk)
    require_role(user=request.user, team=connection.team, role=Role.ADMIN)
    if not connection.enabled:
        messages.error(request, "This connection is disabled: enable it to poll.")
    elif services.connection_poll_now(connection=connection, actor=request.user):
        messages.success(request, "Poll queued. The status below updates when it finishes.")
    else:
        messages.warning(request, "A poll of this connection is already running.")
    return redirect("core:connection-detail", vendor=vendor, pk=pk)


@require_POST
def connection_test(request, vendor: str, pk: int):
    connection = connection_get(user=request.user, vendor=vendor, pk=pk)
    require_role(user=request.user, team=connection.team, role=Role.ADMIN)
    ok, message = services.connection_test(connection=connection, actor=request.user)
    return render(request, "core/connection_detail.html#test-result", {"ok": ok, "message": message})


def action_status(request, pk: int):
    """The status partial of one action; the page polls it until the action settles."""
    action = action_get(user=request.user, pk=pk)
    response = render(request, "htmx/action_status.html", {"action": action})
    if action.status == "succeeded":
        response["HX-Trigger"] = "action-succeeded"  # pages refresh what the action changed
    return response
