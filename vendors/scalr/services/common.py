"""What every Scalr action shares: started from a page, run by a Celery task, followed until the state settles.

Each `scalr_<object>_<verb>` records an audited ActionRun (what the confirmation dialog
said) and the pipeline in `vendors.core.actions` runs it; the matching `perform_*` talks to
Scalr, refreshes the farm in the database while it follows the change, and returns the
outcome sentence. A refusal raises the client's VendorError, so the page and the audit log
show Scalr's own words (with its request id). Secret inputs (a variable's value, an SSL key
and certificate) travel in the action's encrypted payload, never in its parameters.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse

from vendors.core import errors
from vendors.core.actions import action_start, default_follow_seconds, done, still
from vendors.core.actions import performer as core_performer
from vendors.scalr import models
from vendors.scalr.client import budgeted_client
from vendors.scalr.client import records as r
from vendors.scalr.sync import EnvInventory, FarmFetch, fetch_farm, scalr_catalog_sync, scalr_farm_sync


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
        with budgeted_client(connection, p["env_id"]) as client:
            details = refresh(client, connection, p["env_id"], p["farm_id"]).details
        is_settled, sentence = settled(details, {**p, **action.follow})
        return done(sentence) if is_settled else still(sentence, follow_interval())
    return follow


def refresh(client, connection, env_id: int, farm_id: int) -> FarmFetch:
    fetch = fetch_farm(client, env_id, farm_id, with_logs=False)
    if fetch is None:
        raise errors.NotFound(f"Farm #{farm_id} does not exist any more at Scalr.")
    scalr_farm_sync(connection=connection, fetch=fetch)
    return fetch


def farm_url(farm: models.Farm) -> str:
    return reverse("scalr:farm-detail", args=[farm.pk])


def server_url(server: models.Server) -> str:
    return reverse("scalr:server-detail", args=[server.pk])


def farm_params(farm: models.Farm, **extra) -> dict:
    return {"env_id": farm.environment.external_id, "farm_id": farm.external_id, "farm": farm.name, **extra}


def env_params(environment: models.Environment, **extra) -> dict:
    return {"env_id": environment.external_id, "environment": environment.name, **extra}


def catalog_refresh(connection, env_id: int, *names: str) -> None:
    """Read some environment lists again (after a change) and write them."""
    environment = connection.environments.get(external_id=env_id)
    inventory = EnvInventory(environment=r.Environment(environment.external_id, environment.name), farms=[])
    methods = {"dns_zones": "list_dns_zones", "vhosts": "list_apache_vhosts"}
    with budgeted_client(connection, env_id) as client:
        for name in names:
            setattr(inventory, name, getattr(client, methods[name])(env_id=env_id))
    scalr_catalog_sync(connection=connection, inventory=inventory)
