"""Farm and server actions (operator role): POSTs confirmed in the page, answered with the page
again, where the action's status follows it next to the buttons that started it."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_POST

from console.teams.models import Role
from console.teams.selectors import require_role
from vendors.scalr import forms, selectors, services
from vendors.scalr.views.common import followed
from vendors.scalr.views.farms import farm_context
from vendors.scalr.views.servers import server_context


def _farm(request, pk: int):
    farm = selectors.farm_get(user=request.user, pk=pk)
    require_role(user=request.user, team=farm.connection.team_id, role=Role.OPERATOR)
    return farm


def _server(request, pk: int):
    server = selectors.server_get(user=request.user, pk=pk)
    require_role(user=request.user, team=server.connection.team_id, role=Role.OPERATOR)
    return server


def _farm_invalid(request, farm, **bound):
    return render(request, "scalr/farm_detail.html", farm_context(request, farm, **bound), status=400)


def _server_invalid(request, server, **bound):
    return render(request, "scalr/server_detail.html", server_context(request, server, **bound), status=400)


@require_POST
def farm_launch(request, pk: int):
    farm = _farm(request, pk)
    return followed(services.scalr_farm_launch(farm=farm, actor=request.user))


@require_POST
def farm_terminate(request, pk: int):
    farm = _farm(request, pk)
    form = forms.TerminateFarmForm(request.POST, api=farm.connection.api)
    if not form.is_valid():
        return _farm_invalid(request, farm, terminate_form=form)
    return followed(services.scalr_farm_terminate(farm=farm, actor=request.user, options=form.cleaned_data))


@require_POST
def farm_clone(request, pk: int):
    farm = _farm(request, pk)
    form = forms.CloneFarmForm(request.POST, api=farm.connection.api)
    if not form.is_valid():
        return _farm_invalid(request, farm, clone_form=form)
    name = form.cleaned_data.get("name") or None
    return followed(services.scalr_farm_clone(farm=farm, actor=request.user, name=name))


@require_POST
def farm_lock(request, pk: int):
    farm = _farm(request, pk)
    form = forms.LockFarmForm(request.POST)
    if not form.is_valid():
        return _farm_invalid(request, farm, lock_form=form)
    return followed(services.scalr_farm_lock(farm=farm, actor=request.user, **form.cleaned_data))


@require_POST
def farm_unlock(request, pk: int):
    farm = _farm(request, pk)
    return followed(services.scalr_farm_unlock(farm=farm, actor=request.user))


@require_POST
def server_launch(request, pk: int):
    farm_role = selectors.farm_role_get(user=request.user, pk=pk)
    require_role(user=request.user, team=farm_role.farm.connection.team_id, role=Role.OPERATOR)
    form = forms.LaunchServerForm(request.POST)
    form.is_valid()  # a lone checkbox: always valid
    return followed(services.scalr_server_launch(farm_role=farm_role, actor=request.user,
                                                  increase_max_instances=form.cleaned_data["increase_max_instances"]))


@require_POST
def server_reboot(request, pk: int):
    server = _server(request, pk)
    form = forms.RebootServerForm(request.POST)
    form.is_valid()
    return followed(services.scalr_server_action(server=server, actor=request.user, verb="reboot",
                                                  options=form.cleaned_data))


@require_POST
def server_terminate(request, pk: int):
    server = _server(request, pk)
    form = forms.TerminateServerForm(request.POST, api=server.connection.api)
    form.is_valid()
    return followed(services.scalr_server_action(server=server, actor=request.user, verb="terminate",
                                                  options=form.cleaned_data))


@require_POST
def server_suspend(request, pk: int):
    server = _server(request, pk)
    return followed(services.scalr_server_action(server=server, actor=request.user, verb="suspend"))


@require_POST
def server_resume(request, pk: int):
    server = _server(request, pk)
    return followed(services.scalr_server_action(server=server, actor=request.user, verb="resume"))


@require_POST
def server_image(request, pk: int):
    server = _server(request, pk)
    form = forms.CreateImageForm(request.POST)
    if not form.is_valid():
        return _server_invalid(request, server, image_form=form)
    return followed(services.scalr_server_image(server=server, actor=request.user,
                                                 role_name=form.cleaned_data["role_name"]))
