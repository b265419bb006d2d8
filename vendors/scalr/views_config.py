"""Admin-only changes: DNS zones and records, global variables, Apache vhosts, deployments, the
callback URL. Viewers read the lists; the forms need the admin role of the object's team."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.teams.models import Role
from console.teams.selectors import require_role
from vendors.core import errors
from vendors.scalr import callbacks, forms, models, reads, selectors, services_config
from vendors.scalr.views import action_for, roles_for
from vendors.scalr.views_catalog import dns_zone_context, unavailable_notes

NEEDS_ADMIN = "This needs the admin role in a team with a Scalr connection that offers it."


def _followed(action):
    return redirect(f"{action.target_url}{'&' if '?' in action.target_url else '?'}action={action.pk}#actions")


def _admin_envs(request, feature: str):
    return [e for e in selectors.environments_for_user(user=request.user, min_role=Role.ADMIN)
            if feature not in e.unavailable]


def _admin_farm_roles(request, feature: str):
    return [fr for fr in selectors.farm_roles_for_user(user=request.user, min_role=Role.ADMIN, api="v1")
            .select_related("farm__environment") if feature not in fr.farm.environment.unavailable]


# -- DNS -------------------------------------------------------------------------------------
def dns_zone_create(request):
    environments = _admin_envs(request, "dns")
    if not selectors.environments_for_user(user=request.user, min_role=Role.ADMIN).exists():
        raise PermissionDenied(NEEDS_ADMIN)
    farms = models.Farm.objects.filter(environment__in=environments).select_related("environment")
    form = forms.DnsZoneForm(request.POST or None, environments=environments, farms=farms)
    if request.method == "POST" and form.is_valid():
        environment = next(e for e in environments if e.pk == form.cleaned_data["environment"])
        farm = farms.filter(pk=form.cleaned_data["farm"], environment=environment).first() \
            if form.cleaned_data["farm"] else None
        if form.cleaned_data["farm"] and farm is None:
            form.add_error("farm", "This farm is not in the chosen environment.")
        else:
            return _followed(services_config.scalr_dns_zone_create(
                environment=environment, actor=request.user, domain_name=form.cleaned_data["domain_name"],
                farm=farm))
    return render(request, "scalr/dns_zone_create.html", {"form": form, "environments": environments},
                  status=400 if request.method == "POST" else 200)


@require_POST
def dns_record_add(request, pk: int):
    zone = selectors.zone_get(user=request.user, pk=pk)
    require_role(user=request.user, team=zone.environment.connection.team_id, role=Role.ADMIN)
    form = forms.DnsRecordForm(request.POST)
    if not form.is_valid():
        return render(request, "scalr/dns_zone.html", dns_zone_context(request, zone, record_form=form), status=400)
    return _followed(services_config.scalr_dns_record_add(zone=zone, actor=request.user, record=form.cleaned_data))


@require_POST
def dns_record_remove(request, pk: int, record_id: int):
    zone = selectors.zone_get(user=request.user, pk=pk)
    require_role(user=request.user, team=zone.environment.connection.team_id, role=Role.ADMIN)
    try:
        record = next((rec for rec in reads.dns_records(zone=zone) if rec.id == record_id), None)
    except errors.VendorError as exc:
        messages.error(request, str(exc))
        return redirect("scalr:dns-zone", pk=zone.pk)
    if record is None:
        raise Http404("No such record in this zone.")
    if record.is_system:
        messages.error(request, "System records are managed by Scalr and cannot be removed.")
        return redirect("scalr:dns-zone", pk=zone.pk)
    return _followed(services_config.scalr_dns_record_remove(zone=zone, actor=request.user, record=record))


# -- global variables ------------------------------------------------------------------------
SCOPE_LABELS = {"environment": "the environment", "farm": "farm", "farmrole": "farm role", "role": "role",
                "server": "server"}


def _scope_choices(environment: models.Environment, wanted: str) -> list[tuple[str, str]]:
    choices = [("environment", f"Environment {environment.name}")]
    for farm in environment.farms.prefetch_related("farm_roles")[:300]:
        choices.append((f"farm:{farm.external_id}", f"Farm {farm.name}"))
        choices += [(f"farmrole:{fr.external_id}", f"Farm role {farm.name} / {fr}") for fr in farm.farm_roles.all()]
    choices += [(f"role:{role.external_id}", f"Role {role.name}") for role in environment.roles.all()[:300]]
    if wanted.startswith("server:"):
        server = models.Server.objects.filter(farm__environment=environment, external_id=wanted[7:]).first()
        if server:
            choices.append((wanted, f"Server {server} of {server.farm.name}"))
    return choices


def variables(request):
    environments = list(selectors.environments_for_user(user=request.user))
    env_pk = request.POST.get("environment") or request.GET.get("environment") or ""
    environment = next((e for e in environments if str(e.pk) == env_pk), environments[0] if environments else None)
    context = {"environments": environments, "environment": environment, "variables": [], "error": "",
               "action": None, "form": forms.GlobalVariableForm()}
    if environment is None:
        return render(request, "scalr/variables.html", context)
    target = request.POST.get("target") or request.GET.get("target") or "environment"
    choices = _scope_choices(environment, target)
    if target not in dict(choices):
        target = "environment"
    scope, _, scope_id = target.partition(":")
    context.update(target=target, choices=choices, target_label=dict(choices)[target],
                   action=action_for(request, environment.connection.team_id),
                   **roles_for(request.user, environment.connection.team_id))
    if request.method == "POST":
        require_role(user=request.user, team=environment.connection.team_id, role=Role.ADMIN)
        form = forms.GlobalVariableForm(request.POST)
        if form.is_valid():
            target_obj = environment.farms.filter(external_id=scope_id).first() if scope == "farm" else environment
            return _followed(services_config.scalr_variable_set(
                environment=environment, actor=request.user, scope=scope, scope_id=scope_id or None,
                scope_label=f"{SCOPE_LABELS[scope]} {dict(choices)[target].split(' ', 1)[-1]}"
                if scope != "environment" else f"environment {environment.name}",
                name=form.cleaned_data["name"], value=form.cleaned_data["value"], target=target_obj or environment))
        context["form"] = form
    try:
        context["variables"] = sorted(reads.global_variables(environment=environment, scope=scope,
                                                             scope_id=scope_id or None), key=lambda v: v.name)
    except errors.VendorError as exc:
        context["error"] = str(exc)
    return render(request, "scalr/variables.html", context, status=400 if request.method == "POST" else 200)


# -- Apache virtual hosts --------------------------------------------------------------------
def vhosts(request):
    environments = list(selectors.environments_for_user(user=request.user))
    farm_roles = _admin_farm_roles(request, "vhosts")
    form = forms.ApacheVhostForm(request.POST or None, farm_roles=farm_roles)
    if request.method == "POST":
        if not farm_roles:
            raise PermissionDenied(NEEDS_ADMIN)
        if form.is_valid():
            farm_role = next(fr for fr in farm_roles if fr.pk == form.cleaned_data["farm_role"])
            data = form.cleaned_data
            return _followed(services_config.scalr_vhost_create(
                farm_role=farm_role, actor=request.user, domain_name=data["domain_name"],
                document_root=data["document_root"], ssl=data["ssl"], ssl_private_key=data["ssl_private_key"],
                ssl_certificate=data["ssl_certificate"]))
    rows = models.ApacheVhost.objects.filter(environment__in=environments) \
        .select_related("environment", "environment__connection", "farm")
    team_ids = {e.connection.team_id for e in environments}
    context = {"vhosts": rows, "form": form, "can_create": bool(farm_roles),
               "unavailable": unavailable_notes(environments, "vhosts"),
               "missing": selectors.missing_catalogs(environments, "vhosts"),
               "action": next((a for a in [action_for(request, t) for t in team_ids] if a), None)}
    return render(request, "scalr/vhosts.html", context, status=400 if request.method == "POST" else 200)


# -- deployments -----------------------------------------------------------------------------
def deployments(request):
    environments = list(selectors.environments_for_user(user=request.user))
    admin_envs = [e.pk for e in _admin_envs(request, "deployments")]
    applications = models.DmApplication.objects.filter(environment_id__in=admin_envs) \
        .select_related("environment", "environment__connection")
    farm_roles = _admin_farm_roles(request, "deployments")
    form = forms.DeployForm(request.POST or None, applications=applications, farm_roles=farm_roles)
    if request.method == "POST":
        if not admin_envs:
            raise PermissionDenied(NEEDS_ADMIN)
        if form.is_valid():
            application = applications.get(pk=form.cleaned_data["application"])
            farm_role = next(fr for fr in farm_roles if fr.pk == form.cleaned_data["farm_role"])
            if farm_role.farm.environment_id != application.environment_id:
                form.add_error("farm_role", "Choose a farm role in the application's environment.")
            else:
                return _followed(services_config.scalr_app_deploy(
                    application=application, farm_role=farm_role, actor=request.user,
                    remote_path=form.cleaned_data["remote_path"]))
    team_ids = {e.connection.team_id for e in environments}
    context = {
        "sources": models.DmSource.objects.filter(environment__in=environments).select_related("environment"),
        "applications": models.DmApplication.objects.filter(environment__in=environments)
        .select_related("environment"),
        "form": form, "can_deploy": bool(applications) and bool(farm_roles),
        "unavailable": unavailable_notes(environments, "deployments"),
        "missing": selectors.missing_catalogs(environments, "dm_sources", "dm_applications"),
        "action": next((a for a in [action_for(request, t) for t in team_ids] if a), None),
    }
    return render(request, "scalr/deployments.html", context, status=400 if request.method == "POST" else 200)


# -- callback URL ----------------------------------------------------------------------------
@require_POST
def callback_rotate(request, pk: int):
    connection = selectors.connection_get(user=request.user, pk=pk)
    require_role(user=request.user, team=connection.team_id, role=Role.ADMIN)
    callbacks.scalr_callback_token_rotate(connection=connection, actor=request.user)
    messages.success(request, "A new callback URL was made; paste it into Scalr. The old one now answers 404.")
    return redirect("scalr:connection", pk=connection.pk)
