"""The Scalr side of a connection: its environments, and the event callback URL (admin role)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from console.teams.models import Role
from console.teams.selectors import require_role
from vendors.scalr import selectors, services
from vendors.scalr.views.common import roles_for


def connection_overview(request, pk: int):
    connection = selectors.connection_get(user=request.user, pk=pk)
    roles = roles_for(request.user, connection.team_id)
    environments, servers = selectors.connection_environments(connection=connection)
    context = {"connection": connection, "environments": environments, "servers": servers, **roles}
    if roles["is_admin"]:
        context["callback_url"] = request.build_absolute_uri(
            reverse("scalr:callback", args=[connection.pk, services.callback_token(connection)]))
    return render(request, "scalr/connection.html", context)


@require_POST
def callback_rotate(request, pk: int):
    connection = selectors.connection_get(user=request.user, pk=pk)
    require_role(user=request.user, team=connection.team_id, role=Role.ADMIN)
    services.scalr_callback_token_rotate(connection=connection, actor=request.user)
    messages.success(request, "A new callback URL was made; paste it into Scalr. The old one now answers 404.")
    return redirect("scalr:connection", pk=connection.pk)
