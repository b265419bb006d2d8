"""Farm and server actions: started from a page, run by a Celery task, followed until the state settles.

Each `scalr_<object>_<verb>` records an audited ActionRun (what the confirmation dialog
said) and queues `tasks.run_action`; the matching `perform_*` talks to Scalr, refreshes
the farm in the database while it follows the change, and returns the outcome sentence.
A refusal raises the client's VendorError, so the page and the audit log show Scalr's
own words (with its request id).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.urls import reverse

from vendors.core import errors
from vendors.core.actions import Accepted, action_start, default_follow_seconds, done, failed, still
from vendors.core.actions import performer as core_performer
from vendors.scalr import models, records as r
from vendors.scalr.polling import budget_for, client_for, fetch_farm
from vendors.scalr.sync import FarmFetch, scalr_farm_sync

def start(*, connection, actor, verb: str, target, summary: str, params: dict, target_url: str,
          secret_payload: dict | None = None):
    return action_start(connection=connection, actor=actor, verb=verb, target=target, summary=summary,
                        params=params, target_url=target_url, secret_payload=secret_payload)


def follow_seconds() -> float:
    """How long a task follows a change: within the task's time limit on a worker, not at all when
    Celery runs tasks eagerly in the web request (the open page follows the farm instead)."""
    configured = getattr(settings, "SCALR_FOLLOW_SECONDS", None)
    if configured is not None:
        return float(configured)
    from celery import current_app

    if current_app.conf.task_always_eager:
        return 0.0
    return default_follow_seconds()


def follow_interval() -> float:
    return float(getattr(settings, "SCALR_FOLLOW_INTERVAL_SECONDS", 5))


def performer(verb: str, *, follow=None):
    return core_performer(verb, follow=follow, follow_seconds=follow_seconds)


def farm_follower(settled: Callable[[r.FarmDetails, dict], tuple[bool, str]]):
    """A follower that re-reads the action's farm (writing it, so the page agrees) and asks `settled`."""
    def follow(action, connection):
        p = action.params
        with Session(connection, p["env_id"]) as client:
            details = refresh(client, connection, p["env_id"], p["farm_id"]).details
        is_settled, sentence = settled(details, {**p, **action.follow})
        return done(sentence) if is_settled else still(sentence, follow_interval())
    return follow


class Session:
    """A client for one action, counting its requests against the environment's budget."""

    def __init__(self, connection, env_id: int):
        self.connection, self.env_id = connection, int(env_id)

    def __enter__(self):
        self.client = client_for(self.connection)
        return self.client

    def __exit__(self, *exc):
        budget_for(self.connection, self.env_id).spend(sum(self.client.request_counts.values()))
        self.client.close()


def refresh(client, connection, env_id: int, farm_id: int) -> FarmFetch:
    fetch = fetch_farm(client, env_id, farm_id, with_logs=False)
    if fetch is None:
        raise errors.NotFound(f"Farm #{farm_id} does not exist any more at Scalr.")
    scalr_farm_sync(connection=connection, fetch=fetch)
    return fetch


def _count(servers, *statuses) -> int:
    return sum(1 for s in servers if s.status in statuses)


def farm_url(farm: models.Farm) -> str:
    return reverse("scalr:farm-detail", args=[farm.pk])


def server_url(server: models.Server) -> str:
    return reverse("scalr:server-detail", args=[server.pk])


def _farm_params(farm: models.Farm, **extra) -> dict:
    return {"env_id": farm.environment.external_id, "farm_id": farm.external_id, "farm": farm.name, **extra}


# -- farms -----------------------------------------------------------------------------------
def scalr_farm_launch(*, farm: models.Farm, actor):
    minimum = sum(role.min_instances for role in farm.farm_roles.all())
    return start(connection=farm.connection, actor=actor, verb="scalr.farm.launch", target=farm,
                 summary=f"Launch farm {farm.name}: Scalr starts {minimum} server(s), the minimum of its roles.",
                 params=_farm_params(farm), target_url=farm_url(farm))


