"""Running a script on a farm, a farm role or one server."""

from __future__ import annotations

from django.urls import reverse

from vendors.core.actions import action_secret_values
from vendors.scalr import models
from vendors.scalr.client import budgeted_client
from vendors.scalr.services.common import env_params, performer, start


def script_run_on(key: str, obj) -> tuple[models.Farm, dict]:
    """What a "Run on" choice (`farm:<pk>`, `role:<pk>`, `server:<pk>`, see `selectors.script_targets`)
    means to Scalr: the farm, and the ids ExecuteScript takes."""
    kind = key.split(":")[0]
    farm = obj if kind == "farm" else obj.farm
    params = {"farm_id": farm.external_id}
    if kind == "role":
        params["farm_role_id"] = obj.external_id
    elif kind == "server":
        params["server_id"] = obj.external_id
    return farm, params


def scalr_script_execute(*, script: models.Script, actor, target_label: str, target: dict, revision: int,
                         timeout: int, blocking: bool, config_variables: dict[str, str], farm: models.Farm):
    names = ", ".join(sorted(config_variables)) or "none"
    return start(connection=script.environment.connection, actor=actor, verb="scalr.script.execute", target=farm,
                 summary=f"Run script “{script.name}” revision {revision} on {target_label} "
                         f"({'blocking' if blocking else 'async'}, timeout {timeout} s, variables: {names}).",
                 params=env_params(script.environment, script_id=script.external_id, revision=revision,
                                    timeout=timeout, blocking=blocking, **target,
                                    variable_names=sorted(config_variables)),
                 target_url=reverse("scalr:farm-detail", args=[farm.pk]),
                 secret_payload=config_variables or None)


@performer("scalr.script.execute")
def perform_script_execute(action, connection) -> str:
    p = action.params
    variables = action_secret_values(action)
    with budgeted_client(connection, p["env_id"]) as client:
        started = client.execute_script(env_id=p["env_id"], script_id=p["script_id"], farm_id=p["farm_id"],
                                        farm_role_id=p.get("farm_role_id"), server_id=p.get("server_id"),
                                        revision=p["revision"], timeout=p["timeout"], blocking=p["blocking"],
                                        config_variables=variables or None)
    if started.execution_ids:
        return f"Scalr started the script on {len(started.execution_ids)} server(s)."
    return "Scalr accepted the script; it runs on the target's running and initializing servers."
