"""Turn a poll's records into rows: bulk upserts, and removal of what vanished.

The number of SQL statements does not grow with the number of apps: new apps are written
in one bulk insert (with their detail counts), changed ones in one bulk update of the fields
that changed, the refresh time in one UPDATE, each kind of detail is replaced for all
refreshed apps at once, and only events not stored yet are inserted. (Django's bulk_update
builds a CASE per row and field: cheap for the few apps that change, slow for all of them
every poll, hence the split.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from vendors.scalingo import models
from vendors.scalingo.client import records, records_activity, records_resources

BATCH = 500
EVENT_RETENTION = timedelta(days=90)
APP_FIELDS = ["name", "status", "region", "owner", "project", "url", "git_url", "stack", "created_at",
              "last_deployed_at", "last_deployed_by", "last_deployment_id"]
#: what the details of an app set on its row, besides details_synced_at
COUNT_FIELDS = ["containers_total", "containers_crashed", "domains"]
#: type_data keys never stored: variable events carry the values (the app's secrets), crash
#: events a pre-signed logs URL
SECRET_KEYS = {"value", "old_value", "logs_url", "crash_logs", "new_vars", "updated_vars", "deleted_vars"}
#: one-off commands can carry inline secrets (`run psql postgres://user:pass@...`)
SECRET_KEYS_BY_TYPE = {"run": {"command"}}


@dataclass(frozen=True)
class AppDetails:
    """Everything fetched for one app beyond the app list."""

    formation: tuple[records.ContainerType, ...]
    containers: tuple[records.Container, ...]
    stats: tuple[records.ContainerStat, ...]
    addons: tuple[records_resources.Addon, ...]
    domains: tuple[records_resources.Domain, ...]
    collaborators: tuple[records_resources.Collaborator, ...]
    deployments: tuple[records_activity.Deployment, ...]


def _app_values(record: records.App) -> dict:
    return {
        "name": record.name, "status": record.status or models.AppStatus.UNKNOWN, "region": record.region or "",
        "owner": (record.owner.username or record.owner.email) if record.owner else "",
        "project": record.project_name or "", "url": record.url or "", "git_url": record.git_url or "",
        "stack": record.stack_id or "", "created_at": record.created_at, "last_deployed_at": record.last_deployed_at,
        "last_deployed_by": record.last_deployed_by or "", "last_deployment_id": record.last_deployment_id or "",
    }


def _count_values(detail: AppDetails) -> dict:
    return {"containers_total": len(detail.containers),
            "containers_crashed": sum(c.state == "crashed" for c in detail.containers),
            "domains": " ".join(d.name for d in detail.domains)[:2000]}


def scalingo_inventory_sync(*, connection: models.ScalingoConnection, apps: Iterable[records.App],
                            details: Mapping[str, AppDetails], events: Iterable[records_activity.Event]) -> dict[str, int]:
    """Write one poll in one transaction. `details` is keyed by app id and may cover only some apps."""
    apps = list(apps)
    now = timezone.now()
    with transaction.atomic():
        existing = {app.external_id: app for app in connection.apps.all()}
        new_rows, changed_rows, changed_fields, refreshed = [], [], set(), []
        for record in apps:
            values = _app_values(record)
            detail = details.get(record.id)
            if detail is not None:
                values.update(_count_values(detail))
            row = existing.get(record.id)
            if row is None:
                new_rows.append(models.App(connection=connection, external_id=record.id,
                                           details_synced_at=now if detail is not None else None, **values))
                continue
            if detail is not None:
                refreshed.append(row.pk)
            changes = [field for field, value in values.items() if getattr(row, field) != value]
            if changes:
                for field in changes:
                    setattr(row, field, values[field])
                changed_rows.append(row)
                changed_fields.update(changes)
        models.App.objects.bulk_create(new_rows, batch_size=BATCH)
        if changed_rows:
            models.App.objects.bulk_update(changed_rows, sorted(changed_fields), batch_size=BATCH)
        # Before the details are read: this also locks the refreshed apps' rows (PostgreSQL), so a
        # user's refresh of one of them (scalingo_app_sync, whose UPDATE comes first too) waits
        # and then diffs against what this poll wrote, never against the same stale rows.
        for start in range(0, len(refreshed), BATCH):
            models.App.objects.filter(pk__in=refreshed[start:start + BATCH]).update(details_synced_at=now)
        seen = {record.id for record in apps}
        vanished = [ext for ext in existing if ext not in seen]
        if vanished:
            connection.apps.filter(external_id__in=vanished).delete()
        ids = dict(connection.apps.values_list("external_id", "pk"))
        _replace_details(ids, details)
        inserted = _insert_events(connection, ids, {r.name: r.id for r in apps}, events)
        # the timeline keeps a bounded history (one statement, whatever the volume)
        connection.events.filter(created_at__lt=timezone.now() - EVENT_RETENTION).delete()
        scalingo_counts_refresh(connection=connection)
    return {"apps": len(apps), "created": len(new_rows), "updated": len(changed_rows), "removed": len(vanished),
            "detailed": len(details), "events": inserted}


def scalingo_counts_refresh(*, connection: models.ScalingoConnection) -> dict:
    """Recount the connection's apps and containers (read by the overview)."""
    apps = models.App.objects.filter(connection=connection)
    counts = apps.aggregate(
        apps=Count("pk"), running=Count("pk", filter=Q(status=models.AppStatus.RUNNING)),
        crashed=Count("pk", filter=Q(status=models.AppStatus.CRASHED) | Q(containers_crashed__gt=0)),
        stopped=Count("pk", filter=Q(status=models.AppStatus.STOPPED)), containers=Sum("containers_total"))
    counts = {key: value or 0 for key, value in counts.items()}
    models.ScalingoConnection.objects.filter(pk=connection.pk).update(counts=counts)
    return counts


