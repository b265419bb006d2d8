"""Environment-wide actions: scripts, global variables, DNS, Apache vhosts, deployments (Dm*).

Same shape as `services`: a starter records the ActionRun, a performer talks to Scalr.
Secret inputs (a variable's value, an SSL key and certificate) travel in the action's
encrypted payload, never in its parameters, and are gone once the action ran.
"""

from __future__ import annotations

from django.core.cache import cache
from django.urls import reverse

from vendors.core import errors
from vendors.core.actions import action_secret_values
from vendors.scalr import models, records as r
from vendors.scalr.polling import budget_for, client_for
from vendors.scalr.services import Session, performer, start
from vendors.scalr.sync import EnvInventory, scalr_catalog_sync


def _env_params(environment: models.Environment, **extra) -> dict:
    return {"env_id": environment.external_id, "environment": environment.name, **extra}


def catalog_refresh(connection, env_id: int, *names: str) -> None:
    """Read some environment lists again (after a change) and write them."""
    environment = connection.environments.get(external_id=env_id)
    inventory = EnvInventory(environment=r.Environment(environment.external_id, environment.name), farms=[])
    methods = {"dns_zones": "list_dns_zones", "vhosts": "list_apache_vhosts"}
    with client_for(connection) as client:
        try:
            for name in names:
                setattr(inventory, name, getattr(client, methods[name])(env_id=env_id))
        finally:
            budget_for(connection, env_id).spend(sum(client.request_counts.values()))
    scalr_catalog_sync(connection=connection, inventory=inventory)


# -- scripts ---------------------------------------------------------------------------------
def scalr_script_execute(*, script: models.Script, actor, target_label: str, target: dict, revision: int,
                         timeout: int, blocking: bool, config_variables: dict[str, str], farm: models.Farm):
    names = ", ".join(sorted(config_variables)) or "none"
    return start(connection=script.environment.connection, actor=actor, verb="scalr.script.execute", target=farm,
                 summary=f"Run script “{script.name}” revision {revision} on {target_label} "
                         f"({'blocking' if blocking else 'async'}, timeout {timeout} s, variables: {names}).",
                 params=_env_params(script.environment, script_id=script.external_id, revision=revision,
                                    timeout=timeout, blocking=blocking, **target,
                                    variable_names=sorted(config_variables)),
                 target_url=reverse("scalr:farm-detail", args=[farm.pk]),
                 secret_payload=config_variables or None)


@performer("scalr.script.execute")
def perform_script_execute(action, connection) -> str:
    p = action.params
    variables = action_secret_values(action)
    with Session(connection, p["env_id"]) as client:
        started = client.execute_script(env_id=p["env_id"], script_id=p["script_id"], farm_id=p["farm_id"],
                                        farm_role_id=p.get("farm_role_id"), server_id=p.get("server_id"),
                                        revision=p["revision"], timeout=p["timeout"], blocking=p["blocking"],
                                        config_variables=variables or None)
    if started.execution_ids:
        return f"Scalr started the script on {len(started.execution_ids)} server(s)."
    return "Scalr accepted the script; it runs on the target's running and initializing servers."


# -- global variables ------------------------------------------------------------------------
def scalr_variable_set(*, environment: models.Environment, actor, scope: str, scope_id, scope_label: str,
                       name: str, value: str, target):
    return start(connection=environment.connection, actor=actor, verb="scalr.variable.set", target=target,
                 summary=f"Set global variable {name} at {scope_label}: servers read the new value on their "
                         "next configuration update.",
                 params=_env_params(environment, scope=scope, scope_id=scope_id, name=name),
                 target_url=reverse("scalr:variables") + f"?environment={environment.pk}&scope={scope}"
                            + (f"&scope_id={scope_id}" if scope_id else ""),
                 secret_payload={"value": value} if value else None)


@performer("scalr.variable.set")
def perform_variable_set(action, connection) -> str:
    p = action.params
    value = action_secret_values(action).get("value", "")
    scope = {p["scope"]: p["scope_id"]} if p["scope"] != "environment" else {}
    keyword = {"farm": "farm_id", "farmrole": "farm_role_id", "role": "role_id", "server": "server_id"}
    with Session(connection, p["env_id"]) as client:
        client.set_global_variable(env_id=p["env_id"], name=p["name"], value=value,
                                   **{keyword[k]: v for k, v in scope.items()})
    cache.delete(variables_cache_key(connection.pk, p["env_id"], p["scope"], p["scope_id"]))
    return f"{p['name']} saved."


def variables_cache_key(connection_pk, env_id, scope, scope_id) -> str:
    return f"scalr:vars:{connection_pk}:{env_id}:{scope}:{scope_id or ''}"


# -- DNS -------------------------------------------------------------------------------------
def scalr_dns_zone_create(*, environment: models.Environment, actor, domain_name: str,
                          farm: models.Farm | None):
    linked = f", serving farm {farm.name}" if farm else ""
    return start(connection=environment.connection, actor=actor, verb="scalr.dns.zone_create", target=environment,
                 summary=f"Create DNS zone {domain_name} in {environment.name}{linked}: Scalr starts answering for it.",
                 params=_env_params(environment, domain_name=domain_name,
                                    farm_id=farm.external_id if farm else None),
                 target_url=reverse("scalr:dns-list"))