def _launched(details: r.FarmDetails, _params: dict) -> tuple[bool, str]:
    """Running, with at least its roles' minimum of servers and every one of them Running."""
    active = [s for s in details.servers if s.status != r.ServerStatus.TERMINATED]
    running = _count(active, r.ServerStatus.RUNNING)
    minimum = sum(role.min_instances or 0 for role in details.roles)
    if details.status == r.FarmStatus.RUNNING and running == len(active) and len(active) >= minimum:
        if not active:
            return True, "Farm running; its roles' minimum is 0 servers, so Scalr started none."
        return True, f"Farm running: {running} of {len(active)} server(s) Running."
    return False, f"Launching: {running} of {max(len(active), minimum)} server(s) Running."


@performer("scalr.farm.launch", follow=farm_follower(_launched))
def perform_farm_launch(action, connection):
    env_id, farm_id = action.params["env_id"], action.params["farm_id"]
    with Session(connection, env_id) as client:
        client.launch_farm(env_id=env_id, farm_id=farm_id)
    return Accepted("Scalr accepted the launch; following the farm…")


def scalr_farm_terminate(*, farm: models.Farm, actor, options: dict):
    servers = farm.servers.exclude(status=models.ServerStatus.TERMINATED).count()
    kept = [label for key, label in (("keep_ebs", "EBS volumes"), ("keep_eip", "Elastic IPs"),
                                     ("keep_dns_zone", "the DNS zone")) if options.get(key)]
    extra = (f" Keeping {', '.join(kept)}." if kept else "") + (" Forced." if options.get("force") else "")
    return start(connection=farm.connection, actor=actor, verb="scalr.farm.terminate", target=farm,
                 summary=f"Terminate farm {farm.name}: its {servers} server(s) stop.{extra}",
                 params=_farm_params(farm, **{k: bool(v) for k, v in options.items()}), target_url=farm_url(farm))


def _terminated(details: r.FarmDetails, _params: dict) -> tuple[bool, str]:
    left = len([s for s in details.servers if s.status != r.ServerStatus.TERMINATED])
    if details.status == r.FarmStatus.TERMINATED and not left:
        return True, "Farm terminated: no server left running."
    return False, f"Terminating: {left} server(s) still stopping."


@performer("scalr.farm.terminate", follow=farm_follower(_terminated))
def perform_farm_terminate(action, connection):
    p = action.params
    env_id, farm_id = p["env_id"], p["farm_id"]
    with Session(connection, env_id) as client:
        client.terminate_farm(env_id=env_id, farm_id=farm_id, keep_ebs=p.get("keep_ebs", False),
                              keep_eip=p.get("keep_eip", False), keep_dns_zone=p.get("keep_dns_zone", False),
                              force=p.get("force", False))
    return Accepted("Scalr accepted the termination; following the farm…")


def scalr_farm_clone(*, farm: models.Farm, actor, name: str | None):
    label = f"“{name}”" if name else "a copy Scalr names itself"
    return start(connection=farm.connection, actor=actor, verb="scalr.farm.clone", target=farm,
                 summary=f"Clone farm {farm.name} as {label}: the copy is created terminated.",
                 params=_farm_params(farm, name=name or None), target_url=farm_url(farm))


@performer("scalr.farm.clone")
def perform_farm_clone(action, connection) -> str:
    p = action.params
    with Session(connection, p["env_id"]) as client:
        new_id = client.clone_farm(env_id=p["env_id"], farm_id=p["farm_id"], name=p.get("name"))
        details = refresh(client, connection, p["env_id"], new_id).details
    return f"Cloned as farm #{new_id} “{details.name}”."


def scalr_farm_lock(*, farm: models.Farm, actor, comment: str, unlock_permission: str):
    return start(connection=farm.connection, actor=actor, verb="scalr.farm.lock", target=farm,
                 summary=f"Lock farm {farm.name}: nobody can launch, terminate or change it until it is unlocked.",
                 params=_farm_params(farm, comment=comment, unlock_permission=unlock_permission),
                 target_url=farm_url(farm))


@performer("scalr.farm.lock")
def perform_farm_lock(action, connection) -> str:
    p = action.params
    with Session(connection, p["env_id"]) as client:
        client.lock_farm(env_id=p["env_id"], farm_id=p["farm_id"], comment=p["comment"],
                         unlock_permission=p["unlock_permission"])
        refresh(client, connection, p["env_id"], p["farm_id"])
    return f"Locked: “{p['comment']}”."


