"""A Scalr poll: every environment's farms, the details of as many farms as the budget allows,
and the environment's catalogs (roles, scripts, DNS zones, vhosts, deployments).

The Query API allows 10,000 requests an hour per environment (`hourly_limit`). Each poll
takes its fair share of that hour (limit × interval / 3600, never more than what is left
in the hour, shared with interactive reads through `RequestBudget`) and spends it on
farm details in order: farms never seen in detail, farms whose status changed or that
are launching or terminating, then those refreshed longest ago. When an environment has
more farms than one interval allows, the connection says how often each farm is
refreshed. APIv2 has no hourly limit by default; every farm is refreshed every poll.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db.models import Max
from django.utils import timezone

from vendors.core import errors
from vendors.core.budget import RequestBudget
from vendors.core.parts import MISSING, PollParts
from vendors.scalr import models, records as r
from vendors.scalr.client import Deprecated, NotAvailable, ScalrClient, scalr_client
from vendors.scalr.sync import EnvInventory, FarmFetch, scalr_farm_sync, scalr_inventory_sync

FETCH_CONCURRENCY = 8
#: events and log lines read per farm; when a farm is known, a peek first (often all that is new)
TIMELINE_PAGE = 20
TIMELINE_PEEK = 5
#: requests one farm costs: details, events, logs (Query API); farm, servers, farm roles, events (APIv2)
CALLS_PER_FARM = {"v1": 3, "v2": 4}
#: requests left for people opening pages (script content, records, graphs) in each poll's share
RESERVE = 20
DEFAULT_HOURLY_LIMIT = 10_000
#: (inventory attribute, client method) of the environment-wide lists
CATALOGS = (("roles", "list_roles"), ("scripts", "list_scripts"), ("dns_zones", "list_dns_zones"),
            ("vhosts", "list_apache_vhosts"), ("dm_sources", "list_dm_sources"),
            ("dm_applications", "list_dm_applications"))
#: which page feature a missing catalog hides
FEATURE_OF = {"dns_zones": "dns", "vhosts": "vhosts", "dm_sources": "deployments", "dm_applications": "deployments",
              "roles": "roles", "scripts": "scripts"}


def client_for(connection: models.ScalrConnection, **options) -> ScalrClient:
    settings = connection.settings or {}
    return scalr_client(api=connection.api, base_url=connection.base_url, key_id=connection.secrets.get("key_id") or "",
                        secret_key=connection.secrets.get("secret") or "", env_ids=settings.get("env_ids") or None,
                        **options)


def budget_for(connection: models.ScalrConnection, env_id: int) -> RequestBudget:
    """The Query API's hourly budget of one environment of one installation, shared by every process."""
    limit = None
    if connection.api == "v1":
        configured = (connection.settings or {}).get("hourly_limit")
        limit = DEFAULT_HOURLY_LIMIT if configured is None else int(configured) or None
    host = connection.base_url.rstrip("/").split("//")[-1]
    return RequestBudget(f"scalr:{host}:{int(env_id)}", limit=limit, window_seconds=3600)


def poll_capacity(connection: models.ScalrConnection, budget: RequestBudget, spent: int = 0) -> int | None:
    """Requests this poll may still spend on farm details in one environment (None: no limit).

    `spent`: what the poll already sent there (the farm list, the catalogs), not yet in the budget.
    """
    if budget.limit is None:
        return None
    share = budget.limit * connection.poll_seconds // 3600
    return max(0, min(share, budget.remaining() or 0) - RESERVE - spent)


