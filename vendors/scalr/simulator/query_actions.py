"""Query API 2.3.0 actions on the inventory: environments, farms, servers, roles, scripts,
events, logs and global variables (scalr.md B7). Each returns the response's fields in order."""

from __future__ import annotations

import base64
import time

from vendors.scalr.simulator import model as m
from vendors.scalr.simulator.query_common import Call, QueryError, action, mysql_time, paged
from vendors.scalr.simulator.world import CONFIG_VARIABLE

RESULT = {"Result": True}


@action("Hello")
def hello(sim, call: Call) -> dict:
    return RESULT


@action("EnvironmentsList", since="2.3.0")
def environments_list(sim, call: Call) -> dict:
    envs = [sim.world.envs[i] for i in sim.visible_env_ids(call.credential)]
    return {"EnvironmentSet": [{"ID": env.id, "Name": env.name} for env in envs]}


@action("FarmsList")
def farms_list(sim, call: Call) -> dict:
    farms = sim.world.farms_of(call.env_id)
    fields = [{"ID": f.id, "Name": f.name, "Status": f.status, "Comments": f.description} for f in farms]
    if call.version == "2.0.0":
        fields = [{**item, "Region": ""} for item in fields]
    return {"FarmSet": fields}


def _server_item(sim, server: m.Server) -> dict:
    world = sim.world
    item = {
        "ServerID": server.id, "ExternalIP": server.public_ip, "InternalIP": server.private_ip,
        "PublicIP": server.public_ip, "PrivateIP": server.private_ip,
        "CloudLocation": server.location, "CloudLocationZone": server.zone,
        "Status": server.status, "IsInitFailed": int(server.is_init_failed), "IsRebooting": int(server.is_rebooting),
        "Index": server.index, "ScalarizrVersion": server.agent_version,
        "Uptime": round((time.time() - server.added) / 60, 2), "IsDbMaster": int(server.is_db_master),
    }
    if server.platform == "ec2":
        role = world.roles.get(world.farm_roles[server.farm_role_id].role_id)
        ami = next((world.images[i].cloud_image_id for i in (role.image_ids if role else [])
                    if world.images[i].platform == "ec2"), "")
        item["PlatformProperties"] = {"InstanceType": server.instance_type, "AvailabilityZone": server.zone,
                                      "AMIID": ami, "InstanceID": server.cloud_server_id}
    return item


def _farm_role_item(sim, role: m.FarmRole) -> dict:
    world = sim.world
    item = {"ID": role.id, "RoleID": role.role_id,
            "Name": world.roles[role.role_id].name if role.role_id in world.roles else "",
            "Alias": role.alias, "Platform": role.platform, "Category": role.category,
            "ScalingProperties": {"MinInstances": role.min_instances, "MaxInstances": role.max_instances}}
    if role.platform == "ec2":
        item["PlatformProperties"] = {"InstanceType": role.instance_type, "AvailabilityZone": role.zone}
    elif role.platform == "openstack":
        item["PlatformProperties"] = {"FlavorID": role.instance_type, "FloatingIPPool": "public"}
    item["ServerSet"] = [_server_item(sim, s) for s in world.servers_of(farm_role_id=role.id)]
    item["CloudLocation"] = role.location
    item["IsScalingEnabled"] = int(role.scaling_enabled)
    item["ScalingAlgorithmSet"] = [{"MetricID": 1, "MetricName": "LoadAverages", "DateLastPolled": ""}] \
        if role.scaling_enabled and role.max_instances > role.min_instances else []
    return item


@action("FarmGetDetails", "FarmID")
def farm_get_details(sim, call: Call) -> dict:
    farm = sim.world.farm(call.env_id, call.int("FarmID"))
    fields = {"Farm": {"ID": farm.id, "Status": farm.status},
              "FarmRoleSet": [_farm_role_item(sim, r) for r in sim.world.roles_of_farm(farm.id)],
              "ID": farm.id, "Name": farm.name, "IsLocked": True if farm.lock else ""}
    if farm.lock:
        fields["LockComment"] = farm.lock.comment
        fields["LockedBy"] = farm.lock.user_id
    return fields