def scalingo_app_sync(*, connection: models.ScalingoConnection, record: records.App, detail: AppDetails) -> None:
    """Write one app refreshed on its own (a user is looking at it)."""
    with transaction.atomic():
        models.App.objects.filter(connection=connection, external_id=record.id).update(
            **_app_values(record), **_count_values(detail), details_synced_at=timezone.now())
        ids = dict(connection.apps.filter(external_id=record.id).values_list("external_id", "pk"))
        _replace_details(ids, {record.id: detail})
        scalingo_counts_refresh(connection=connection)


#: the columns of each kind of detail row, in the order `_detail_rows` gives their values
DETAIL_COLUMNS = {
    models.ContainerType: ("app_id", "name", "amount", "size", "command"),
    models.Container: ("app_id", "external_id", "label", "type", "type_index", "state", "size", "created_at",
                       "cpu_percent", "memory_bytes", "memory_limit_bytes"),
    models.Addon: ("app_id", "external_id", "provider_id", "provider_name", "plan", "status", "logo_url"),
    models.Domain: ("app_id", "external_id", "name", "ssl", "canonical", "letsencrypt_enabled", "letsencrypt_status",
                    "validity"),
    models.Collaborator: ("app_id", "external_id", "email", "username", "status", "is_limited"),
    models.Deployment: ("app_id", "external_id", "status", "git_ref", "pusher", "created_at", "finished_at",
                        "duration_seconds"),
}


