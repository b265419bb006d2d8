"""Farm actions: launch, terminate, clone, lock, unlock; and a farm refreshed on its own."""

from __future__ import annotations

import logging

from django.core.cache import cache

from vendors.core.actions import Accepted
from vendors.core.dispatch import enqueue
from vendors.core.errors import VendorError
from vendors.scalr import models, sync
from vendors.scalr.client import budgeted_client
from vendors.scalr.client import records as r
from vendors.scalr.services.common import farm_follower, farm_params, farm_url, performer, refresh, start

logger = logging.getLogger("vendors.scalr")
#: a page open on a moving farm refreshes it from Scalr at most this often
VIEW_REFRESH_SECONDS = 5


def _count(servers, *statuses) -> int:
    return sum(1 for s in servers if s.status in statuses)


def scalr_farm_launch(*, farm: models.Farm, actor):
    minimum = sum(role.min_instances for role in farm.farm_roles.all())
    return start(connection=farm.connection, actor=actor, verb="scalr.farm.launch", target=farm,
                 summary=f"Launch farm {farm.name}: Scalr starts {minimum} server(s), the minimum of its roles.",
                 params=farm_params(farm), target_url=farm_url(farm))


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
    with budgeted_client(connection, env_id) as client:
        client.launch_farm(env_id=env_id, farm_id=farm_id)
    return Accepted("Scalr accepted the launch; following the farm…")


def scalr_farm_terminate(*, farm: models.Farm, actor, options: dict):
    servers = farm.servers.exclude(status=models.ServerStatus.TERMINATED).count()
    kept = [label for key, label in (("keep_ebs", "EBS volumes"), ("keep_eip", "Elastic IPs"),
                                     ("keep_dns_zone", "the DNS zone")) if options.get(key)]
    extra = (f" Keeping {', '.join(kept)}." if kept else "") + (" Forced." if options.get("force") else "")
    return start(connection=farm.connection, actor=actor, verb="scalr.farm.terminate", target=farm,
                 summary=f"Terminate farm {farm.name}: its {servers} server(s) stop.{extra}",
                 params=farm_params(farm, **{k: bool(v) for k, v in options.items()}), target_url=farm_url(farm))


def _terminated(details: r.FarmDetails, _params: dict) -> tuple[bool, str]:
    left = len([s for s in details.servers if s.status != r.ServerStatus.TERMINATED])
    if details.status == r.FarmStatus.TERMINATED and not left:
        return True, "Farm terminated: no server left running."
    return False, f"Terminating: {left} server(s) still stopping."


@performer("scalr.farm.terminate", follow=farm_follower(_terminated))
def perform_farm_terminate(action, connection):
    p = action.params
    env_id, farm_id = p["env_id"], p["farm_id"]
    with budgeted_client(connection, env_id) as client:
        client.terminate_farm(env_id=env_id, farm_id=farm_id, keep_ebs=p.get("keep_ebs", False),
                              keep_eip=p.get("keep_eip", False), keep_dns_zone=p.get("keep_dns_zone", False),
                              force=p.get("force", False))
    return Accepted("Scalr accepted the termination; following the farm…")


def scalr_farm_clone(*, farm: models.Farm, actor, name: str | None):
    label = f"“{name}”" if name else "a copy Scalr names itself"
    return start(connection=farm.connection, actor=actor, verb="scalr.farm.clone", target=farm,
                 summary=f"Clone farm {farm.name} as {label}: the copy is created terminated.",
                 params=farm_params(farm, name=name or None), target_url=farm_url(farm))


@performer("scalr.farm.clone")
def perform_farm_clone(action, connection) -> str:
    p = action.params
    with budgeted_client(connection, p["env_id"]) as client:
        new_id = client.clone_farm(env_id=p["env_id"], farm_id=p["farm_id"], name=p.get("name"))
        details = refresh(client, connection, p["env_id"], new_id).details
    return f"Cloned as farm #{new_id} “{details.name}”."


def scalr_farm_lock(*, farm: models.Farm, actor, comment: str, unlock_permission: str):
    return start(connection=farm.connection, actor=actor, verb="scalr.farm.lock", target=farm,
                 summary=f"Lock farm {farm.name}: nobody can launch, terminate or change it until it is unlocked.",
                 params=farm_params(farm, comment=comment, unlock_permission=unlock_permission),
                 target_url=farm_url(farm))


@performer("scalr.farm.lock")
def perform_farm_lock(action, connection) -> str:
    p = action.params
    with budgeted_client(connection, p["env_id"]) as client:
        client.lock_farm(env_id=p["env_id"], farm_id=p["farm_id"], comment=p["comment"],
                         unlock_permission=p["unlock_permission"])
        refresh(client, connection, p["env_id"], p["farm_id"])
    return f"Locked: “{p['comment']}”."


def scalr_farm_unlock(*, farm: models.Farm, actor):
    return start(connection=farm.connection, actor=actor, verb="scalr.farm.unlock", target=farm,
                 summary=f"Unlock farm {farm.name}: it can be launched, terminated and changed again.",
                 params=farm_params(farm), target_url=farm_url(farm))


@performer("scalr.farm.unlock")
def perform_farm_unlock(action, connection) -> str:
    p = action.params
    with budgeted_client(connection, p["env_id"]) as client:
        client.unlock_farm(env_id=p["env_id"], farm_id=p["farm_id"])
        refresh(client, connection, p["env_id"], p["farm_id"])
    return "Unlocked."


def scalr_farm_refresh(*, farm_pk: int) -> None:
    """Fetch one farm from Scalr now and write it, if it and its connection are still there (the
    `scalr.refresh_farm` task). A failure is left to the next poll, which brings the farm and says why."""
    farm = models.Farm.objects.select_related("connection", "environment").filter(pk=farm_pk).first()
    if farm is not None and farm.connection.enabled:
        try:
            sync.scalr_farm_poll(farm)
        except VendorError as exc:
            logger.info("Refresh of Scalr farm %s failed: %s", farm.name, exc)


def scalr_farm_viewed(*, farm: models.Farm) -> None:
    """Someone watches a farm that is changing: refresh it from Scalr, at most every few seconds."""
    moving = farm.transitional or farm.servers.filter(status__in=models.TRANSITIONAL_SERVER).exists()
    if moving and farm.connection.enabled and cache.add(f"scalr:viewed:{farm.pk}", 1, VIEW_REFRESH_SECONDS):
        enqueue("scalr.refresh_farm", farm.pk)