@action("FarmLaunch", "FarmID")
def farm_launch(sim, call: Call) -> dict:
    sim.world.launch_farm(sim.world.farm(call.env_id, call.int("FarmID")))
    return RESULT


@action("FarmTerminate", "FarmID", "KeepEBS", "KeepEIP", "KeepDNSZone")
def farm_terminate(sim, call: Call) -> dict:
    farm = sim.world.farm(call.env_id, call.int("FarmID"))
    sim.world.terminate_farm(farm, keep_ebs=call.flag("KeepEBS"), keep_eip=call.flag("KeepEIP"),
                             keep_dns_zone=call.flag("KeepDNSZone"))
    return RESULT


@action("FarmClone", "FarmID", since="2.3.0")
def farm_clone(sim, call: Call) -> dict:
    clone = sim.world.clone_farm(sim.world.farm(call.env_id, call.int("FarmID")))
    return {"FarmID": clone.id}


@action("ServerLaunch", "FarmRoleID")
def server_launch(sim, call: Call) -> dict:
    role = sim.world.farm_role(call.env_id, call.int("FarmRoleID"))
    server = sim.world.launch_server(role, increase_max=call.flag("IncreaseMaxInstances"))
    return {"ServerID": server.id, "CloudServerID": server.cloud_server_id}


@action("ServerReboot", "ServerID")
def server_reboot(sim, call: Call) -> dict:
    sim.world.reboot_server(sim.world.server(call.env_id, call.get("ServerID")))
    return RESULT


@action("ServerTerminate", "ServerID")
def server_terminate(sim, call: Call) -> dict:
    server = sim.world.server(call.env_id, call.get("ServerID"))
    sim.world.terminate_server(server, decrease_min=call.flag("DecreaseMinInstancesSetting"))
    return RESULT


@action("RolesList")
def roles_list(sim, call: Call) -> dict:
    world = sim.world
    items = []
    for role in sorted(world.roles.values(), key=lambda r: r.id):
        images = [world.images[i] for i in role.image_ids]
        if call.get("Platform") and not any(i.platform == call.get("Platform") for i in images):
            continue
        if call.get("ImageID") and not any(i.cloud_image_id == call.get("ImageID") for i in images):
            continue
        if call.get("Name") and role.name != call.get("Name"):
            continue
        if call.get("Prefix") and not role.name.startswith(call.get("Prefix")):
            continue
        items.append({"ID": role.id, "Name": role.name, "Owner": role.owner, "Architecture": role.architecture,
                      "OsFamily": role.os_family, "OsVersion": role.os_version,
                      "OsGeneration": role.os_version.split(".")[0], "OsID": role.os_id,
                      "CreatedAt": mysql_time(role.added), "CreatedBy": role.owner,
                      "ImageSet": [{"ID": i.cloud_image_id, "Platform": i.platform, "CloudLocation": i.location}
                                   for i in images]})
    return {"RoleSet": items}


@action("ScriptsList")
def scripts_list(sim, call: Call) -> dict:
    scripts = sorted((s for s in sim.world.scripts.values() if s.env_id in (0, call.env_id)), key=lambda s: s.id)
    return {"ScriptSet": [{"ID": s.id, "Name": s.name, "Description": s.description,
                           "LatestRevision": s.latest.version} for s in scripts]}


@action("ScriptGetDetails", "ScriptID")
def script_get_details(sim, call: Call) -> dict:
    script = sim.world.script(call.env_id, call.int("ScriptID"))
    versions = list(reversed(script.versions))
    if call.get("Revision"):
        versions = [sim.world.script_version(script, call.int("Revision"))]
    items = []
    for version in versions[:9]:
        item = {"Revision": version.version, "Date": mysql_time(version.added)}
        if call.flag("ShowContent"):
            item["Content"] = base64.b64encode(version.body.encode()).decode()
        names = dict.fromkeys(CONFIG_VARIABLE.findall(version.body))
        item["ConfigVariables"] = [{"Name": name} for name in names]
        items.append(item)
    return {"ScriptID": script.id, "ScriptRevisionSet": items, "RevisionsNum": len(script.versions)}