def plan_farms(connection: models.ScalrConnection, farms: list[r.Farm], capacity: int | None) -> list[r.Farm]:
    """The farms whose details this poll fetches, most urgent first."""
    if capacity is None:
        return farms
    known = {row["external_id"]: row for row in connection.farms.filter(
        external_id__in=[f.id for f in farms]).values("external_id", "status", "details_synced_at",
                                                      "servers_total", "servers_running")}
    epoch = timezone.now() - timedelta(days=3650)

    def urgency(farm: r.Farm):
        row = known.get(farm.id)
        if row is None or row["details_synced_at"] is None:
            return (0, epoch)
        moving = (farm.status != row["status"] or str(farm.status) in models.TRANSITIONAL_FARM
                  or (farm.status == r.FarmStatus.RUNNING and row["servers_running"] < row["servers_total"]))
        if moving:
            return (1, row["details_synced_at"])
        return (2 if farm.status == r.FarmStatus.RUNNING else 3, row["details_synced_at"])

    return sorted(farms, key=urgency)[:capacity // CALLS_PER_FARM[connection.api]]


class FarmMarks(NamedTuple):
    """What is stored of a farm, so a poll asks and reads only what is new."""

    newest_event: datetime | None = None
    newest_log: datetime | None = None
    fingerprint: str | None = None  # of the details last written


def fetch_farm(client: ScalrClient, env_id: int, farm_id: int, *, with_logs: bool = True,
               known: FarmMarks | None = None) -> FarmFetch | None:
    """A farm's details, newest events and (Query API) log lines; None when the farm is gone.

    With `known`, details answered as last written come back `Unchanged` (not read again),
    and when the first few events or log lines reach back to the newest stored, the rest of
    the page is already stored and is not asked for.
    """
    event_mark, log_mark, fingerprint = known or FarmMarks()
    try:
        details = client.farm_details(env_id=env_id, farm_id=farm_id, known=fingerprint)
    except errors.NotFound:
        return None
    try:  # Scalr 5.11 has no /event-logs/ (7.x only): a farm's details do not depend on it
        events = _recent(lambda limit: client.list_events(env_id=env_id, farm_id=farm_id, limit=limit), event_mark)
    except (NotAvailable, Deprecated):
        events = ()
    logs = ()
    if with_logs and client.api == "v1":
        logs = _recent(lambda limit: client.list_logs(env_id=env_id, farm_id=farm_id, limit=limit), log_mark)
    return FarmFetch(details=details, events=tuple(events), logs=tuple(logs))


def _recent(read, newest) -> tuple:
    if newest is None:
        return read(TIMELINE_PAGE).items
    peek = read(TIMELINE_PEEK)
    if not peek.has_more or (peek.items and peek.items[-1].timestamp and peek.items[-1].timestamp < newest):
        return peek.items
    return read(TIMELINE_PAGE).items


def farm_marks(connection: models.ScalrConnection) -> dict[int, FarmMarks]:
    """farm id -> what is stored of it, in three queries."""
    events = dict(models.Event.objects.filter(connection=connection, farm__isnull=False, via=models.EventVia.POLL)
                  .values_list("farm__external_id").annotate(newest=Max("timestamp")).values_list(
                      "farm__external_id", "newest"))
    logs = dict(models.LogEntry.objects.filter(farm__connection=connection).values_list("farm__external_id")
                .annotate(newest=Max("timestamp")).values_list("farm__external_id", "newest"))
    fingerprints = dict(connection.farms.exclude(details_fingerprint="").values_list("external_id",
                                                                                      "details_fingerprint"))
    return {farm_id: FarmMarks(events.get(farm_id), logs.get(farm_id), fingerprints.get(farm_id))
            for farm_id in set(events) | set(logs) | set(fingerprints)}


#: catalog -> how a person names it
CATALOG_LABELS = {"roles": "roles and images", "scripts": "scripts", "dns_zones": "DNS zones",
                  "vhosts": "Apache vhosts", "dm_sources": "deployment sources",
                  "dm_applications": "deployment applications"}


def _catalogs(client: ScalrClient, inventory: EnvInventory, parts: PollParts) -> None:
    """Each catalog is a part: one the key may not read, or that this installation answers it lacks (an
    older Scalr: `EndpointNotFound`, an undefined action), fails alone and stays as stored (None). What the
    API generation never offers, or Scalr declares deprecated, is "not available": no failure."""
    env = inventory.environment
    for name, method in CATALOGS:
        def read(method=method):
            try:
                return getattr(client, method)(env_id=env.id)
            except NotAvailable as exc:
                if exc.status is not None:  # Scalr answered so: a missing endpoint is this part's failure
                    raise
                return exc
            except Deprecated as exc:
                return exc
        answer = parts.read(f"env:{env.id}:{name}", f"{CATALOG_LABELS[name]} in {env.name}", read)
        if isinstance(answer, (NotAvailable, Deprecated)):
            inventory.unavailable[FEATURE_OF[name]] = answer.message.rstrip(".")  # no request id: stable
            setattr(inventory, name, [])
        elif answer is not MISSING:
            setattr(inventory, name, answer)
    inventory.unavailable.update(static_unavailable(client.api))


def static_unavailable(api: str) -> dict[str, str]:
    """What the API generation never offers, in the clients' own words."""
    if api == "v2":
        return {"logs": "The farm system log is not available on APIv2: LogsList has no APIv2 endpoint",
                "stats": "Farm usage statistics and monitoring graphs are not available on APIv2 "
                         "(FarmGetStats, StatisticsGetGraphURL)",
                "images": "Creating an image from a server is not available on APIv2: use the Query API "
                          "(ServerImageCreate)",
                "script_variables": "Script configuration variables are not available on APIv2: APIv2 script "
                                    "execution takes none"}
    return {"lock": "Farm lock is not available on the Query API",
            "suspend": "Server suspend and resume are not available on the Query API",
            "hard_reboot": "Hard reboot is not available on the Query API: ServerReboot only reboots softly",
            "clone_name": "Naming a farm clone is not available on the Query API: FarmClone names it "
                          "'<farm> (clone #n)'"}


def scalr_connection_poll(connection: models.ScalrConnection, parts: PollParts | None = None) -> list[str]:
    """Environments are the poll's root (their failure fails the poll); each environment's farm list,
    each catalog and each farm's details are parts that fail alone, keeping what was stored."""
    parts = parts or PollParts(connection)
    read_at = timezone.now()
    notes: list[str] = []
    with client_for(connection) as client:
        try:
            environments = client.list_environments()
            inventories, planned = [], []
            waiting = []
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
                _catalogs(client, inventory, parts)
                if inventory.farms is None:
                    continue
                capacity = poll_capacity(connection, budget, client.request_counts[env.id])
                chosen = plan_farms(connection, inventory.farms, capacity)
                planned += [(inventory, farm) for farm in chosen]
                if len(chosen) < len(inventory.farms):
                    notes.append(_budget_note(connection, env, budget, len(inventory.farms), len(chosen)))
            if waiting and len(waiting) == len(environments):
                raise errors.Deferred(_waiting_note(waiting), retry_in=budget_for(connection, waiting[0].id)
                                      .seconds_to_reset())
            if waiting:
                notes.append(_waiting_note(waiting) + ".")
            marks = farm_marks(connection)

            def read_farm(job):  # after Scalr's "slow down", the other farms wait for the next poll
                inventory, farm = job
                return parts.read(f"farm:{farm.id}", f"details of farm {farm.name}",
                                  lambda: fetch_farm(client, inventory.environment.id, farm.id,
                                                     known=marks.get(farm.id)))

            with ThreadPoolExecutor(max_workers=FETCH_CONCURRENCY) as pool:
                for (inventory, farm), fetch in zip(planned, pool.map(read_farm, planned)):
                    if fetch:
                        inventory.fetched[farm.id] = fetch
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


#: requests an environment's reading costs before any farm's details: its farm list and catalogs
POLL_MINIMUM = 1 + len(CATALOGS)


def poll_may_read(budget: RequestBudget) -> bool:
    """Whether a poll may read an environment without eating the share of the hour kept for people."""
    remaining = budget.remaining()
    return remaining is None or remaining >= RESERVE + POLL_MINIMUM


def _waiting_note(environments) -> str:
    names = ", ".join(env.name for env in environments)
    return (f"the Query API's hourly requests of {names} are spent but for the {RESERVE} kept for people; "
            f"{'it waits' if len(environments) == 1 else 'they wait'} for the next hour, showing what was read before")


def _budget_note(connection, env: r.Environment, budget: RequestBudget, total: int, chosen: int) -> str:
    polls = -(-total // chosen) if chosen else None
    every = (f"every farm's details are refreshed at least every {polls} polls "
             f"(about {max(1, polls * connection.poll_seconds // 60)} min)") if polls else \
        "no budget was left for farm details in this poll"
    return (f"Environment {env.name}: {total} farms, {chosen} refreshed in this poll to stay under the Query API "
            f"limit of {budget.limit} requests an hour; {every}.")


def scalr_farm_refresh(farm: models.Farm) -> bool:
    """Fetch one farm now and write it; False when the budget is spent or the farm is gone."""
    connection = farm.connection
    env_id = farm.environment.external_id
    budget = budget_for(connection, env_id)
    remaining = budget.remaining()
    if remaining is not None and remaining < CALLS_PER_FARM[connection.api] + 1:
        return False
    with client_for(connection) as client:
        try:
            fetch = fetch_farm(client, env_id, farm.external_id)
        finally:
            budget.spend(sum(client.request_counts.values()))
    if fetch is None:
        return False
    scalr_farm_sync(connection=connection, fetch=fetch)
    return True
