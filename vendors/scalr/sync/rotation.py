"""An APIv2 poll of an environment that costs what changed, not what exists.

Statuses are read whole at every poll, in the fewest requests APIv2 allows: the farm list, the
environment-wide `servers/` list (not one list per farm) and the environment's event log back to
the newest stored event. What rarely changes and has no environment-wide listing (a farm's farm
roles, a role's images, a script's versions) is re-read on a rotation: at every poll the objects
never read, those a cheap signal says changed (a farm whose status moved or whose servers name a
farm role not stored; a script whose `lastChanged` moved), then the tenth read longest ago, so
that none is more than `ROTATION` polls old. A farm whose farm roles are not re-read keeps them
as stored, with their running servers counted from the fresh servers list.

Every request goes through the poll's bounded pool (`client.gate`); lists read their later pages
at once (`client.pager`), and the reads that depend on a list start as soon as the lists are in.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone as tz

from django.db.models import Max

from vendors.scalr import models
from vendors.scalr.client import Deprecated, NotAvailable, ScalrClient
from vendors.scalr.client import records as r
from vendors.core.parts import MISSING, PollParts
from vendors.scalr.sync.fetch import CATALOG_LABELS, CATALOGS, FEATURE_OF, EnvInventory, FarmFetch, static_unavailable
from vendors.scalr.sync.write import details_fingerprint

#: configuration is re-read at least every this many polls
ROTATION = 10
#: event-log pages (of 100) read when nothing is stored yet, and at most at a steady poll
EVENT_PAGES = 10
_NEVER = datetime.min.replace(tzinfo=tz.utc)


def rotation(read_at: dict, forced: set) -> set:
    """`forced`, and the share of the others (a tenth, rounded up) read longest ago, never-read first."""
    rest = sorted((key for key in read_at if key not in forced), key=lambda key: (read_at[key] or _NEVER, str(key)))
    return set(forced) | set(rest[:-(-len(read_at) // ROTATION)])


@dataclasses.dataclass
class Stored:
    """What the database holds that the plan needs (read in the poll's thread: a few queries)."""

    farms: dict[int, tuple[str, datetime | None, str]]             # farm -> (status, config read at, fingerprint)
    farm_roles: dict[int, list[dict]]                               # farm -> its farm-role rows
    roles: dict[tuple[int, int], datetime | None]                   # (env, role) -> images read at
    scripts: dict[tuple[int, int], tuple[datetime | None, datetime | None]]  # -> (last changed, versions read at)
    newest_event: dict[int, datetime]                               # env -> newest event stored

    @classmethod
    def load(cls, connection) -> Stored:
        farm_roles = defaultdict(list)
        for row in models.FarmRole.objects.filter(farm__connection=connection).order_by("external_id").values(
                "farm__external_id", "external_id", "role_external_id", "role_name", "alias", "platform", "location",
                "instance_type", "min_instances", "max_instances", "scaling_enabled"):
            farm_roles[row.pop("farm__external_id")].append(row)
        return cls(
            farms={f: (s, c, p) for f, s, c, p in connection.farms.values_list("external_id", "status", "config_read_at",
                                                                               "details_fingerprint")},
            farm_roles=farm_roles,
            roles={(e, x): at for e, x, at in models.Role.objects.filter(environment__connection=connection)
                   .values_list("environment__external_id", "external_id", "images_read_at")},
            scripts={(e, x): (c, at) for e, x, c, at in models.Script.objects.filter(
                environment__connection=connection).values_list("environment__external_id", "external_id",
                                                                 "last_changed", "versions_read_at")},
            newest_event=dict(models.Event.objects.filter(connection=connection, farm__isnull=False,
                                                          via=models.EventVia.POLL)
                              .values_list("farm__environment__external_id").annotate(newest=Max("timestamp"))
                              .values_list("farm__environment__external_id", "newest")))

    def farm_roles_of(self, farm_id: int, servers: tuple[r.Server, ...]) -> tuple[r.FarmRole, ...]:
        """The stored farm roles as records, their running servers counted from this poll's servers."""
        return tuple(r.FarmRole(
            id=row["external_id"], farm_id=farm_id, role_id=row["role_external_id"], role_name=row["role_name"] or None,
            alias=row["alias"], platform=row["platform"], location=row["location"],
            instance_type=row["instance_type"] or None, min_instances=row["min_instances"],
            max_instances=row["max_instances"], scaling_enabled=row["scaling_enabled"],
            running_instances=sum(1 for s in servers if s.farm_role_id == row["external_id"]
                                  and s.status == r.ServerStatus.RUNNING)) for row in self.farm_roles.get(farm_id, ()))


def _events(client: ScalrClient, env_id: int, since: datetime | None) -> list[r.Event]:
    try:  # Scalr 5.11 has no /event-logs/ (7.x only): the farms do not depend on it
        return client.event_log(env_id=env_id, since=since, pages=EVENT_PAGES)
    except (NotAvailable, Deprecated):
        return []


def read_environments(connection, client: ScalrClient, environments: list[r.Environment], parts: PollParts,
                      pool: ThreadPoolExecutor) -> tuple[list[EnvInventory], str]:
    """Every environment's inventory for `scalr_inventory_sync`, and a sentence on what was re-read."""
    stored = Stored.load(connection)
    lists: dict[int, dict[str, Future]] = {}
    for env in environments:
        def part(name, label, read, env=env):
            return pool.submit(parts.read, f"env:{env.id}:{name}", f"{label} in {env.name}", read)
        lists[env.id] = {
            "farms": part("farms", "farms", lambda env=env: client.list_farms(env_id=env.id)),
            "servers": part("servers", "servers", lambda env=env: client.list_servers(env_id=env.id)),
            "roles": part("roles", CATALOG_LABELS["roles"], lambda env=env: client.list_role_records(env_id=env.id)),
            "images": part("images", "images", lambda env=env: client.list_images(env_id=env.id)),
            "scripts": part("scripts", "scripts", lambda env=env: client.list_script_records(env_id=env.id)),
            "events": part("events", "event log", lambda env=env: _events(client, env.id,
                                                                            stored.newest_event.get(env.id)))}
    got = {env_id: {name: future.result() for name, future in futures.items()} for env_id, futures in lists.items()}
    reads = _plan_and_read(client, environments, got, stored, parts, pool)
    inventories = [_inventory(client, env, got[env.id], reads, stored) for env in environments]
    farms, roles, scripts = (len(reads[kind]) for kind in ("farm", "role", "script"))
    return inventories, (f"Configuration re-read in this poll: farm roles of {farms} farm(s), images of {roles} "
                         f"role(s), versions of {scripts} script(s); each is at most {ROTATION} polls old.")


def _plan_and_read(client, environments, got, stored: Stored, parts: PollParts, pool) -> dict[str, dict]:
    """Choose what configuration this poll re-reads, and read it through the pool."""
    jobs: dict[str, dict] = {"farm": {}, "role": {}, "script": {}}
    role_envs: dict[int, int] = {}
    for env in environments:
        listed = got[env.id]
        if listed["farms"] is not MISSING and listed["servers"] is not MISSING:
            by_farm = _servers_by_farm(listed["servers"])
            forced = set()
            for farm in listed["farms"]:  # never read, status moved, or its servers changed: read its roles
                status, config_read_at, fingerprint = stored.farms.get(farm.id, (None, None, ""))
                if config_read_at is None or status != str(farm.status) or fingerprint != _fingerprint(
                        farm, env.id, by_farm.get(farm.id, ()), stored):
                    forced.add(farm.id)
            names = {farm.id: farm.name for farm in listed["farms"]}
            for farm_id in rotation({f.id: stored.farms.get(f.id, (None, None, ""))[1] for f in listed["farms"]},
                                    forced):
                servers = by_farm.get(farm_id, ())
                jobs["farm"][farm_id] = pool.submit(
                    parts.read, f"farm:{farm_id}", f"farm roles of {names[farm_id]}",
                    lambda env=env, farm_id=farm_id, servers=servers: client.list_farm_roles(
                        env_id=env.id, farm_id=farm_id, servers=servers))
        if listed["roles"] is not MISSING and listed["images"] is not MISSING:
            for role in listed["roles"]:
                role_envs.setdefault(role.id, env.id)
        if listed["scripts"] is not MISSING:
            signalled = {s.id for s in listed["scripts"] if stored.scripts.get((env.id, s.id), (None, None))[1] is None
                         or (s.last_changed is not None and stored.scripts[(env.id, s.id)][0] != s.last_changed)}
            unsignalled = {s.id: stored.scripts.get((env.id, s.id), (None, None))[1]
                           for s in listed["scripts"] if s.last_changed is None}
            for script_id in rotation(unsignalled, set()) | signalled:
                jobs["script"][(env.id, script_id)] = pool.submit(
                    parts.read, f"env:{env.id}:script:{script_id}", f"versions of script {script_id} in {env.name}",
                    lambda env=env, script_id=script_id: client.script_latest_revision(env_id=env.id,
                                                                                       script_id=script_id))
    # a role listed in several environments is the same role: its images are read once
    read_at = {role_id: min((stored.roles.get((env.id, role_id)) or _NEVER for env in environments
                             if (env.id, role_id) in stored.roles), default=None) for role_id in role_envs}
    never = {role_id for role_id, at in read_at.items() if at in (None, _NEVER)}
    for role_id in rotation(read_at, never):
        env_id = role_envs[role_id]
        images = got[env_id]["images"]
        jobs["role"][role_id] = pool.submit(
            parts.read, f"env:{env_id}:role:{role_id}", f"images of role {role_id}",
            lambda env_id=env_id, role_id=role_id, images=images: client.role_images(
                env_id=env_id, role_id=role_id, images=images))
    return {kind: {key: future.result() for key, future in futures.items()} for kind, futures in jobs.items()}


def _details(farm: r.Farm, env_id: int, servers: tuple[r.Server, ...], roles) -> r.FarmDetails:
    return r.FarmDetails(farm_id=farm.id, env_id=env_id, name=farm.name, status=farm.status, locked=bool(farm.locked),
                         lock_comment=farm.lock_comment, locked_by=farm.locked_by, roles=roles, servers=servers)


def _fingerprint(farm: r.Farm, env_id: int, servers: tuple[r.Server, ...], stored: Stored) -> str:
    """The farm as written last, if only its stored roles are still right: differs when its servers moved."""
    return details_fingerprint(_details(farm, env_id, servers, stored.farm_roles_of(farm.id, servers)))


def _read(reads: dict, key):
    """What this poll read for `key`; None when it was not read or its read failed (kept as stored)."""
    value = reads.get(key)
    return None if value is MISSING else value


def _servers_by_farm(servers: list[r.Server]) -> dict[int, tuple[r.Server, ...]]:
    grouped = defaultdict(list)
    for server in servers:
        grouped[server.farm_id].append(server)
    return {farm_id: tuple(sorted(found, key=r.Server.order)) for farm_id, found in grouped.items()}


def _inventory(client, env: r.Environment, listed: dict, reads: dict[str, dict], stored: Stored) -> EnvInventory:
    farms = listed["farms"]
    inventory = EnvInventory(environment=env, farms=None if farms is MISSING else farms,
                             unavailable=static_unavailable("v2"))
    for name, method in CATALOGS:
        if name in ("roles", "scripts"):
            continue
        try:  # what APIv2 has no endpoint for: the client says why without asking Scalr
            setattr(inventory, name, getattr(client, method)(env_id=env.id))
        except (NotAvailable, Deprecated) as exc:
            inventory.unavailable[FEATURE_OF[name]] = exc.message.rstrip(".")
            setattr(inventory, name, [])
    if listed["roles"] is not MISSING:
        inventory.roles = [dataclasses.replace(role, images=_read(reads["role"], role.id)) for role in listed["roles"]]
    if listed["scripts"] is not MISSING:
        inventory.scripts = [dataclasses.replace(script, latest_revision=_read(reads["script"], (env.id, script.id)))
                             for script in listed["scripts"]]
    if inventory.farms is None or listed["servers"] is MISSING:
        return inventory
    by_farm = _servers_by_farm(listed["servers"])
    events = defaultdict(list)
    for event in listed["events"] if listed["events"] is not MISSING else ():
        events[event.farm_id].append(event)
    for farm in inventory.farms:
        servers = by_farm.get(farm.id, ())
        roles = reads["farm"].get(farm.id, MISSING)
        details = _details(farm, env.id, servers,
                           roles if roles is not MISSING else stored.farm_roles_of(farm.id, servers))
        inventory.fetched[farm.id] = FarmFetch(details=details, events=tuple(events.get(farm.id, ())),
                                               config_read=roles is not MISSING)
    return inventory
