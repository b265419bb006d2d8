"""Scalr's actions offered to POST /api/v1/actions/: each as its page starts it, with the same target
lookup (404 outside the user's teams), role, form and service. A parameter the page's form fills in
for you (a TTL, a timeout, the newest revision) takes that value when left out; one the page has no
field for is refused.

Left out: `scalr.variable.set` (its value is a secret, private variables' never shown again) and
`scalr.vhost.create` (an SSL private key): the pages are where Scalr secrets are typed in.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms as django_forms
from django.http import Http404
from rest_framework.exceptions import APIException, ValidationError

from console.params import digits
from console.teams.models import Role
from vendors.core import errors
from vendors.core.api import ApiVerb, api_verb, form_invalid
from vendors.scalr import forms, selectors, services
from vendors.scalr.selectors import live


class ScalrUnreadable(APIException):
    status_code = 502
    default_detail = "Scalr could not be read."


def _form(form_class, params: dict, *, given: dict | None = None, **kwargs) -> django_forms.Form:
    """The page's form bound to `params` (over the values the page fills in), valid or refused with its own
    messages; `given`: the fields the target fills, never a parameter."""
    blank = form_class(**kwargs)
    takes = [name for name in blank.fields if name not in (given or {})]
    unknown = [name for name in params if name not in takes]
    if unknown:
        said = f"this verb takes: {', '.join(takes)}." if takes else "this verb takes no parameters."
        raise ValidationError({name: [f"Not a parameter of this verb; {said}"] for name in unknown})
    nested = [name for name, value in params.items() if isinstance(value, (dict, list))]
    if nested:
        raise ValidationError({name: ["A single value: text, a number, true or false."] for name in nested})
    data = {name: blank.get_initial_for_field(field, name) for name, field in blank.fields.items()}
    data = {name: value for name, value in data.items() if value is not None}
    form = form_class({**data, **params, **(given or {})}, **kwargs)
    if not form.is_valid():
        raise form_invalid(form)
    return form


def _lookup(get: Callable, what: str) -> Callable:
    """A target lookup: the console id of one of the user's objects, else 404 (as the pages answer)."""
    def target(user, text: str):
        pk = digits(str(text).strip())
        if pk is None:
            raise Http404(f"No such {what}.")
        return get(user=user, pk=pk)
    return target


# -- farms and servers (operator role) ----------------------------------------------------------------
def _no_params(service: Callable) -> Callable:
    def start(farm, params, user):
        _form(django_forms.Form, params)
        return service(farm=farm, actor=user)
    return start


def _farm_terminate(farm, params, user):
    form = _form(forms.TerminateFarmForm, params, api=farm.connection.api)
    return services.scalr_farm_terminate(farm=farm, actor=user, options=form.cleaned_data)


def _farm_clone(farm, params, user):
    form = _form(forms.CloneFarmForm, params, api=farm.connection.api)
    return services.scalr_farm_clone(farm=farm, actor=user, name=form.cleaned_data.get("name") or None)


def _farm_lock(farm, params, user):
    form = _form(forms.LockFarmForm, params)
    return services.scalr_farm_lock(farm=farm, actor=user, **form.cleaned_data)


def _server_launch(farm_role, params, user):
    form = _form(forms.LaunchServerForm, params)
    return services.scalr_server_launch(farm_role=farm_role, actor=user,
                                        increase_max_instances=form.cleaned_data["increase_max_instances"])


def _server_action(verb: str, form_class=django_forms.Form, *, by_api: bool = False):
    def start(server, params, user):
        form = _form(form_class, params, **({"api": server.connection.api} if by_api else {}))
        return services.scalr_server_action(server=server, actor=user, verb=verb, options=form.cleaned_data)
    return start


def _server_image(server, params, user):
    form = _form(forms.CreateImageForm, params)
    return services.scalr_server_image(server=server, actor=user, role_name=form.cleaned_data["role_name"])


