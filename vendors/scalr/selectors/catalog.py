"""What an environment holds besides farms: scripts, DNS zones, global variable scopes, Apache vhosts,
deployments, images (bundle tasks); always within the user's teams."""

from __future__ import annotations

from django.db.models import QuerySet

from console.params import digits
from console.teams.models import Role
from vendors.scalr import models
from vendors.scalr.filters import ScriptFilter, ZoneFilter
from vendors.scalr.selectors.connections import connections_for_user, environments_for_user, get, user_teams
from vendors.scalr.selectors.farms import farm_roles_for_user, server_get


# -- scripts -------------------------------------------------------------------------------------
def script_list(*, environments, params) -> ScriptFilter:
    scripts = models.Script.objects.filter(environment__in=environments) \
        .select_related("environment", "environment__connection__team").order_by("name", "environment__name", "pk")
    return ScriptFilter(params, scripts)


def script_get(*, user, pk: int) -> models.Script:
    return get(models.Script.objects.filter(environment__connection__team__in=user_teams(user))
               .select_related("environment", "environment__connection", "environment__connection__team"),
               pk, "script")


def script_targets(*, user, script: models.Script, server_pk: str = "",
                   farm_pk: str = "") -> tuple[list[tuple[str, str]], dict[str, object]]:
    """Choices for "Run on" and the objects behind them: the environment's running farms (or the farm
    asked for), their roles, and the server asked for."""
    env = script.environment
    objects: dict[str, object] = {}
    if (server_id := digits(server_pk)) is not None:
        server = server_get(user=user, pk=server_id)
        if server.farm.environment_id == env.pk:
            objects[f"server:{server.pk}"] = server
    farms = env.farms.filter(status=models.FarmStatus.RUNNING)
    if (farm_id := digits(farm_pk)) is not None:
        farms = env.farms.filter(pk=farm_id)
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


# -- DNS -----------------------------------------------------------------------------------------
def zone_list(*, environments, params) -> ZoneFilter:
    zones = models.DnsZone.objects.filter(environment__in=environments) \
        .select_related("environment", "environment__connection", "farm").order_by("name")
    return ZoneFilter(params, zones)


def zone_get(*, user, pk: int) -> models.DnsZone:
    return get(models.DnsZone.objects.filter(environment__connection__team__in=user_teams(user))
               .select_related("environment", "environment__connection", "environment__connection__team", "farm"),
               pk, "DNS zone")


def farms_in(*, environments) -> QuerySet[models.Farm]:
    return models.Farm.objects.filter(environment__in=environments).select_related("environment")


def farm_in(*, farms: QuerySet[models.Farm], pk, environment: models.Environment) -> models.Farm | None:
    return farms.filter(pk=pk, environment=environment).first()


def admin_anywhere(*, user) -> bool:
    """Whether the user is an admin of a team with a Scalr environment."""
    return environments_for_user(user=user, min_role=Role.ADMIN).exists()


# -- what an admin may change --------------------------------------------------------------------
def admin_environments(*, user, feature: str) -> list[models.Environment]:
    """The environments the user administers that offer `feature`."""
    return [e for e in environments_for_user(user=user, min_role=Role.ADMIN) if feature not in e.unavailable]


def admin_farm_roles(*, user, feature: str) -> list[models.FarmRole]:
    """The Query API farm roles the user administers whose environment offers `feature`."""
    return [fr for fr in farm_roles_for_user(user=user, min_role=Role.ADMIN, api="v1")
            .select_related("farm__environment") if feature not in fr.farm.environment.unavailable]


# -- global variables ----------------------------------------------------------------------------
def variable_scopes(*, environment: models.Environment, wanted: str) -> list[tuple[str, str]]:
    """(target, label) of where a variable may be set: the environment, its farms and farm roles, its
    roles, and the server asked for (`wanted`: "server:<id>")."""
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


def variable_target(*, environment: models.Environment, scope: str, scope_id: str):
    """What a variable set at `scope` is recorded against: its farm, or the environment."""
    target = environment.farms.filter(external_id=scope_id).first() if scope == "farm" else environment
    return target or environment


# -- Apache virtual hosts, deployments, images ---------------------------------------------------
def vhost_list(*, environments) -> QuerySet[models.ApacheVhost]:
    return models.ApacheVhost.objects.filter(environment__in=environments) \
        .select_related("environment", "environment__connection", "farm")


def applications_in(*, environment_ids) -> QuerySet[models.DmApplication]:
    return models.DmApplication.objects.filter(environment_id__in=environment_ids) \
        .select_related("environment", "environment__connection")


def deployment_sources(*, environments) -> QuerySet[models.DmSource]:
    return models.DmSource.objects.filter(environment__in=environments).select_related("environment")


def deployment_applications(*, environments) -> QuerySet[models.DmApplication]:
    return models.DmApplication.objects.filter(environment__in=environments).select_related("environment")


def bundle_task_list(*, user) -> QuerySet[models.BundleTask]:
    return models.BundleTask.objects.filter(connection__in=connections_for_user(user=user)) \
        .select_related("environment", "connection", "server", "server__farm")


def dm_application_get(*, user, pk: int) -> models.DmApplication:
    return get(models.DmApplication.objects.filter(environment__connection__team__in=user_teams(user))
               .select_related("environment", "environment__connection", "environment__connection__team"),
               pk, "application")


def application_get(*, applications: QuerySet[models.DmApplication], pk) -> models.DmApplication:
    return applications.get(pk=pk)