def _detail_rows(pk: int, detail: AppDetails) -> dict:
    """The rows one app's details make, as tuples in DETAIL_COLUMNS order."""
    stats = {stat.id: stat for stat in detail.stats}
    containers = []
    for c in detail.containers:
        stat = stats.get(c.id) or stats.get(c.label)
        containers.append((pk, c.id, c.label, c.type, c.type_index, c.state, c.size, c.created_at,
                           stat.cpu_usage if stat else None, stat.memory_usage if stat else None,
                           stat.memory_limit if stat else None))
    return {
        models.ContainerType: [(pk, t.name, t.amount, t.size, t.command) for t in detail.formation],
        models.Container: containers,
        models.Addon: [(pk, a.id, a.provider_id, a.provider_name, a.plan_display_name or a.plan_name or "", a.status,
                        a.logo_url or "") for a in detail.addons],
        models.Domain: [(pk, d.id, d.name, d.ssl, d.canonical, d.letsencrypt_enabled, d.letsencrypt_status or "",
                         d.validity) for d in detail.domains],
        models.Collaborator: [(pk, c.id, c.email, c.username or "", c.status, c.is_limited)
                              for c in detail.collaborators],
        models.Deployment: [(pk, d.id, d.status, d.git_ref or "", (d.pusher.username or d.pusher.email)
                             if d.pusher else "", d.created_at, d.finished_at, d.duration) for d in detail.deployments],
    }


def _replace_details(ids: Mapping[str, int], details: Mapping[str, AppDetails]) -> None:
    """Make the detail rows of the refreshed apps what Scalingo said, writing only the rows that
    differ: most (formation, addons, domains...) are the same from one poll to the next, and
    rewriting them all every minute is write load (WAL, dead tuples, SQLite's one writer) for
    nothing. One read, one delete per batch of stale rows and one insert per batch of new ones,
    per kind of row."""
    refreshed = {ids[ext]: detail for ext, detail in details.items() if ext in ids}
    if not refreshed:
        return
    pks = list(refreshed)
    wanted = {model: [] for model in DETAIL_COLUMNS}
    for pk, detail in refreshed.items():
        for model, rows in _detail_rows(pk, detail).items():
            wanted[model] += rows
    for model, columns in DETAIL_COLUMNS.items():
        stored = defaultdict(list)
        for row_pk, *values in model.objects.filter(app_id__in=pks).values_list("pk", *columns):
            stored[tuple(values)].append(row_pk)
        fresh = []
        for values in wanted[model]:
            same = stored.get(values)
            if same:
                same.pop()  # this row stays as it is
            else:
                fresh.append(values)
        stale = [row_pk for row_pks in stored.values() for row_pk in row_pks]
        for start in range(0, len(stale), BATCH):
            model.objects.filter(pk__in=stale[start:start + BATCH]).delete()
        model.objects.bulk_create([model(**dict(zip(columns, values))) for values in fresh], batch_size=BATCH)


def _insert_events(connection, ids: Mapping[str, int], ids_by_name: Mapping[str, str],
                   events: Iterable[records_activity.Event]) -> int:
    events = {event.id: event for event in events}
    # the feed's pages overlap what earlier polls stored: look those up by their unique key
    # (counting all of a connection's events before and after would read a table that only grows)
    stored = set(connection.events.filter(external_id__in=list(events)).values_list("external_id", flat=True))
    rows = []
    for event in events.values():
        if event.id in stored:
            continue
        app_ext = event.app_id or ids_by_name.get(event.app_name or "")
        rows.append(models.Event(
            connection=connection, app_id=ids.get(app_ext) if app_ext else None, external_id=event.id,
            app_name=event.app_name or "", type=event.type, created_at=event.created_at,
            user=(event.user.username or event.user.email) if event.user else "",
            type_data=clean_type_data(event.type, event.type_data)))
    if rows:
        # conflicts ignored: another writer may have stored one of them since the lookup
        models.Event.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)


def clean_type_data(event_type: str, data: dict | None) -> dict:
    """An event's type_data without the secrets it may carry (names of variables stay, values go)."""
    data = dict(data or {})
    if event_type == "edit_variables":
        return {key: [v.get("name") if isinstance(v, dict) else v for v in (data.get(key) or [])]
                for key in ("new_vars", "updated_vars", "deleted_vars")}
    dropped = SECRET_KEYS | SECRET_KEYS_BY_TYPE.get(event_type, set())
    return {key: value for key, value in data.items() if key not in dropped}