def scalr_farm_unlock(*, farm: models.Farm, actor):
    return start(connection=farm.connection, actor=actor, verb="scalr.farm.unlock", target=farm,
                 summary=f"Unlock farm {farm.name}: it can be launched, terminated and changed again.",
                 params=_farm_params(farm), target_url=farm_url(farm))


@performer("scalr.farm.unlock")
def perform_farm_unlock(action, connection) -> str:
    p = action.params
    with Session(connection, p["env_id"]) as client:
        client.unlock_farm(env_id=p["env_id"], farm_id=p["farm_id"])
        refresh(client, connection, p["env_id"], p["farm_id"])
    return "Unlocked."


# -- servers ---------------------------------------------------------------------------------
def scalr_server_launch(*, farm_role: models.FarmRole, actor, increase_max_instances: bool):
    farm = farm_role.farm
    raise_max = " (raising max instances if it is reached)" if increase_max_instances else ""
    return start(connection=farm.connection, actor=actor, verb="scalr.server.launch", target=farm,
                 summary=f"Launch one more {farm_role} server in farm {farm.name}{raise_max}.",
                 params=_farm_params(farm, farm_role_id=farm_role.external_id, role=str(farm_role),
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
    with Session(connection, p["env_id"]) as client:
        server_id = client.launch_server(env_id=p["env_id"], farm_role_id=p["farm_role_id"],
                                         increase_max_instances=p["increase_max_instances"])
    return Accepted(f"Scalr accepted the launch of server {server_id[:8]}; following it…", {"server_id": server_id})


def _server_params(server: models.Server, **extra) -> dict:
    return _farm_params(server.farm, server_id=server.external_id, **extra)


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
    with Session(connection, p["env_id"]) as client:
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
    with Session(connection, p["env_id"]) as client:
        client.reboot_server(env_id=p["env_id"], server_id=p["server_id"], hard=p.get("hard", False))
    return Accepted("Scalr accepted the reboot; following the server…")


@performer("scalr.server.terminate", follow=farm_follower(_server_reached({"terminated"}, "terminated")))
def perform_server_terminate(action, connection):
    p = action.params
    with Session(connection, p["env_id"]) as client:
        client.terminate_server(env_id=p["env_id"], server_id=p["server_id"],
                                decrease_min_instances=p.get("decrease_min_instances", False),
                                force=p.get("force", False))
    return Accepted("Scalr accepted the termination; following the server…")


@performer("scalr.server.suspend", follow=farm_follower(_server_reached({"suspended"}, "suspended")))
def perform_server_suspend(action, connection):
    p = action.params
    with Session(connection, p["env_id"]) as client:
        client.suspend_server(env_id=p["env_id"], server_id=p["server_id"])
    return Accepted("Scalr accepted the suspension; following the server…")


@performer("scalr.server.resume", follow=farm_follower(_server_reached({"running"}, "resumed")))
def perform_server_resume(action, connection):
    p = action.params
    with Session(connection, p["env_id"]) as client:
        client.resume_server(env_id=p["env_id"], server_id=p["server_id"])
    return Accepted("Scalr accepted the resume; following the server…")


def scalr_server_image(*, server: models.Server, actor, role_name: str):
    return start(connection=server.connection, actor=actor, verb="scalr.server.image", target=server,
                 summary=f"Create image “{role_name}” from server {server} of farm {server.farm.name}: Scalr "
                         "snapshots it into a new role.",
                 params=_server_params(server, role_name=role_name), target_url=server_url(server))


def follow_bundle_task(action, connection):
    p, task_id = action.params, action.follow["task_id"]
    with Session(connection, p["env_id"]) as client:
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
    with Session(connection, p["env_id"]) as client:
        task_id = client.create_image(env_id=p["env_id"], server_id=p["server_id"], role_name=p["role_name"])
    environment = connection.environments.get(external_id=p["env_id"])
    models.BundleTask.objects.update_or_create(
        connection=connection, external_id=task_id,
        defaults={"environment": environment, "server": server, "server_external_id": p["server_id"],
                  "role_name": p["role_name"], "created_by": action.actor.username if action.actor else ""})
    return Accepted(f"Scalr accepted it as bundle task #{task_id}; following it…", {"task_id": task_id})
