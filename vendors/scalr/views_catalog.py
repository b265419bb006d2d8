"""Scripts, DNS zones, images (bundle tasks) and the Scalr side of a connection."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse

from console.teams.models import Role
from console.teams.selectors import has_role, require_role
from vendors.core import errors
from vendors.scalr import forms, models, reads, selectors, services_config
from vendors.scalr.callbacks import callback_token
from console.htmx import page_or_partial
from console.pagination import paginate
from vendors.scalr.views import query_without, roles_for


def _env_filter(request):
    value = request.GET.get("environment", "")
    return int(value) if value.isdigit() else None


def unavailable_notes(environments, feature: str) -> list[tuple[str, str]]:
    """(connection name, reason) where `feature` cannot be shown: once per connection, however many of its
    environments say so (it is the installation or the API generation that lacks it)."""
    notes = {}
    for env in environments:
        if feature in env.unavailable:
            notes.setdefault((env.connection.name, env.unavailable[feature]), None)
    return list(notes)


# -- scripts ---------------------------------------------------------------------------------
def script_list(request):
    environments = list(selectors.environments_for_user(user=request.user))
    scripts = models.Script.objects.filter(environment__in=environments) \
        .select_related("environment", "environment__connection").order_by("name", "environment__name")
    env = _env_filter(request)
    q = request.GET.get("q", "").strip()[:200]
    if env:
        scripts = scripts.filter(environment_id=env)
    if q:
        scripts = scripts.filter(Q(name__icontains=q) | Q(description__icontains=q))
    context = {"page": paginate(request, scripts), "q": q, "environment": env,
               "environments": selectors.environment_choices(user=request.user),
               "missing": selectors.missing_catalogs(environments, "scripts"),
               "query": query_without(request, "page"), "filtered": bool(env or q)}
    return render(request, page_or_partial(request, "scalr/script_list.html", "script-rows"), context)


def _revision_param(request) -> int | None:
    value = request.GET.get("revision", "")
    return int(value) if value.isdigit() else None


def script_detail(request, pk: int):
    script = selectors.script_get(user=request.user, pk=pk)
    context = {"script": script, "env": script.environment, "details": None, "shown": None, "error": "",
               **roles_for(request.user, script.environment.connection.team_id)}
    try:
        context["details"] = reads.script_details(script=script)
        wanted = _revision_param(request) or script.latest_revision or (
            context["details"].revisions[0].revision if context["details"].revisions else None)
        if wanted:
            shown = reads.script_details(script=script, revision=wanted).revisions
            context["shown"] = shown[0] if shown else None
    except errors.VendorError as exc:
        context["error"] = str(exc)
    return render(request, "scalr/script_detail.html", context)


def _targets(request, script: models.Script) -> tuple[list[tuple[str, str]], dict[str, object]]:
    """Choices for "Run on" and the objects behind them: a farm, its roles, or one server."""
    env = script.environment
    objects: dict[str, object] = {}
    server_pk = request.GET.get("server", "")
    farm_pk = request.GET.get("farm", "")
    if server_pk.isdigit():
        server = selectors.server_get(user=request.user, pk=int(server_pk))
        if server.farm.environment_id == env.pk:
            objects[f"server:{server.pk}"] = server
    farms = env.farms.filter(status=models.FarmStatus.RUNNING)
    if farm_pk.isdigit():
        farms = env.farms.filter(pk=int(farm_pk))
    for farm in farms.prefetch_related("farm_roles")[:200]:
        objects[f"farm:{farm.pk}"] = farm
        for farm_role in farm.farm_roles.all():
            objects[f"role:{farm_role.pk}"] = farm_role
    choices = []
    for key, obj in objects.items():
        kind = key.split(":")[0]
        label = {"farm": lambda o: f"Farm {o.name} (every running server)",
                 "role": lambda o: f"Farm role {o.farm.name} / {o}",
                 "server": lambda o: f"Server {o} of {o.farm.name}"}[kind](obj)
        choices.append((key, label))
    return choices, objects


def script_execute(request, pk: int):
    script = selectors.script_get(user=request.user, pk=pk)
    require_role(user=request.user, team=script.environment.connection.team_id, role=Role.OPERATOR)
    env = script.environment
    choices, objects = _targets(request, script)
    error, revisions, variables = "", list(range(script.latest_revision, 0, -1)), []
    try:
        details = reads.script_details(script=script)
        revisions = [rev.revision for rev in details.revisions] or revisions
        chosen = request.POST.get("revision") or request.GET.get("revision") or (revisions[0] if revisions else None)
        revision = next((rev for rev in details.revisions if str(rev.revision) == str(chosen)), None)
        variables = list(revision.variables) if revision else []
    except errors.VendorError as exc:
        error = str(exc)
    no_variables = env.unavailable.get("script_variables")
    form = forms.ExecuteScriptForm(request.POST or None, targets=choices, revisions=revisions,
                                   variables=[] if no_variables else variables,
                                   initial={"revision": request.GET.get("revision") or (revisions[0] if revisions
                                                                                         else None)})
    if request.method == "POST" and form.is_valid():
        target = objects[form.cleaned_data["target"]]
        kind = form.cleaned_data["target"].split(":")[0]
        farm = target if kind == "farm" else target.farm
        params = {"farm_id": farm.external_id}
        if kind == "role":
            params["farm_role_id"] = target.external_id
        elif kind == "server":
            params["server_id"] = target.external_id
        label = dict(choices)[form.cleaned_data["target"]]
        action = services_config.scalr_script_execute(
            script=script, actor=request.user, target_label=label, target=params, farm=farm,
            revision=form.cleaned_data["revision"], timeout=form.cleaned_data["timeout"],
            blocking=form.cleaned_data["blocking"], config_variables=form.config_variables())
        return redirect(f"{action.target_url}?action={action.pk}#actions")
    return render(request, "scalr/script_execute.html",
                  {"script": script, "env": env, "form": form, "error": error, "no_variables": no_variables,
                   "variables": variables}, status=400 if request.method == "POST" else 200)


# -- DNS -------------------------------------------------------------------------------------
def dns_list(request):
    environments = list(selectors.environments_for_user(user=request.user))
    zones = models.DnsZone.objects.filter(environment__in=environments) \
        .select_related("environment", "environment__connection", "farm").order_by("name")
    env = _env_filter(request)
    q = request.GET.get("q", "").strip()[:200]
    if env:
        zones = zones.filter(environment_id=env)
    if q:
        zones = zones.filter(name__icontains=q)
    context = {"page": paginate(request, zones), "q": q, "environment": env,
               "environments": [(e.pk, e.label) for e in environments], "query": query_without(request, "page"),
               "unavailable": unavailable_notes(environments, "dns"), "filtered": bool(env or q),
               "missing": selectors.missing_catalogs(environments, "dns_zones"),
               "can_create": any(has_role(user=request.user, team=e.connection.team_id, role=Role.ADMIN)
                                 and "dns" not in e.unavailable for e in environments)}
    return render(request, page_or_partial(request, "scalr/dns_list.html", "zone-rows"), context)


def dns_zone_context(request, zone: models.DnsZone, **extra) -> dict:
    from vendors.scalr.views import action_for

    context = {"zone": zone, "env": zone.environment, "records": [], "error": "",
               "record_form": forms.DnsRecordForm(), "action": action_for(request, zone.environment.connection.team_id),
               **roles_for(request.user, zone.environment.connection.team_id)}
    try:
        context["records"] = sorted(reads.dns_records(zone=zone), key=lambda rec: (not rec.is_system, rec.type,
                                                                                  rec.name))
    except errors.VendorError as exc:
        context["error"] = str(exc)
    context.update(extra)
    return context


def dns_zone(request, pk: int):
    zone = selectors.zone_get(user=request.user, pk=pk)
    return render(request, "scalr/dns_zone.html", dns_zone_context(request, zone))


# -- images and the connection ---------------------------------------------------------------
def bundle_tasks(request):
    tasks = models.BundleTask.objects.filter(connection__in=selectors.connections_for_user(user=request.user)) \
        .select_related("environment", "connection", "server", "server__farm")
    context = {"page": paginate(request, tasks),
               "query": query_without(request, "page")}
    return render(request, "scalr/bundle_tasks.html", context)


def connection_overview(request, pk: int):
    connection = selectors.connection_get(user=request.user, pk=pk)
    roles = roles_for(request.user, connection.team_id)
    environments = connection.environments.annotate(
        farm_count=Count("farms", distinct=True),
        running_count=Count("farms", filter=Q(farms__status=models.FarmStatus.RUNNING), distinct=True))
    servers = dict(connection.servers.values_list("farm__environment_id").annotate(n=Count("pk")))
    context = {"connection": connection, "environments": environments, "servers": servers, **roles}
    if roles["is_admin"]:
        context["callback_url"] = request.build_absolute_uri(
            reverse("scalr:callback", args=[connection.pk, callback_token(connection)]))
    return render(request, "scalr/connection.html", context)


def require_admin(user, team_id: int) -> None:
    if not has_role(user=user, team=team_id, role=Role.ADMIN):
        raise PermissionDenied("This needs the admin role in the team.")
