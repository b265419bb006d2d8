"""Server actions: launch one more, reboot, terminate, suspend, resume, and an image (a bundle task)."""

from __future__ import annotations

from datetime import timedelta

from vendors.core.actions import Accepted, done, failed, still
from vendors.scalr import models
from vendors.scalr.client import budgeted_client
from vendors.scalr.client import records as r
from vendors.scalr.services.common import (farm_follower, farm_params, farm_url, follow_interval, performer, refresh,
                                           server_url, start)


def scalr_server_launch(*, farm_role: models.FarmRole, actor, increase_max_instances: bool):
    farm = farm_role.farm
    raise_max = " (raising max instances if it is reached)" if increase_max_instances else ""
    return start(connection=farm.connection, actor=actor, verb="scalr.server.launch", target=farm,
                 summary=f"Launch one more {farm_role} server in farm {farm.name}{raise_max}.",
                 params=farm_params(farm, farm_role_id=farm_role.external_id, role=str(farm_role),
                                     increase_max_instances=increase_max_instances),
                 target_url=farm_url(farm))


def _server_reached(wanted: set[str], verb: str):
    def settled(details: r.FarmDetails, p: dict) -> tuple[bool, str]:
        server_id = p["server_id"]
        server = next((s for s in details.servers if s.id == server_id), None)
        status = server.status if server else r.ServerStatus.TERMINATED
        label = models.ServerStatus(str(status)).label
        if str(status) in wanted:
            return True, f"Server {server_id[:8]} {verb}: {label}."
        return False, f"Server {server_id[:8]} is {label}."
    return settled


@performer("scalr.server.launch", follow=farm_follower(_server_reached({"running"}, "launched")))
def perform_server_launch(action, connection):
    p = action.params
    with budgeted_client(connection, p["env_id"]) as client:
        server_id = client.launch_server(env_id=p["env_id"], farm_role_id=p["farm_role_id"],
                                         increase_max_instances=p["increase_max_instances"])
    return Accepted(f"Scalr accepted the launch of server {server_id[:8]}; following it…", {"server_id": server_id})


def _server_params(server: models.Server, **extra) -> dict:
    return farm_params(server.farm, server_id=server.external_id, **extra)


def scalr_server_action(*, server: models.Server, actor, verb: str, options: dict | None = None):
    """reboot, terminate, suspend, resume: one sentence each, as the dialog states it."""
    options = {k: bool(v) for k, v in (options or {}).items()}
    name = f"server {server} of farm {server.farm.name}"
    summary = {
        "reboot": f"{'Hard' if options.get('hard') else 'Soft'} reboot {name}: it is unavailable while it restarts.",
        "terminate": f"Terminate {name}: the instance stops and is removed"
                     + (", and the role's min instances decreases by one." if options.get("decrease_min_instances")
                        else "; Scalr may launch a replacement to keep the role's minimum."),
        "suspend": f"Suspend {name}: the instance stops but keeps its disks.",
        "resume": f"Resume {name}: the suspended instance starts again.",
    }[verb]
    return start(connection=server.connection, actor=actor, verb=f"scalr.server.{verb}", target=server,
                 summary=summary, params=_server_params(server, **options), target_url=server_url(server))


def follow_reboot(action, connection):
    """Rebooted when Scalr records the server's RebootComplete after the request was sent."""
    p = action.params
    with budgeted_client(connection, p["env_id"]) as client:
        fetch = refresh(client, connection, p["env_id"], p["farm_id"])
    server = next((s for s in fetch.details.servers if s.id == p["server_id"]), None)
    if server is None:
        return done(f"Server {p['server_id'][:8]} is gone from the farm.")
    label = models.ServerStatus(str(server.status)).label
    sent = action.sent_at.replace(microsecond=0) - timedelta(seconds=1)  # Scalr's times are to the second
    complete = any(e.type == "RebootComplete" and p["server_id"] in (e.message or "")
                   and e.timestamp and e.timestamp >= sent for e in fetch.events)
    if complete:
        return done(f"Server {p['server_id'][:8]} rebooted: {label}.")
    return still(f"Server {p['server_id'][:8]} is {label}; waiting for Scalr's RebootComplete.", follow_interval())


@performer("scalr.server.reboot", follow=follow_reboot)
def perform_server_reboot(action, connection):
    p = action.params
    with budgeted_client(connection, p["env_id"]) as client:
        client.reboot_server(env_id=p["env_id"], server_id=p["server_id"], hard=p.get("hard", False))
    return Accepted("Scalr accepted the reboot; following the server…")


@performer("scalr.server.terminate", follow=farm_follower(_server_reached({"terminated"}, "terminated")))
def perform_server_terminate(action, connection):
    p = action.params
    with budgeted_client(connection, p["env_id"]) as client:
        client.terminate_server(env_id=p["env_id"], server_id=p["server_id"],
                                decrease_min_instances=p.get("decrease_min_instances", False),
                                force=p.get("force", False))
    return Accepted("Scalr accepted the termination; following the server…")


@performer("scalr.server.suspend", follow=farm_follower(_server_reached({"suspended"}, "suspended")))
def perform_server_suspend(action, connection):
    p = action.params
    with budgeted_client(connection, p["env_id"]) as client:
        client.suspend_server(env_id=p["env_id"], server_id=p["server_id"])
    return Accepted("Scalr accepted the suspension; following the server…")


@performer("scalr.server.resume", follow=farm_follower(_server_reached({"running"}, "resumed")))
def perform_server_resume(action, connection):
    p = action.params
    with budgeted_client(connection, p["env_id"]) as client:
        client.resume_server(env_id=p["env_id"], server_id=p["server_id"])
    return Accepted("Scalr accepted the resume; following the server…")


def scalr_server_image(*, server: models.Server, actor, role_name: str):
    return start(connection=server.connection, actor=actor, verb="scalr.server.image", target=server,
                 summary=f"Create image “{role_name}” from server {server} of farm {server.farm.name}: Scalr "
                         "snapshots it into a new role.",
                 params=_server_params(server, role_name=role_name), target_url=server_url(server))


def follow_bundle_task(action, connection):
    p, task_id = action.params, action.follow["task_id"]
    with budgeted_client(connection, p["env_id"]) as client:
        status = client.bundle_task_status(env_id=p["env_id"], bundle_task_id=task_id)
    models.BundleTask.objects.filter(connection=connection, external_id=task_id).update(
        status=status.status, failure_reason=status.failure_reason or "")
    if status.status == "failed":
        return failed(f"Bundle task #{task_id} failed: {status.failure_reason or 'no reason given'}")
    sentence = f"Bundle task #{task_id}: {status.status}."
    return done(sentence) if status.finished else still(sentence, follow_interval())


@performer("scalr.server.image", follow=follow_bundle_task)
def perform_server_image(action, connection):
    p = action.params
    server = connection.servers.filter(external_id=p["server_id"]).select_related("farm__environment").first()
    with budgeted_client(connection, p["env_id"]) as client:
        task_id = client.create_image(env_id=p["env_id"], server_id=p["server_id"], role_name=p["role_name"])
    environment = connection.environments.get(external_id=p["env_id"])
    models.BundleTask.objects.update_or_create(
        connection=connection, external_id=task_id,
        defaults={"environment": environment, "server": server, "server_external_id": p["server_id"],
                  "role_name": p["role_name"], "created_by": action.actor.username if action.actor else ""})
    return Accepted(f"Scalr accepted it as bundle task #{task_id}; following it…", {"task_id": task_id})