@action("ScriptExecute", "ScriptID", "Timeout", "Async", "FarmID")
def script_execute(sim, call: Call) -> dict:
    world = sim.world
    script = world.script(call.env_id, call.int("ScriptID"))
    farm = world.farm(call.env_id, call.int("FarmID"))
    if call.get("ServerID"):
        servers = [world.server(call.env_id, call.get("ServerID"))]
        if servers[0].farm_id != farm.id:
            raise QueryError(f"Server ID#{servers[0].id} is not a part of farm ID#{farm.id}")
    elif call.get("FarmRoleID"):
        role = world.farm_role(call.env_id, call.int("FarmRoleID"))
        if role.farm_id != farm.id:
            raise QueryError(f"Farm role ID#{role.id} is not a part of farm ID#{farm.id}")
        servers = world.servers_of(farm_role_id=role.id)
    else:
        servers = world.servers_of(farm_id=farm.id)
    servers = [s for s in servers if s.status in ("Running", "Initializing")]
    version = world.script_version(script, call.int("Revision") or None)
    world.execute_script(script, version, servers, blocking=not call.flag("Async"), timeout=call.int("Timeout"),
                         variables=call.array("ConfigVariables"))
    return RESULT


@action("EventsList", "FarmID")
def events_list(sim, call: Call) -> dict:
    farm = sim.world.farm(call.env_id, call.int("FarmID"))
    events = sim.world.newest_first(sim.world.events.get(farm.id, []))
    start, limit, page = paged(call, events)
    return {"TotalRecords": len(events), "StartFrom": start, "RecordsLimit": limit,
            "EventSet": [{"ID": e.id, "Type": e.type, "Timestamp": int(e.timestamp), "Message": e.message}
                         for e in page]}


@action("LogsList", "FarmID")
def logs_list(sim, call: Call) -> dict:
    farm = sim.world.farm(call.env_id, call.int("FarmID"))
    logs = sim.world.newest_first(sim.world.logs.get(farm.id, []))
    if call.get("ServerID"):
        logs = [entry for entry in logs if entry.server_id == call.get("ServerID")]
    start, limit, page = paged(call, logs)
    return {"TotalRecords": len(logs), "StartFrom": start, "RecordsLimit": limit,
            "LogSet": [{"ServerID": e.server_id, "Message": e.message, "Severity": e.severity,
                        "Timestamp": int(e.timestamp), "Source": e.source, "Count": e.count} for e in page]}


def _variable_target(sim, call: Call) -> tuple[str, str]:
    """The first non-empty of ServerID, FarmID, FarmRoleID, RoleID decides the scope."""
    world = sim.world
    if call.get("ServerID"):
        return "server", world.server(call.env_id, call.get("ServerID")).id
    if call.int("FarmID"):
        return "farm", str(world.farm(call.env_id, call.int("FarmID")).id)
    if call.int("FarmRoleID"):
        return "farmrole", str(world.farm_role(call.env_id, call.int("FarmRoleID")).id)
    if call.int("RoleID"):
        return "role", str(world.role(call.int("RoleID")).id)
    return "environment", str(call.env_id)


@action("GlobalVariablesList")
def global_variables_list(sim, call: Call) -> dict:
    scope, scope_id = _variable_target(sim, call)
    items = sim.world.list_variables(scope, scope_id, call.env_id)
    return {"VariableSet": [{"Name": v["name"], "Value": v["computed_value"], "Private": int(v["hidden"])}
                            for v in items]}


@action("GlobalVariableSet", "ParamName", "ParamValue")
def global_variable_set(sim, call: Call) -> dict:
    scope, scope_id = _variable_target(sim, call)
    existing = [v for v in sim.world.list_variables(scope, scope_id, call.env_id) if v["name"] == call.get("ParamName")]
    if existing and existing[0]["locked"] and existing[0]["declared_in"] != scope:
        raise QueryError(f"You can't change the value of locked variable '{call.get('ParamName')}'")
    sim.world.set_variable(scope, scope_id, call.get("ParamName"), call.get("ParamValue"))
    return RESULT


def running_servers(world, farm_role_id: int) -> list[m.Server]:
    return [s for s in world.servers_of(farm_role_id=farm_role_id) if s.status == "Running"]