# -- scripts (operator role) ----------------------------------------------------------------------------
def _script_execute(script, params, user):
    params = dict(params)
    variables = params.pop("variables", None) or {}
    if not isinstance(variables, dict):
        raise ValidationError({"variables": ["An object: variable name → value."]})
    key = str(params.get("target", ""))
    kind, _, ident = key.partition(":")
    farm_pk = ident if kind == "farm" else ""
    if kind == "role" and digits(ident) is not None:  # the page of the role's farm offers its roles
        farm_pk = str(selectors.farm_role_get(user=user, pk=digits(ident)).farm_id)
    choices, objects = selectors.script_targets(user=user, script=script, server_pk=ident if kind == "server" else "",
                                                farm_pk=farm_pk)
    revisions, names, unread = live.script_run_choices(script=script, chosen=params.get("revision"))
    if script.environment.unavailable.get("script_variables"):
        names = []
    strange = [name for name in variables if name not in names]
    if strange:
        takes = f"this revision takes: {', '.join(names)}." if names else "this revision takes none."
        why = f" (Scalr could not say which: {unread})" if unread else ""
        raise ValidationError({"variables": {name: [f"Not a variable of the script; {takes}{why}"]
                                             for name in strange}})
    try:
        form = _form(forms.ExecuteScriptForm, {**params, **{f"var_{name}": v for name, v in variables.items()}},
                     targets=choices, revisions=revisions, variables=names,
                     initial={"revision": revisions[0] if revisions else None})
    except ValidationError as exc:
        detail = dict(exc.detail)
        named = {name[4:]: detail.pop(name) for name in list(detail) if name.startswith("var_")}
        raise ValidationError({**detail, **({"variables": named} if named else {})}) from None
    farm, target = services.script_run_on(key, objects[key])
    return services.scalr_script_execute(
        script=script, actor=user, target_label=dict(choices)[key], target=target, farm=farm,
        revision=form.cleaned_data["revision"], timeout=form.cleaned_data["timeout"],
        blocking=form.cleaned_data["blocking"], config_variables=form.config_variables())


# -- DNS and deployments (admin role) -------------------------------------------------------------------
def _offered(environments, environment, feature: str, label: str) -> None:
    if environment.pk not in {env.pk for env in environments}:
        reason = environment.unavailable.get(feature) or "not offered by this connection"
        raise ValidationError({"non_field_errors": [f"{label} in environment {environment.name}: {reason}."]})


def _dns_zone_create(environment, params, user):
    environments = selectors.admin_environments(user=user, feature="dns")
    _offered(environments, environment, "dns", "DNS")
    farms = selectors.farms_in(environments=environments)
    form = _form(forms.DnsZoneForm, params, given={"environment": environment.pk}, environments=environments,
                 farms=farms)
    farm = None
    if form.cleaned_data["farm"]:
        farm = selectors.farm_in(farms=farms, pk=form.cleaned_data["farm"], environment=environment)
        if farm is None:
            raise ValidationError({"farm": ["This farm is not in the chosen environment."]})
    return services.scalr_dns_zone_create(environment=environment, actor=user,
                                          domain_name=form.cleaned_data["domain_name"], farm=farm)


def _dns_record_add(zone, params, user):
    form = _form(forms.DnsRecordForm, params)
    return services.scalr_dns_record_add(zone=zone, actor=user, record=form.cleaned_data)


class RecordRemoval(django_forms.Form):
    record_id = django_forms.IntegerField(min_value=0, help_text="The record's id, as the zone's page lists it.")


def _dns_record_remove(zone, params, user):
    record_id = _form(RecordRemoval, params).cleaned_data["record_id"]
    try:
        record = next((rec for rec in live.dns_records(zone=zone) if rec.id == record_id), None)
    except errors.VendorError as exc:
        raise ScalrUnreadable(f"The zone's records could not be read from Scalr: {exc}") from None
    if record is None:
        raise ValidationError({"record_id": ["No such record in this zone."]})
    if record.is_system:
        raise ValidationError({"record_id": ["System records are managed by Scalr and cannot be removed."]})
    return services.scalr_dns_record_remove(zone=zone, actor=user, record=record)


def _app_deploy(application, params, user):
    environments = selectors.admin_environments(user=user, feature="deployments")
    _offered(environments, application.environment, "deployments", "Deployments")
    farm_roles = selectors.admin_farm_roles(user=user, feature="deployments")
    applications = selectors.applications_in(environment_ids=[env.pk for env in environments])
    form = _form(forms.DeployForm, params, given={"application": application.pk}, applications=applications,
                 farm_roles=farm_roles)
    farm_role = next(fr for fr in farm_roles if fr.pk == form.cleaned_data["farm_role"])
    if farm_role.farm.environment_id != application.environment_id:
        raise ValidationError({"farm_role": ["Choose a farm role in the application's environment."]})
    return services.scalr_app_deploy(application=application, farm_role=farm_role, actor=user,
                                     remote_path=form.cleaned_data["remote_path"])


