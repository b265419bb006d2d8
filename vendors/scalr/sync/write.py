"""Turn a poll's records into rows: bulk upserts by external id, and removal of what vanished.

Everything one poll fetched is written in one transaction, and the number of SQL
statements does not grow with the number of farms: each kind of row is read once, then
created, updated and deleted with one bulk statement per batch. A farm whose details were
not fetched in this poll (the Query API budget, see `sync.plan`) keeps its roles, servers
and lock state as they were.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Container, Hashable, Mapping
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import timedelta

from django.db import models as dj
from django.db import transaction
from django.utils import timezone

from vendors.scalr import models
from vendors.scalr.client import records as r
from vendors.scalr.sync.fetch import EnvInventory, FarmFetch

BATCH = 500
#: up to this many farms refreshed at once, their servers are looked up by farm and id, not all read
SMALL_REFRESH = 20
#: events and log lines older than this are dropped by the poll that sees them age
RETENTION = timedelta(days=30)


@dataclass
class SyncResult:
    environments: int = 0
    farms: int = 0
    servers: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    refreshed: int = 0


def _launched_equal(old, new) -> bool:
    """The Query API gives uptime, not a launch time: the derived time moves by a second between polls."""
    if old is None or new is None:
        return old is new
    return abs((old - new).total_seconds()) < LAUNCH_TOLERANCE_SECONDS


#: field -> comparison, for values a vendor reports less exactly than it stores them
EQUAL = {"launched_at": _launched_equal}
LAUNCH_TOLERANCE_SECONDS = 120


def upsert(model: type[dj.Model], queryset: dj.QuerySet, key: str | tuple[str, ...], wanted: dict[Hashable, dict],
           *, remove_only_where: Mapping[str, Container] | None = None,
           remove_missing: bool = True) -> tuple[int, int, int]:
    """Make the rows of `queryset` match `wanted` (key -> field values); returns (created, updated, removed).

    Rows are read as plain values (no model instances for the unchanged majority); a row
    missing from `wanted` is deleted when `remove_missing`, and, with `remove_only_where`
    (field -> values), only when each of those fields holds one of its values. Those fields
    are read whatever `wanted` holds: it may be empty (everything of the refreshed farms vanished).
    """
    keys = (key,) if isinstance(key, str) else key
    conditions = dict(remove_only_where or {})
    fields = sorted({name for values in wanted.values() for name in values} | set(conditions))
    current = {}
    for row in queryset.values("pk", *keys, *[f for f in fields if f not in keys]):
        current[row[key] if isinstance(key, str) else tuple(row[k] for k in keys)] = row
    new, changed, changed_fields = [], [], set()
    for item_key, values in wanted.items():
        row = current.get(item_key)
        if row is None:
            new.append(model(**values))
            continue
        diff = {name: value for name, value in values.items()
                if not EQUAL.get(name, _same)(row[name], value)}
        if diff:
            row.update(diff)
            changed.append(row)
            changed_fields.update(diff)
    model.objects.bulk_create(new, batch_size=BATCH)
    if changed:  # one statement per batch: every changed field, the others written back unchanged
        names = sorted(changed_fields)
        model.objects.bulk_update([model(pk=row["pk"], **{n: row[n] for n in names}) for row in changed], names,
                                  batch_size=BATCH)
    vanished = [row["pk"] for item_key, row in current.items()
                if item_key not in wanted and all(row[name] in values for name, values in conditions.items())
                ] if remove_missing else []
    if vanished:
        model.objects.filter(pk__in=vanished).delete()
    return len(new), len(changed), len(vanished)


def _same(old, new) -> bool:
    return old == new


def _farm_values(record: r.Farm | None, fetch: FarmFetch | None, now) -> dict:
    values: dict = {}
    if record is not None:
        values.update(name=record.name, status=str(record.status), description=record.description or "")
        if record.project_id is not None:
            values["project_id"] = record.project_id
        if record.owner is not None:
            values["owner"] = record.owner
        if record.locked is not None:
            values.update(locked=record.locked, lock_comment=record.lock_comment or "",
                          locked_by=record.locked_by or "")
    if fetch is not None and isinstance(fetch.details, r.FarmDetails):  # Unchanged: the row stays as written
        details = fetch.details
        values.update(name=details.name or values.get("name", ""), status=str(details.status),
                      locked=details.locked, lock_comment=details.lock_comment or "",
                      locked_by=details.locked_by or "", details_fingerprint=details_fingerprint(details),
                      servers_total=sum(1 for s in details.servers if s.status != r.ServerStatus.TERMINATED),
                      servers_running=sum(1 for s in details.servers if s.status == r.ServerStatus.RUNNING))
    return values


def _server_values(server: r.Server) -> dict:
    return {"status": str(server.status), "index": server.index, "platform": server.platform or "",
            "location": server.location or "", "instance_type": server.instance_type or "",
            "public_ips": list(server.public_ips), "private_ips": list(server.private_ips),
            "hostname": server.hostname or "", "cloud_server_id": server.cloud_server_id or "",
            "agent_version": server.agent_version or "", "launched_at": server.launched_at}


#: every field of a server record but its launch time (fingerprinted to 5 minutes)
_SERVER_FIELDS = operator.attrgetter(*(f.name for f in dataclass_fields(r.Server) if f.name != "launched_at"))


def details_fingerprint(details: r.FarmDetails) -> str:
    """What the roles and servers rows of a farm are made of (launch times to 5 minutes: the Query API
    derives them from uptime, so they move a little between polls); the answer's own when it has one."""
    if details.fingerprint:
        return details.fingerprint
    digest = hashlib.sha1(repr(details.roles).encode(), usedforsecurity=False)
    for server in details.servers:
        launched = server.launched_at
        digest.update("\x1f".join(map(str, _SERVER_FIELDS(server))).encode())
        digest.update(b"\x1e%d\x1d" % (launched.timestamp() // 300) if launched else b"\x1e\x1d")
    return digest.hexdigest()


def log_fingerprint(entry: r.LogEntry) -> str:
    raw = f"{entry.timestamp.isoformat()}|{entry.server_id}|{entry.source}|{entry.severity}|{entry.message}"
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


def _write_farms(connection, env_pks: dict[int, int], farms: dict[int, tuple[r.Farm | None, FarmFetch | None]],
                 *, remove_missing: bool, result: SyncResult, keep_environments: list[int] = (),
                 keep_farms: set[int] = frozenset()) -> None:
    """Farms, then the roles, servers, events and logs of the farms fetched in detail.

    `keep_environments`: environments whose farm list could not be read; their farms stay as stored.
    `keep_farms`: farms re-read since this poll's list was read; they stay as that read wrote them.
    """
    now = timezone.now()
    existing = connection.farms.exclude(environment_id__in=keep_environments).exclude(
        external_id__in=list(keep_farms)) if remove_missing else connection.farms.filter(external_id__in=list(farms))
    wanted = {}
    for farm_id, (record, fetch) in farms.items():
        env_id = record.env_id if record is not None else fetch.details.env_id
        wanted[farm_id] = {"connection_id": connection.pk, "environment_id": env_pks[env_id], "external_id": farm_id,
                           **_farm_values(record, fetch, now)}
    stored = dict(existing.values_list("external_id", "details_fingerprint"))
    created, updated, removed = upsert(models.Farm, existing, "external_id", wanted,
                                       remove_missing=remove_missing)
    result.created += created
    result.updated += updated
    result.removed += removed

    fetched = {farm_id: fetch for farm_id, (_record, fetch) in farms.items() if fetch is not None}
    if not fetched:
        return
    all_pks = dict(connection.farms.filter(external_id__in=list(fetched)).values_list("external_id", "pk"))
    # one statement for what changes at every poll, so the farms' upsert updates only what changed
    config_read = [all_pks[farm_id] for farm_id, fetch in fetched.items() if fetch.config_read]
    if len(config_read) == len(all_pks):
        models.Farm.objects.filter(pk__in=config_read).update(details_synced_at=now, config_read_at=now)
    else:
        models.Farm.objects.filter(pk__in=list(all_pks.values())).update(details_synced_at=now)
        if config_read:
            models.Farm.objects.filter(pk__in=config_read).update(config_read_at=now)
    _insert_timeline(connection, all_pks, fetched)
    result.refreshed += len(fetched)
    # roles and servers are rewritten only for the farms whose details changed since they were written
    fetched = {farm_id: fetch for farm_id, fetch in fetched.items()
               if isinstance(fetch.details, r.FarmDetails)
               and stored.get(farm_id) != wanted[farm_id]["details_fingerprint"]}
    if not fetched:
        return
    farm_pks = {farm_id: all_pks[farm_id] for farm_id in fetched}
    upsert(models.FarmRole, models.FarmRole.objects.filter(farm_id__in=farm_pks.values()), ("farm_id", "external_id"),
           {(farm_pks[farm_id], role.id): {
               "farm_id": farm_pks[farm_id], "external_id": role.id, "role_external_id": role.role_id,
               "role_name": role.role_name or "", "alias": role.alias, "platform": role.platform,
               "location": role.location, "instance_type": role.instance_type or "",
               "min_instances": role.min_instances, "max_instances": role.max_instances,
               "running_instances": role.running_instances, "scaling_enabled": role.scaling_enabled}
            for farm_id, fetch in fetched.items() for role in fetch.details.roles})
    role_pks = {(farm_id, ext): pk for farm_id, ext, pk in models.FarmRole.objects.filter(
        farm_id__in=farm_pks.values()).values_list("farm_id", "external_id", "pk")}
    servers = {server.id: {"connection_id": connection.pk, "farm_id": farm_pks[farm_id], "external_id": server.id,
                           "farm_role_id": role_pks.get((farm_pks[farm_id], server.farm_role_id)),
                           **_server_values(server)}
               for farm_id, fetch in fetched.items() for server in fetch.details.servers}
    # a server is matched by id across the connection (it may have moved between farms); only the
    # servers of the farms fetched now can have vanished
    fetched_pks = set(farm_pks.values())
    existing_servers = connection.servers.all() if len(fetched) > SMALL_REFRESH else connection.servers.filter(
        dj.Q(farm_id__in=fetched_pks) | dj.Q(external_id__in=list(servers)))
    created, updated, removed = upsert(models.Server, existing_servers, "external_id", servers,
                                       remove_only_where={"farm_id": fetched_pks})
    result.created += created
    result.updated += updated
    result.removed += removed
    result.servers += len(servers)


def _insert_timeline(connection, farm_pks: dict[int, int], fetched: dict[int, FarmFetch]) -> None:
    """New events and log lines only: what a previous poll stored is found with one query each."""
    events = [(farm_pks[farm_id], event) for farm_id, fetch in fetched.items() for event in fetch.events
              if event.timestamp]
    if events:
        known = set(models.Event.objects.filter(
            connection=connection, farm_id__in=farm_pks.values(),
            timestamp__gte=min(e.timestamp for _, e in events)).values_list("external_id", flat=True))
        models.Event.objects.bulk_create(
            [models.Event(connection_id=connection.pk, farm_id=farm_pk, external_id=event.id[:64],
                          type=event.type[:64], timestamp=event.timestamp, message=event.message)
             for farm_pk, event in events if event.id[:64] not in known], batch_size=BATCH, ignore_conflicts=True)
    logs = [(farm_pks[farm_id], log_fingerprint(entry), entry) for farm_id, fetch in fetched.items()
            for entry in fetch.logs if entry.timestamp]
    if logs:
        known = set(models.LogEntry.objects.filter(
            farm_id__in=farm_pks.values(), timestamp__gte=min(e.timestamp for _, _, e in logs))
            .values_list("farm_id", "fingerprint"))
        models.LogEntry.objects.bulk_create(
            [models.LogEntry(farm_id=farm_pk, fingerprint=print_, server_external_id=entry.server_id or "",
                             message=entry.message, severity=entry.severity[:16], timestamp=entry.timestamp,
                             source=entry.source[:128], count=entry.count)
             for farm_pk, print_, entry in logs if (farm_pk, print_) not in known],
            batch_size=BATCH, ignore_conflicts=True)


def _role_values(role: r.Role, now) -> dict:
    """A role's images (and when they were read) only when this poll read them: else they stay as stored."""
    if role.images is None:
        return {}
    return {"images_read_at": now, "images": [{"cloud_image_id": i.cloud_image_id, "platform": i.platform,
                                               "location": i.location} for i in role.images]}


def _script_values(script: r.Script, now) -> dict:
    if script.latest_revision is None:
        return {}
    return {"latest_revision": script.latest_revision, "last_changed": script.last_changed, "versions_read_at": now}


def _write_catalog(inventory: EnvInventory, env_pk: int, farm_pks: dict[int, int]) -> None:
    now = timezone.now()
    if inventory.roles is not None:
        upsert(models.Role, models.Role.objects.filter(environment_id=env_pk), "external_id",
               {role.id: {"environment_id": env_pk, "external_id": role.id, "name": role.name,
                          "os_id": role.os_id or "", **_role_values(role, now)}
                for role in inventory.roles})
    if inventory.scripts is not None:
        upsert(models.Script, models.Script.objects.filter(environment_id=env_pk), "external_id",
               {s.id: {"environment_id": env_pk, "external_id": s.id, "name": s.name, "description": s.description,
                       **_script_values(s, now)} for s in inventory.scripts})
    if inventory.dns_zones is not None:
        upsert(models.DnsZone, models.DnsZone.objects.filter(environment_id=env_pk), "name",
               {z.name: {"environment_id": env_pk, "name": z.name, "farm_id": farm_pks.get(z.farm_id),
                         "farm_external_id": z.farm_id, "farm_role_external_id": z.farm_role_id,
                         "status": z.status, "modified_at": z.modified_at, "ips": list(z.ips)}
                for z in inventory.dns_zones})
    if inventory.vhosts is not None:
        upsert(models.ApacheVhost, models.ApacheVhost.objects.filter(environment_id=env_pk), "name",
               {v.name: {"environment_id": env_pk, "name": v.name, "farm_id": farm_pks.get(v.farm_id),
                         "farm_external_id": v.farm_id, "farm_role_external_id": v.farm_role_id,
                         "ssl_enabled": v.ssl_enabled, "modified_at": v.modified_at} for v in inventory.vhosts})
    if inventory.dm_sources is not None:
        upsert(models.DmSource, models.DmSource.objects.filter(environment_id=env_pk), "external_id",
               {s.id: {"environment_id": env_pk, "external_id": s.id, "type": s.type, "url": s.url,
                       "auth_type": s.auth_type} for s in inventory.dm_sources})
    if inventory.dm_applications is not None:
        upsert(models.DmApplication, models.DmApplication.objects.filter(environment_id=env_pk),
               "external_id",
               {a.id: {"environment_id": env_pk, "external_id": a.id, "source_external_id": a.source_id,
                       "name": a.name} for a in inventory.dm_applications})


def scalr_inventory_sync(*, connection: models.ScalrConnection, inventories: list[EnvInventory],
                         read_at=None) -> SyncResult:
    """Write a whole poll: environments, farms (and details where fetched), catalogs; remove what vanished.

    `read_at`: when the poll began reading. A farm re-read on its own since then (an action following
    it, a callback) is fresher than this poll's farm list: it keeps what that read wrote, so a launch
    followed to "running" is not turned back to "terminated" by a list read a moment before it.
    """
    result = SyncResult(environments=len(inventories), farms=sum(len(i.farms or ()) for i in inventories))
    now = timezone.now()
    with transaction.atomic():
        upsert(models.Environment, connection.environments.all(), "external_id",
               {i.environment.id: {"connection_id": connection.pk, "external_id": i.environment.id,
                                   "name": i.environment.name, "unavailable": i.unavailable, "synced_at": now}
                for i in inventories})
        env_pks = dict(connection.environments.values_list("external_id", "pk"))
        fresher = set(connection.farms.filter(details_synced_at__gt=read_at).values_list(
            "external_id", flat=True)) if read_at else set()
        farms = {farm.id: (farm, inventory.fetched.get(farm.id)) for inventory in inventories
                 for farm in inventory.farms or () if farm.id not in fresher or farm.id in inventory.fetched}
        unread = [env_pks[i.environment.id] for i in inventories if i.farms is None]  # their farms stay
        _write_farms(connection, env_pks, farms, remove_missing=True, result=result, keep_environments=unread,
                     keep_farms=fresher)
        farm_pks = dict(connection.farms.values_list("external_id", "pk"))
        for inventory in inventories:
            _write_catalog(inventory, env_pks[inventory.environment.id], farm_pks)
        cutoff = now - RETENTION
        models.Event.objects.filter(connection=connection, timestamp__lt=cutoff).delete()
        models.LogEntry.objects.filter(farm__connection=connection, timestamp__lt=cutoff).delete()
        scalr_counts_refresh(connection=connection)
    return result


def scalr_counts_refresh(*, connection: models.ScalrConnection) -> dict:
    """Farms and servers by status, kept on the connection for the overview (two statements)."""
    from django.db.models import Count

    counts = {
        "farms": dict(connection.farms.values_list("status").annotate(n=Count("pk")).values_list("status", "n")),
        "servers": dict(connection.servers.values_list("status").annotate(n=Count("pk"))
                        .values_list("status", "n")),
    }
    models.ScalrConnection.objects.filter(pk=connection.pk).update(counts=counts)
    return counts


def scalr_farm_sync(*, connection: models.ScalrConnection, fetch: FarmFetch) -> SyncResult:
    """Write one farm refreshed on its own (after an action, a callback, or while someone watches it)."""
    result = SyncResult(farms=1)
    env_pks = dict(connection.environments.values_list("external_id", "pk"))
    if fetch.details.env_id not in env_pks:
        return result  # its environment is not polled (any more)
    with transaction.atomic():
        _write_farms(connection, env_pks, {fetch.details.farm_id: (None, fetch)}, remove_missing=False,
                     result=result)
        scalr_counts_refresh(connection=connection)
    return result


def scalr_catalog_sync(*, connection: models.ScalrConnection, inventory: EnvInventory) -> None:
    """Write the environment lists read again after a change (DNS zones, vhosts); farms untouched."""
    env_pk = connection.environments.get(external_id=inventory.environment.id).pk
    with transaction.atomic():
        _write_catalog(inventory, env_pk, dict(connection.farms.values_list("external_id", "pk")))
