"""A Scalr poll: every environment's farms, the details of as many farms as the budget allows,
and the environment's catalogs (roles, scripts, DNS zones, vhosts, deployments).

The Query API allows 10,000 requests an hour per environment (`hourly_limit`). Each poll
takes its fair share of that hour (limit × interval / 3600, never more than what is left
in the hour, shared with interactive reads through `RequestBudget`) and spends it on
farm details in order: farms never seen in detail, farms whose status changed or that
are launching or terminating, then those refreshed longest ago. When an environment has
more farms than one interval allows, the connection says how often each farm is
refreshed. APIv2 has no hourly limit by default: its statuses are read environment-wide at every
poll and its configuration on a rotation (`rotation`).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from django.utils import timezone

from vendors.core import errors
from vendors.core.parts import MISSING, PollParts
from vendors.scalr import models
from vendors.scalr.client import budget_for, budgeted_client, client_for
from vendors.scalr.sync.fetch import EnvInventory, farm_marks, fetch_farm, read_catalogs
from vendors.scalr.sync.plan import (CALLS_PER_FARM, POLL_MINIMUM, budget_note, plan_farms, poll_capacity,
                                     poll_may_read, waiting_note)
from vendors.scalr.sync.rotation import read_environments
from vendors.scalr.sync.write import scalr_farm_sync, scalr_inventory_sync

#: requests in flight at once for one poll, whichever part sends them
FETCH_CONCURRENCY = 8
#: threads that wait their turn for those (parts, and the later pages of lists)
PART_THREADS = 4 * FETCH_CONCURRENCY


def scalr_connection_poll(connection: models.ScalrConnection, parts: PollParts | None = None) -> list[str]:
    """Environments are the poll's root (their failure fails the poll); each environment's farm list,
    each catalog and each farm's details are parts that fail alone, keeping what was stored."""
    parts = parts or PollParts(connection)
    read_at = timezone.now()
    notes: list[str] = []
    with client_for(connection) as client, ThreadPoolExecutor(PART_THREADS) as pool, \
            ThreadPoolExecutor(PART_THREADS) as pager:
        client.gate, client.pager = threading.BoundedSemaphore(FETCH_CONCURRENCY), pager
        try:
            environments = client.list_environments()
            if client.api == "v2":
                inventories, rotated = read_environments(connection, client, environments, parts, pool)
                notes.append(rotated)
            else:
                inventories = _read_query_api(connection, client, environments, parts, pool, notes)
        finally:
            for env_id, count in client.request_counts.items():
                if env_id is not None:
                    budget_for(connection, env_id).spend(count)
    result = scalr_inventory_sync(connection=connection, inventories=inventories, read_at=read_at)
    unavailable = sorted({reason.split(":")[0] for i in inventories for reason in i.unavailable.values()})
    notes.insert(0, f"{result.environments} environment(s), {result.farms} farm(s), details of {result.refreshed} "
                    f"refreshed in this poll.")
    if parts.limited is not None:
        notes.append(parts.limited_note("Scalr"))
    if unavailable:
        notes.append(f"Not available on this connection: {'; '.join(unavailable)}.")
    return notes


def scalr_farm_poll(farm: models.Farm) -> bool:
    """Fetch one farm now and write it; False when the budget is spent or the farm is gone."""
    connection = farm.connection
    env_id = farm.environment.external_id
    budget = budget_for(connection, env_id)
    remaining = budget.remaining()
    if remaining is not None and remaining < CALLS_PER_FARM[connection.api] + 1:
        return False
    with budgeted_client(connection, env_id) as client:
        fetch = fetch_farm(client, env_id, farm.external_id)
    if fetch is None:
        return False
    scalr_farm_sync(connection=connection, fetch=fetch)
    return True


def _read_query_api(connection, client, environments, parts: PollParts, pool, notes: list[str]) -> list[EnvInventory]:
    """The Query API has no environment-wide server list: each farm's details (FarmGetDetails) are read, as
    many as the hour's budget allows, those answered as last written not read again (`Unchanged`)."""
    inventories, planned, waiting, catalogs = [], [], [], []
    for env in environments:
        budget = budget_for(connection, env.id)
        if not poll_may_read(budget):  # the hour's reserve is for people: the environment stays as stored
            waiting.append(env)
            stored = connection.environments.filter(external_id=env.id).values_list("unavailable", flat=True)
            inventories.append(EnvInventory(environment=env, farms=None, unavailable=stored.first() or {}))
            continue
        farms = parts.read(f"env:{env.id}:farms", f"farms in {env.name}",
                           lambda env=env: client.list_farms(env_id=env.id))
        inventory = EnvInventory(environment=env, farms=farms if farms is not MISSING else None)
        inventories.append(inventory)
        catalogs.append(pool.submit(read_catalogs, client, inventory, parts))  # alongside the farms' details
        if inventory.farms is None:
            continue
        capacity = poll_capacity(connection, budget, POLL_MINIMUM)
        chosen = plan_farms(connection, inventory.farms, capacity)
        planned += [(inventory, farm) for farm in chosen]
        if len(chosen) < len(inventory.farms):
            notes.append(budget_note(connection, env, budget, len(inventory.farms), len(chosen)))
    if waiting and len(waiting) == len(environments):
        raise errors.Deferred(waiting_note(waiting), retry_in=budget_for(connection, waiting[0].id)
                              .seconds_to_reset())
    if waiting:
        notes.append(waiting_note(waiting) + ".")
    marks = farm_marks(connection)

    def read_farm(job):  # after Scalr's "slow down", the other farms wait for the next poll
        inventory, farm = job
        return parts.read(f"farm:{farm.id}", f"details of farm {farm.name}",
                          lambda: fetch_farm(client, inventory.environment.id, farm.id, known=marks.get(farm.id)))

    for (inventory, farm), fetch in zip(planned, pool.map(read_farm, planned)):
        if fetch:
            inventory.fetched[farm.id] = fetch
    for done in catalogs:
        done.result()
    return inventories
