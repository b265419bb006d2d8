"""World objects rendered as APIv2 JSON objects (scalr.md A8, A9)."""

from __future__ import annotations

import time

from vendors.scalr.simulator import model as m

FARM_STATUS = {m.FARM_TERMINATED: "terminated", m.FARM_RUNNING: "running", m.FARM_TERMINATING: "pending_terminate",
               m.FARM_SYNCHRONIZING: "running"}
PLACEMENT = {"ec2": ("AwsClassicPlacementConfiguration", "AwsInstanceConfiguration"),
             "openstack": ("OpenstackPlacementConfiguration", "OpenstackInstanceConfiguration")}


def stamp(timestamp: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp)) if timestamp else None


def server_status(status: str) -> str:
    return status.lower().replace(" ", "_")


def environment(env: m.Environment) -> dict:
    return {"id": env.id, "name": env.name, "status": env.status, "costCenter": {"id": None},
            "added": stamp(env.added)}


def farm(world, target: m.Farm) -> dict:
    owner = world.user(target.owner_id)
    data = {"id": target.id, "name": target.name, "description": target.description,
            "project": {"id": target.project_id}, "owner": {"id": owner.id, "email": owner.email}, "teams": [],
            "timezone": target.timezone, "vpc": None, "launchOrder": target.launch_order,
            "status": FARM_STATUS[target.status]}
    if target.lock:
        data["locked"] = {"comment": target.lock.comment, "unlockPermission": target.lock.unlock_permission,
                          "user": {"id": target.lock.user_id}}
    return data


def scaling(role: m.FarmRole) -> dict:
    return {"enabled": role.scaling_enabled, "minInstances": role.min_instances,
            "maxInstances": role.max_instances, "rules": []}


def farm_role(role: m.FarmRole) -> dict:
    placement, instance = PLACEMENT.get(role.platform, ("PlacementConfiguration", "InstanceConfiguration"))
    return {"id": role.id, "alias": role.alias, "farm": {"id": role.farm_id}, "role": {"id": role.role_id},
            "platform": role.platform,
            "placement": {"placementConfigurationType": placement, "region": role.location,
                          "availabilityZones": [role.zone]},
            "instance": {"instanceConfigurationType": instance, "instanceType": {"id": role.instance_type}},
            "scaling": scaling(role)}


def server(target: m.Server) -> dict:
    return {"id": target.id, "cloudPlatform": target.platform, "cloudLocation": target.location,
            "cloudServerId": target.cloud_server_id or None, "type": target.instance_type,
            "instanceType": {"id": target.instance_type}, "launched": stamp(target.added), "index": target.index,
            "status": server_status(target.status), "farm": {"id": target.farm_id},
            "farmRole": {"id": target.farm_role_id},
            "publicIp": [target.public_ip] if target.public_ip else [],
            "privateIp": [target.private_ip] if target.private_ip else [],
            "launchedBy": {"id": 1}, "hostname": target.hostname or None, "launchReason": target.launch_reason,
            "scalrAgent": {"version": target.agent_version or None,
                           "reachabilityStatus": "reachable" if target.status == "Running" else "unknown",
                           "initializationStatus": "initialized" if target.agent_version else "pending"},
            "suspended": target.status == "Suspended", "alerts": [], "operations": []}


def role(target: m.Role) -> dict:
    return {"id": target.id, "name": target.name, "description": target.description,
            "category": {"id": target.category_id}, "os": {"id": target.os_id}, "builtinAutomation": [],
            "deprecated": False, "quickStart": False, "useScalrAgent": True, "scope": "environment"}


def image(target: m.Image) -> dict:
    return {"id": target.id, "name": target.name, "cloudPlatform": target.platform,
            "cloudLocation": target.location, "cloudImageId": target.cloud_image_id,
            "architecture": target.architecture, "os": {"id": target.os_id}, "scope": "environment",
            "source": target.source, "status": target.status, "statusError": None, "size": None, "type": None,
            "added": stamp(target.added), "lastUsed": None, "deprecated": False, "scalrAgentInstalled": True,
            "cloudInitInstalled": False}


def script(target: m.Script) -> dict:
    return {"id": target.id, "name": target.name, "description": target.description, "osType": target.os_type,
            "blockingDefault": True, "timeoutDefault": 180, "scope": "environment", "added": stamp(target.added),
            "lastChanged": stamp(target.latest.added)}


def script_version(parent: m.Script, version: m.ScriptVersion) -> dict:
    return {"script": {"id": parent.id}, "version": version.version, "body": version.body,
            "added": stamp(version.added)}


def script_execution(execution: m.ScriptExecution) -> dict:
    return {"id": execution.id, "script": {"id": execution.script_id}, "scriptVersion": execution.version,
            "server": {"id": execution.server_id}, "blocking": execution.blocking, "timeout": execution.timeout,
            "status": execution.status, "exitCode": execution.exit_code, "added": stamp(execution.added)}


def event_log(event: m.Event) -> dict:
    return {"id": event.id, "event": {"id": event.type}, "farm": {"id": event.farm_id},
            "server": {"id": event.server_id} if event.server_id else None, "message": event.message,
            "added": stamp(event.timestamp)}


def variable(entry: dict) -> dict:
    return {"name": entry["name"], "value": entry["value"], "category": entry["category"],
            "description": entry["description"], "hidden": entry["hidden"], "locked": entry["locked"],
            "outputFormat": "", "validationPattern": "", "requiredIn": "", "declaredIn": entry["declared_in"],
            "computedValue": entry["computed_value"], "computedCategory": entry["category"]}
