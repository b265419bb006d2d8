"""Environment configuration: global variables, Apache virtual hosts, deployments (Dm*)."""

from __future__ import annotations

from django.core.cache import cache
from django.urls import reverse

from vendors.core import errors
from vendors.core.actions import action_secret_values
from vendors.scalr import models
from vendors.scalr.client import budgeted_client
from vendors.scalr.selectors.live import variables_cache_key
from vendors.scalr.services.common import catalog_refresh, env_params, performer, start


def scalr_variable_set(*, environment: models.Environment, actor, scope: str, scope_id, scope_label: str,
                       name: str, value: str, target, private: bool = False):
    return start(connection=environment.connection, actor=actor, verb="scalr.variable.set", target=target,
                 summary=f"Set {'private ' if private else ''}global variable {name} at {scope_label}: servers "
                         "read the new value on their next configuration update.",
                 params=env_params(environment, scope=scope, scope_id=scope_id, name=name, private=private),
                 target_url=reverse("scalr:variables") + f"?environment={environment.pk}&scope={scope}"
                            + (f"&scope_id={scope_id}" if scope_id else ""),
                 secret_payload={"value": value} if value else None)


@performer("scalr.variable.set")
def perform_variable_set(action, connection) -> str:
    p = action.params
    value = action_secret_values(action).get("value", "")
    scope = {p["scope"]: p["scope_id"]} if p["scope"] != "environment" else {}
    keyword = {"farm": "farm_id", "farmrole": "farm_role_id", "role": "role_id", "server": "server_id"}
    with budgeted_client(connection, p["env_id"]) as client:
        client.set_global_variable(env_id=p["env_id"], name=p["name"], value=value, private=p.get("private", False),
                                   **{keyword[k]: v for k, v in scope.items()})
    cache.delete(variables_cache_key(connection.pk, p["env_id"], p["scope"], p["scope_id"]))
    return f"{p['name']} saved."


# -- Apache virtual hosts --------------------------------------------------------------------
def scalr_vhost_create(*, farm_role: models.FarmRole, actor, domain_name: str, document_root: str, ssl: bool,
                       ssl_private_key: str, ssl_certificate: str):
    farm = farm_role.farm
    secrets = {"ssl_private_key": ssl_private_key, "ssl_certificate": ssl_certificate} if ssl else None
    return start(connection=farm.connection, actor=actor, verb="scalr.vhost.create", target=farm,
                 summary=f"Create Apache virtual host {domain_name} on {farm.name} / {farm_role} "
                         f"({document_root}{', SSL' if ssl else ''}).",
                 params=env_params(farm.environment, farm_id=farm.external_id, farm_role_id=farm_role.external_id,
                                    domain_name=domain_name, document_root=document_root, ssl=ssl),
                 target_url=reverse("scalr:vhosts"), secret_payload=secrets)


@performer("scalr.vhost.create")
def perform_vhost_create(action, connection) -> str:
    p = action.params
    pem = action_secret_values(action)
    with budgeted_client(connection, p["env_id"]) as client:
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
                 params=env_params(farm.environment, application_id=application.external_id,
                                    application=application.name, farm_role_id=farm_role.external_id,
                                    remote_path=remote_path),
                 target_url=reverse("scalr:deployments"))


@performer("scalr.app.deploy")
def perform_app_deploy(action, connection) -> str:
    p = action.params
    with budgeted_client(connection, p["env_id"]) as client:
        tasks = client.deploy_dm_application(env_id=p["env_id"], application_id=p["application_id"],
                                             farm_role_id=p["farm_role_id"], remote_path=p["remote_path"])
    failed = [t for t in tasks if t.error]
    lines = "; ".join(f"{t.server_id[:8]}: {t.error or t.status or 'queued'}" for t in tasks)
    if tasks and len(failed) == len(tasks):
        raise errors.VendorError(f"Every server refused the deployment: {lines}")
    return f"Deployment tasks on {len(tasks)} server(s): {lines}."