# -- the registry -----------------------------------------------------------------------------------------
_farm = _lookup(selectors.farm_get, "farm")
_server = _lookup(selectors.server_get, "server")
_by_connection = {"team": lambda obj: obj.connection.team}
_by_environment = {"team": lambda obj: obj.environment.connection.team}
_FARM = "`target`: a farm's id (/api/v1/scalr/farms/)"
_SERVER = "`target`: a server's id (/api/v1/scalr/servers/)"

VERBS = [
    ApiVerb("scalr.farm.launch", _farm, **_by_connection, start=_no_params(services.scalr_farm_launch),
            doc=f"{_FARM}; no params."),
    ApiVerb("scalr.farm.terminate", _farm, **_by_connection, start=_farm_terminate,
            doc=f"{_FARM}; params: APIv2 `force`; Query API `keep_ebs`, `keep_eip`, `keep_dns_zone` (booleans)."),
    ApiVerb("scalr.farm.clone", _farm, **_by_connection, start=_farm_clone,
            doc=f"{_FARM}; params: APIv2 `name` of the clone (optional; the Query API names it itself)."),
    ApiVerb("scalr.farm.lock", _farm, **_by_connection, start=_farm_lock,
            doc=f"{_FARM}; params: `comment` (required), `unlock_permission` owner (default), team or anyone."),
    ApiVerb("scalr.farm.unlock", _farm, **_by_connection, start=_no_params(services.scalr_farm_unlock),
            doc=f"{_FARM}; no params."),
    ApiVerb("scalr.server.launch", _lookup(selectors.farm_role_get, "farm role"),
            team=lambda farm_role: farm_role.farm.connection.team, start=_server_launch,
            doc="`target`: a farm role's id (a farm's `roles` in /api/v1/scalr/farms/<id>/); params: "
                "`increase_max_instances` (boolean)."),
    ApiVerb("scalr.server.reboot", _server, **_by_connection, start=_server_action("reboot", forms.RebootServerForm),
            doc=f"{_SERVER}; params: `hard` (boolean)."),
    ApiVerb("scalr.server.terminate", _server, **_by_connection,
            start=_server_action("terminate", forms.TerminateServerForm, by_api=True),
            doc=f"{_SERVER}; params: `decrease_min_instances`, APIv2 `force` (booleans)."),
    ApiVerb("scalr.server.suspend", _server, **_by_connection, start=_server_action("suspend"),
            doc=f"{_SERVER}; no params."),
    ApiVerb("scalr.server.resume", _server, **_by_connection, start=_server_action("resume"),
            doc=f"{_SERVER}; no params."),
    ApiVerb("scalr.server.image", _server, **_by_connection, start=_server_image,
            doc=f"{_SERVER}; params: `role_name` of the new role (required)."),
    ApiVerb("scalr.script.execute", _lookup(selectors.script_get, "script"), **_by_environment,
            start=_script_execute,
            doc="`target`: a script's id (/api/v1/scalr/scripts/); params: `target` `farm:<id>` (every running "
                "server), `role:<id>` or `server:<id>` in the script's environment, `revision` (default the "
                "newest), `timeout` seconds (default 180), `blocking` (boolean), `variables` {name: value} of "
                "the revision's configuration variables."),
    ApiVerb("scalr.dns.zone_create", _lookup(selectors.environment_get, "environment"), **_by_connection,
            start=_dns_zone_create, role=Role.ADMIN,
            doc="`target`: an environment's id (/api/v1/scalr/environments/); params: `domain_name`, `farm` "
                "(optional: a farm's id in that environment)."),
    ApiVerb("scalr.dns.record_add", _lookup(selectors.zone_get, "DNS zone"), **_by_environment,
            start=_dns_record_add, role=Role.ADMIN,
            doc="`target`: a DNS zone's id (its page's address); params: `type` (A, MX, CNAME, NS, TXT, SRV), "
                "`name`, `value`, `ttl` (default 3600), `priority`, `weight`, `port`."),
    ApiVerb("scalr.dns.record_remove", _lookup(selectors.zone_get, "DNS zone"), **_by_environment,
            start=_dns_record_remove, role=Role.ADMIN,
            doc="`target`: a DNS zone's id; params: `record_id` (its page lists them; system records stay)."),
    ApiVerb("scalr.app.deploy", _lookup(selectors.dm_application_get, "application"), **_by_environment,
            start=_app_deploy, role=Role.ADMIN,
            doc="`target`: a deployment application's id (the deployments page); params: `farm_role` (a farm "
                "role's id in its environment), `remote_path` (default /var/www/app)."),
]

for _verb in VERBS:
    api_verb(_verb)