@performer("scalr.dns.zone_create")
def perform_dns_zone_create(action, connection) -> str:
    p = action.params
    with Session(connection, p["env_id"]) as client:
        client.create_dns_zone(env_id=p["env_id"], domain_name=p["domain_name"], farm_id=p.get("farm_id"))
    catalog_refresh(connection, p["env_id"], "dns_zones")
    return f"Zone {p['domain_name']} created."


def records_cache_key(env_pk: int, zone_name: str) -> str:
    return f"scalr:dns:{env_pk}:{zone_name}"


def scalr_dns_record_add(*, zone: models.DnsZone, actor, record: dict):
    return start(connection=zone.environment.connection, actor=actor, verb="scalr.dns.record_add", target=zone,
                 summary=f"Add {record['type']} record {record['name']} → {record['value']} (TTL {record['ttl']}) "
                         f"to {zone.name}.",
                 params=_env_params(zone.environment, zone=zone.name, zone_pk=zone.pk, record=record),
                 target_url=reverse("scalr:dns-zone", args=[zone.pk]))


@performer("scalr.dns.record_add")
def perform_dns_record_add(action, connection) -> str:
    p = action.params
    rec = p["record"]
    with Session(connection, p["env_id"]) as client:
        client.add_dns_record(env_id=p["env_id"], zone_name=p["zone"], type=rec["type"], ttl=rec["ttl"],
                              name=rec["name"], value=rec["value"], priority=rec.get("priority") or 0,
                              weight=rec.get("weight") or 0, port=rec.get("port") or 0)
    cache.delete(records_cache_key(connection.environments.get(external_id=p["env_id"]).pk, p["zone"]))
    return "Record added."


def scalr_dns_record_remove(*, zone: models.DnsZone, actor, record: r.DnsRecord):
    return start(connection=zone.environment.connection, actor=actor, verb="scalr.dns.record_remove", target=zone,
                 summary=f"Remove {record.type} record {record.name} → {record.value} from {zone.name}: resolvers "
                         f"stop seeing it within its TTL ({record.ttl} s).",
                 params=_env_params(zone.environment, zone=zone.name, record_id=record.id),
                 target_url=reverse("scalr:dns-zone", args=[zone.pk]))


@performer("scalr.dns.record_remove")
def perform_dns_record_remove(action, connection) -> str:
    p = action.params
    with Session(connection, p["env_id"]) as client:
        client.remove_dns_record(env_id=p["env_id"], zone_name=p["zone"], record_id=p["record_id"])
    cache.delete(records_cache_key(connection.environments.get(external_id=p["env_id"]).pk, p["zone"]))
    return "Record removed."


# -- Apache virtual hosts --------------------------------------------------------------------
def scalr_vhost_create(*, farm_role: models.FarmRole, actor, domain_name: str, document_root: str, ssl: bool,
                       ssl_private_key: str, ssl_certificate: str):
    farm = farm_role.farm
    secrets = {"ssl_private_key": ssl_private_key, "ssl_certificate": ssl_certificate} if ssl else None
    return start(connection=farm.connection, actor=actor, verb="scalr.vhost.create", target=farm,
                 summary=f"Create Apache virtual host {domain_name} on {farm.name} / {farm_role} "
                         f"({document_root}{', SSL' if ssl else ''}).",
                 params=_env_params(farm.environment, farm_id=farm.external_id, farm_role_id=farm_role.external_id,
                                    domain_name=domain_name, document_root=document_root, ssl=ssl),
                 target_url=reverse("scalr:vhosts"), secret_payload=secrets)


@performer("scalr.vhost.create")
def perform_vhost_create(action, connection) -> str:
    p = action.params
    pem = action_secret_values(action)
    with Session(connection, p["env_id"]) as client:
        client.create_apache_vhost(env_id=p["env_id"], domain_name=p["domain_name"], farm_id=p["farm_id"],
                                   farm_role_id=p["farm_role_id"], document_root=p["document_root"], ssl=p["ssl"],
                                   ssl_private_key=pem.get("ssl_private_key"),
                                   ssl_certificate=pem.get("ssl_certificate"))
    catalog_refresh(connection, p["env_id"], "vhosts")
    return f"Virtual host {p['domain_name']} created."


# -- deployments (Dm*) -----------------------------------------------------------------------
def scalr_app_deploy(*, application: models.DmApplication, farm_role: models.FarmRole, actor, remote_path: str):
    farm = farm_role.farm
    return start(connection=farm.connection, actor=actor, verb="scalr.app.deploy", target=farm,
                 summary=f"Deploy {application.name} to {remote_path} on every running server of "
                         f"{farm.name} / {farm_role}.",
                 params=_env_params(farm.environment, application_id=application.external_id,
                                    application=application.name, farm_role_id=farm_role.external_id,
                                    remote_path=remote_path),
                 target_url=reverse("scalr:deployments"))


@performer("scalr.app.deploy")
def perform_app_deploy(action, connection) -> str:
    p = action.params
    with Session(connection, p["env_id"]) as client:
        tasks = client.deploy_dm_application(env_id=p["env_id"], application_id=p["application_id"],
                                             farm_role_id=p["farm_role_id"], remote_path=p["remote_path"])
    failed = [t for t in tasks if t.error]
    lines = "; ".join(f"{t.server_id[:8]}: {t.error or t.status or 'queued'}" for t in tasks)
    if tasks and len(failed) == len(tasks):
        raise errors.VendorError(f"Every server refused the deployment: {lines}")
    return f"Deployment tasks on {len(tasks)} server(s): {lines}."
