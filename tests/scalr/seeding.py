"""Bulk-seed a Scalr inventory (no simulator) for the query-count test and the overview bench.

`scale` 1: 20 farms of 20 servers; 100: 2,000 farms and 40,000 servers over 50 connections.
For bench/seeding.py: `SEEDERS.append(seed_scalr)` when "vendors.scalr" is installed.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from django.utils import timezone

BATCH = 2000


def seed_scalr(*, teams, scale: int, prefix: str = "s", seed: int = 2) -> None:
    from vendors.scalr import models
    from vendors.scalr.sync import scalr_counts_refresh

    rng = random.Random(seed)
    now = timezone.now()
    connections = []
    for index in range(max(1, scale // 2)):
        connection = models.ScalrConnection(name=f"{prefix}-scalr-{index}", team=teams[index % len(teams)],
                                            base_url="http://127.0.0.1:9", settings={"api": "v2"},
                                            last_attempt_at=now, last_success_at=now)
        connection.secrets.set("key_id", f"APIKSEED{index:012d}")
        connection.secrets.set("secret", f"seed-secret-{index}")
        connections.append(connection)
    models.ScalrConnection.objects.bulk_create(connections)
    connections = list(models.ScalrConnection.objects.filter(name__startswith=f"{prefix}-scalr-").order_by("pk"))
    models.Environment.objects.bulk_create([models.Environment(connection=c, external_id=1, name="production",
                                                               synced_at=now) for c in connections])
    envs = {e.connection_id: e.pk for e in models.Environment.objects.filter(connection__in=connections)}
    statuses = ["running"] * 7 + ["terminated", "terminated", "pending_terminate"]
    farms = []
    for number in range(20 * scale):
        connection = connections[number % len(connections)]
        status = rng.choice(statuses)
        farms.append(models.Farm(connection=connection, environment_id=envs[connection.pk], external_id=number + 1,
                                 name=f"{prefix}-farm-{number:05d}", status=status, owner="ops@example.com",
                                 locked=False, servers_total=20 if status == "running" else 0,
                                 servers_running=(20 - number % 3) if status == "running" else 0,
                                 details_synced_at=now))
    models.Farm.objects.bulk_create(farms, batch_size=BATCH)
    farm_rows = list(models.Farm.objects.filter(connection__in=connections).values_list("pk", "connection_id",
                                                                                       "status"))
    models.FarmRole.objects.bulk_create(
        [models.FarmRole(farm_id=pk, external_id=pk * 10 + n, role_external_id=10 + n, alias=alias, platform="ec2",
                         location="us-east-1", instance_type="m3.medium", min_instances=10, max_instances=12,
                         running_instances=10 if status == "running" else 0)
         for pk, _, status in farm_rows for n, alias in enumerate(("web", "app"))], batch_size=BATCH)
    roles = {(farm_id, alias): pk for pk, farm_id, alias in models.FarmRole.objects.filter(
        farm__connection__in=connections).values_list("pk", "farm_id", "alias")}
    servers = []
    for pk, connection_id, status in farm_rows:
        if status != "running":
            continue
        for index in range(20):
            alias = "web" if index < 10 else "app"
            servers.append(models.Server(
                connection_id=connection_id, farm_id=pk, farm_role_id=roles[(pk, alias)],
                external_id=str(uuid.UUID(int=rng.getrandbits(128))), status="running" if index % 7 else "pending",
                index=index % 10 + 1, platform="ec2", location="us-east-1", instance_type="m3.medium",
                public_ips=[f"54.0.{pk % 250}.{index}"], private_ips=[f"10.0.{pk % 250}.{index}"],
                agent_version="5.11.12", launched_at=now - timedelta(hours=index)))
    models.Server.objects.bulk_create(servers, batch_size=BATCH)
    models.Event.objects.bulk_create(
        [models.Event(connection_id=connection_id, farm_id=pk, external_id=f"{prefix}-ev-{pk}-{n}",
                      type=rng.choice(["HostUp", "HostDown", "FarmLaunched"]), message=f"Seeded event {n}",
                      timestamp=now - timedelta(minutes=rng.randrange(0, 60 * 24 * 7)))
         for pk, connection_id, _ in farm_rows for n in range(3)], batch_size=BATCH)
    for connection in connections:
        scalr_counts_refresh(connection=connection)
