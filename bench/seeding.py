"""Bulk-seed inventories for benchmarks and query-count tests (no vendor involved).

Each vendor's seeder is used only when that vendor app is installed.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.apps import apps as django_apps
from django.utils import timezone

BATCH = 2000


def seed_scalingo(*, teams, connections: int, apps: int, seed: int = 1, prefix: str = "s") -> None:
    if not django_apps.is_installed("vendors.scalingo"):
        return
    from vendors.scalingo import models

    rng = random.Random(seed)
    now = timezone.now()
    statuses = ["running"] * 8 + ["stopped", "crashed"]
    conns = []
    for index in range(connections):
        conn = models.ScalingoConnection(name=f"{prefix}-scalingo-{index}", team=teams[index % len(teams)],
                                         base_url="http://127.0.0.1:9", last_attempt_at=now, last_success_at=now)
        conn.secrets.set("token", f"tk-us-seed-{index:04d}")
        conns.append(conn)
    models.ScalingoConnection.objects.bulk_create(conns)
    conns = list(models.ScalingoConnection.objects.filter(name__startswith=f"{prefix}-scalingo-").order_by("pk"))
    rows = [models.App(connection=conns[i % len(conns)], external_id=f"{prefix}-app-{i}", name=f"{prefix}-app-{i:05d}",
                       status=rng.choice(statuses), region="osc-fr1", owner="ops", url=f"https://app-{i}.example.com",
                       last_deployed_at=now - timedelta(hours=i % 500), details_synced_at=now,
                       containers_total=2, domains=f"app-{i}.example.com")
            for i in range(apps)]
    models.App.objects.bulk_create(rows, batch_size=BATCH)
    app_rows = list(models.App.objects.filter(connection__in=conns).values_list("pk", "connection_id", "name"))
    models.ContainerType.objects.bulk_create(
        [models.ContainerType(app_id=pk, name="web", amount=2, size="M") for pk, _, _ in app_rows], batch_size=BATCH)
    models.Container.objects.bulk_create(
        [models.Container(app_id=pk, label=f"web-{n}", type="web", type_index=n, state="running", size="M")
         for pk, _, _ in app_rows for n in (1, 2)], batch_size=BATCH)
    from vendors.scalingo.sync import scalingo_counts_refresh

    for conn in conns:
        scalingo_counts_refresh(connection=conn)
    models.Event.objects.bulk_create(
        [models.Event(connection_id=conn_id, app_id=pk, external_id=f"{prefix}-ev-{pk}-{n}", app_name=name,
                      type=rng.choice(["deployment", "scale", "restart", "crash"]),
                      created_at=now - timedelta(minutes=rng.randrange(0, 60 * 24 * 7)), user="ops",
                      type_data={"containers": {"web": "2:M"}, "previous_containers": {"web": "1:M"}})
         for pk, conn_id, name in app_rows for n in range(3)], batch_size=BATCH)


def seed_scalr(*, teams, scale: int, prefix: str = "s") -> None:
    """2,000 farms and 40,000 servers over 50 connections at scale 100 (see tests/scalr/seeding.py)."""
    if not django_apps.is_installed("vendors.scalr"):
        return
    from tests.scalr.seeding import seed_scalr as seed

    seed(teams=teams, scale=scale, prefix=prefix)


SEEDERS = [seed_scalingo, seed_scalr]


def seed_all(*, teams, scale: int, prefix: str = "s") -> None:
    """`scale` 1 is a small installation; 100 is the issue's 5,000 apps, 2,000 farms, 40,000 servers
    over 50 connections."""
    seed_scalingo(teams=teams, connections=max(1, scale // 2), apps=50 * scale, prefix=prefix)
    for seeder in SEEDERS[1:]:
        seeder(teams=teams, scale=scale, prefix=prefix)
