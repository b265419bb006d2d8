"""Environment configuration: global variables, Apache virtual hosts, deployments. Viewers read them;
changing them needs the admin role of the object's team."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from console.teams.models import Role
from console.teams.selectors import require_role
from vendors.core import errors
from vendors.scalr import forms, selectors, services
from vendors.scalr.selectors import live
from vendors.scalr.views.common import action_for, followed, roles_for, unavailable_notes
from vendors.scalr.views.dns import NEEDS_ADMIN

SCOPE_LABELS = {"environment": "the environment", "farm": "farm", "farmrole": "farm role", "role": "role",
                "server": "server"}


def variables(request):
    environments = list(selectors.environments_for_user(user=request.user))
    env_pk = request.POST.get("environment") or request.GET.get("environment") or ""
    environment = next((e for e in environments if str(e.pk) == env_pk), None)
    if env_pk and environment is None:  # another team's, or none: never someone else's by default
        raise Http404("No such Scalr environment.")
    environment = environment or (environments[0] if environments else None)
    context = {"environments": environments, "environment": environment, "variables": [], "error": "",
               "action": None}
    if environment is None:
        return render(request, "scalr/variables.html", context)
    context["form"] = forms.GlobalVariableForm(api=environment.connection.api)
    target = request.POST.get("target") or request.GET.get("target") or "environment"
    choices = selectors.variable_scopes(environment=environment, wanted=target)
    if target not in dict(choices):
        if request.method == "POST":
            raise Http404("No such farm, farm role, role or server in this environment.")
        target = "environment"
    scope, _, scope_id = target.partition(":")
    context.update(target=target, choices=choices, target_label=dict(choices)[target],
                   action=action_for(request, environment.connection.team_id),
                   **roles_for(request.user, environment.connection.team_id))
    if request.method == "POST":
        require_role(user=request.user, team=environment.connection.team_id, role=Role.ADMIN)
        form = forms.GlobalVariableForm(request.POST, api=environment.connection.api)
        if not env_pk:
            form.add_error(None, "Choose the environment to set the variable in.")
        if form.is_valid():
            target_obj = selectors.variable_target(environment=environment, scope=scope, scope_id=scope_id)
            return followed(services.scalr_variable_set(
                environment=environment, actor=request.user, scope=scope, scope_id=scope_id or None,
                scope_label=f"{SCOPE_LABELS[scope]} {dict(choices)[target].split(' ', 1)[-1]}"
                if scope != "environment" else f"environment {environment.name}",
                name=form.cleaned_data["name"], value=form.cleaned_data["value"], target=target_obj,
                private=form.cleaned_data["private"]))
        context["form"] = form
    try:
        context["variables"] = sorted(live.global_variables(environment=environment, scope=scope,
                                                             scope_id=scope_id or None), key=lambda v: v.name)
    except errors.VendorError as exc:
        context["error"] = str(exc)
    return render(request, "scalr/variables.html", context, status=400 if request.method == "POST" else 200)


# -- Apache virtual hosts --------------------------------------------------------------------
def vhosts(request):
    environments = list(selectors.environments_listed_for_user(user=request.user))
    farm_roles = selectors.admin_farm_roles(user=request.user, feature="vhosts")
    form = forms.ApacheVhostForm(request.POST or None, farm_roles=farm_roles)
    if request.method == "POST":
        if not farm_roles:
            raise PermissionDenied(NEEDS_ADMIN)
        if form.is_valid():
            farm_role = next(fr for fr in farm_roles if fr.pk == form.cleaned_data["farm_role"])
            data = form.cleaned_data
            return followed(services.scalr_vhost_create(
                farm_role=farm_role, actor=request.user, domain_name=data["domain_name"],
                document_root=data["document_root"], ssl=data["ssl"], ssl_private_key=data["ssl_private_key"],
                ssl_certificate=data["ssl_certificate"]))
    rows = selectors.vhost_list(environments=environments)
    team_ids = {e.connection.team_id for e in environments}
    context = {"vhosts": rows, "form": form, "can_create": bool(farm_roles),
               "unavailable": unavailable_notes(environments, "vhosts"),
               "missing": selectors.missing_catalogs(environments, "vhosts"),
               "action": next((a for a in [action_for(request, t) for t in team_ids] if a), None)}
    return render(request, "scalr/vhosts.html", context, status=400 if request.method == "POST" else 200)


# -- deployments -----------------------------------------------------------------------------
def deployments(request):
    environments = list(selectors.environments_listed_for_user(user=request.user))
    admin_envs = [e.pk for e in selectors.admin_environments(user=request.user, feature="deployments")]
    applications = selectors.applications_in(environment_ids=admin_envs)
    farm_roles = selectors.admin_farm_roles(user=request.user, feature="deployments")
    form = forms.DeployForm(request.POST or None, applications=applications, farm_roles=farm_roles)
    if request.method == "POST":
        if not admin_envs:
            raise PermissionDenied(NEEDS_ADMIN)
        if form.is_valid():
            application = selectors.application_get(applications=applications, pk=form.cleaned_data["application"])
            farm_role = next(fr for fr in farm_roles if fr.pk == form.cleaned_data["farm_role"])
            if farm_role.farm.environment_id != application.environment_id:
                form.add_error("farm_role", "Choose a farm role in the application's environment.")
            else:
                return followed(services.scalr_app_deploy(
                    application=application, farm_role=farm_role, actor=request.user,
                    remote_path=form.cleaned_data["remote_path"]))
    team_ids = {e.connection.team_id for e in environments}
    context = {
        "sources": selectors.deployment_sources(environments=environments),
        "applications": selectors.deployment_applications(environments=environments),
        "form": form, "can_deploy": bool(applications) and bool(farm_roles),
        "unavailable": unavailable_notes(environments, "deployments"),
        "missing": selectors.missing_catalogs(environments, "dm_sources", "dm_applications"),
        "action": next((a for a in [action_for(request, t) for t in team_ids] if a), None),
    }
    return render(request, "scalr/deployments.html", context, status=400 if request.method == "POST" else 200)
