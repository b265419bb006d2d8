"""Turn a poll's records into rows: bulk upserts, and removal of what vanished.

The number of SQL statements does not grow with the number of apps: apps are written in
two bulk statements, each kind of detail is replaced for all refreshed apps at once, and
events are inserted with conflicts ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from vendors.scalingo import models, records
from vendors.scalingo.events import clean_type_data

BATCH = 500
APP_FIELDS = ["name", "status", "region", "owner", "project", "url", "git_url", "stack", "created_at",
              "last_deployed_at", "last_deployed_by", "last_deployment_id"]


@dataclass(frozen=True)
class AppDetails:
    """Everything fetched for one app beyond the app list."""

    formation: tuple[records.ContainerType, ...]
    containers: tuple[records.Container, ...]
    stats: tuple[records.ContainerStat, ...]
    addons: tuple[records.Addon, ...]
    domains: tuple[records.Domain, ...]
    collaborators: tuple[records.Collaborator, ...]
    deployments: tuple[records.Deployment, ...]


def _app_values(record: records.App) -> dict:
    return {
        "name": record.name, "status": record.status or models.AppStatus.UNKNOWN, "region": record.region or "",
        "owner": (record.owner.username or record.owner.email) if record.owner else "",
        "project": record.project_name or "", "url": record.url or "", "git_url": record.git_url or "",
        "stack": record.stack_id or "", "created_at": record.created_at, "last_deployed_at": record.last_deployed_at,
        "last_deployed_by": record.last_deployed_by or "", "last_deployment_id": record.last_deployment_id or "",
    }


def scalingo_inventory_sync(*, connection: models.ScalingoConnection, apps: Iterable[records.App],
                            details: Mapping[str, AppDetails], events: Iterable[records.Event]) -> dict[str, int]:
    """Write one poll in one transaction. `details` is keyed by app id and may cover only some apps."""
    apps = list(apps)
    now = timezone.now()
    with transaction.atomic():
        existing = {ext: app for ext, app in ((a.external_id, a) for a in connection.apps.all())}
        new_rows, changed_rows = [], []
        for record in apps:
            values = _app_values(record)
            row = existing.get(record.id)
            if row is None:
                new_rows.append(models.App(connection=connection, external_id=record.id, **values))
            elif any(getattr(row, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(row, field, value)
                changed_rows.append(row)
        models.App.objects.bulk_create(new_rows, batch_size=BATCH)
        models.App.objects.bulk_update(changed_rows, APP_FIELDS, batch_size=BATCH)
        seen = {record.id for record in apps}
        vanished = [ext for ext in existing if ext not in seen]
        if vanished:
            connection.apps.filter(external_id__in=vanished).delete()
        ids = dict(connection.apps.values_list("external_id", "pk"))
        _replace_details(ids, details, now)
        inserted = _insert_events(connection, ids, {r.name: r.id for r in apps}, events)
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
        models.App.objects.filter(connection=connection, external_id=record.id).update(**_app_values(record))
        ids = dict(connection.apps.filter(external_id=record.id).values_list("external_id", "pk"))
        _replace_details(ids, {record.id: detail}, timezone.now())
        scalingo_counts_refresh(connection=connection)


def _replace_details(ids: Mapping[str, int], details: Mapping[str, AppDetails], now) -> None:
    refreshed = {ids[ext]: detail for ext, detail in details.items() if ext in ids}
    if not refreshed:
        return
    pks = list(refreshed)
    for model in (models.ContainerType, models.Container, models.Addon, models.Domain, models.Collaborator,
                  models.Deployment):
        model.objects.filter(app_id__in=pks).delete()
    formation, containers, addons, domains, collaborators, deployments, apps = [], [], [], [], [], [], []
    for pk, detail in refreshed.items():
        stats = {stat.id: stat for stat in detail.stats}
        formation += [models.ContainerType(app_id=pk, name=t.name, amount=t.amount, size=t.size, command=t.command)
                      for t in detail.formation]
        crashed = 0
        for c in detail.containers:
            stat = stats.get(c.id) or stats.get(c.label)
            crashed += c.state == "crashed"
            containers.append(models.Container(
                app_id=pk, external_id=c.id, label=c.label, type=c.type, type_index=c.type_index, state=c.state,
                size=c.size, created_at=c.created_at, cpu_percent=stat.cpu_usage if stat else None,
                memory_bytes=stat.memory_usage if stat else None, memory_limit_bytes=stat.memory_limit if stat else None))
        addons += [models.Addon(app_id=pk, external_id=a.id, provider_id=a.provider_id, provider_name=a.provider_name,
                                plan=a.plan_display_name or a.plan_name or "", status=a.status, logo_url=a.logo_url or "")
                   for a in detail.addons]
        domains += [models.Domain(app_id=pk, external_id=d.id, name=d.name, ssl=d.ssl, canonical=d.canonical,
                                  letsencrypt_enabled=d.letsencrypt_enabled,
                                  letsencrypt_status=d.letsencrypt_status or "", validity=d.validity)
                    for d in detail.domains]
        collaborators += [models.Collaborator(app_id=pk, external_id=c.id, email=c.email, username=c.username or "",
                                              status=c.status, is_limited=c.is_limited) for c in detail.collaborators]
        deployments += [models.Deployment(app_id=pk, external_id=d.id, status=d.status, git_ref=d.git_ref or "",
                                          pusher=(d.pusher.username or d.pusher.email) if d.pusher else "",
                                          created_at=d.created_at, finished_at=d.finished_at,
                                          duration_seconds=d.duration) for d in detail.deployments]
        apps.append(models.App(pk=pk, details_synced_at=now, containers_total=len(detail.containers),
                               containers_crashed=crashed, domains=" ".join(d.name for d in detail.domains)[:2000]))
    for model, rows in ((models.ContainerType, formation), (models.Container, containers), (models.Addon, addons),
                        (models.Domain, domains), (models.Collaborator, collaborators),
                        (models.Deployment, deployments)):
        model.objects.bulk_create(rows, batch_size=BATCH)
    models.App.objects.bulk_update(apps, ["details_synced_at", "containers_total", "containers_crashed", "domains"],
                                   batch_size=BATCH)


def _insert_events(connection, ids: Mapping[str, int], ids_by_name: Mapping[str, str],
                   events: Iterable[records.Event]) -> int:
    rows = []
    for event in events:
        app_ext = event.app_id or ids_by_name.get(event.app_name or "")
        rows.append(models.Event(
            connection=connection, app_id=ids.get(app_ext) if app_ext else None, external_id=event.id,
            app_name=event.app_name or "", type=event.type, created_at=event.created_at,
            user=(event.user.username or event.user.email) if event.user else "",
            type_data=clean_type_data(event.type, event.type_data)))
    if not rows:
        return 0
    before = connection.events.count()
    models.Event.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return connection.events.count() - before
