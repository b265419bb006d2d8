"""Poll → database → pages, for a Query API and an APIv2 connection against the simulator."""

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from tests.scalr.conftest import make_connection, poll
from vendors.scalr import models
from vendors.scalr.client.records import server_status

pytestmark = pytest.mark.django_db

STATUS = {0: "terminated", 1: "running", 2: "pending_terminate", 3: "synchronizing"}


def world_farms(sim, env_ids=None):
    return {f.id: f for f in sim.world.farms.values() if env_ids is None or f.env_id in env_ids}


def test_every_farm_and_server_is_stored_with_its_status(polled, sim):
    farms = world_farms(sim)
    stored = {f.external_id: f for f in models.Farm.objects.filter(connection=polled)}
    assert set(stored) == set(farms)
    for farm_id, farm in farms.items():
        assert stored[farm_id].name == farm.name
        assert stored[farm_id].status == STATUS[farm.status], farm.name
    servers = {s.external_id: s.status for s in models.Server.objects.filter(connection=polled)}
    assert servers == {s.id: str(server_status(s.status)) for s in sim.world.servers.values()}
    assert polled.health == "ok"
    assert polled.poll_notes[0].startswith("2 environment(s), 12 farm(s)")


def test_farm_details_roles_lock_and_timeline(polled, sim):
    db_farm = models.Farm.objects.get(connection=polled, name="db-prod")
    assert db_farm.locked is True
    assert db_farm.lock_comment == "Change freeze until the quarterly release"
    web = models.Farm.objects.get(connection=polled, name="web-prod")
    roles = {r.alias: r for r in web.farm_roles.all()}
    assert set(roles) == {"nginx", "app"}
    assert (roles["app"].min_instances, roles["app"].max_instances, roles["app"].platform) == (3, 6, "ec2")
    assert roles["nginx"].instance_type == "m3.medium"
    assert web.servers_running == web.servers_total == 5
    assert web.events.filter(type="HostUp").exists()
    if polled.api == "v1":
        assert models.LogEntry.objects.filter(farm__connection=polled).exists()
        assert models.DnsZone.objects.filter(environment__connection=polled, name="example.com",
                                             farm=web).exists()
        assert models.ApacheVhost.objects.filter(environment__connection=polled).count() == 2
    else:
        env = polled.environments.get(external_id=1)
        assert "APIv2" in env.unavailable["dns"]
        assert "LogsList" in env.unavailable["logs"]
    assert models.Script.objects.filter(environment__connection=polled).count() == 6
    assert models.Role.objects.filter(environment__connection=polled).count() >= 5


def test_a_second_poll_changes_nothing_and_sees_changes(polled, sim):
    before = {s.external_id: (s.pk, s.status) for s in models.Server.objects.filter(connection=polled)}
    confirmed = dict(models.Farm.objects.filter(connection=polled).values_list("pk", "details_synced_at"))
    assert poll(polled).status == "ok"
    assert {s.external_id: (s.pk, s.status) for s in models.Server.objects.filter(connection=polled)} == before
    # every farm's details were confirmed by this poll, unchanged or not
    for pk, synced in models.Farm.objects.filter(connection=polled).values_list("pk", "details_synced_at"):
        assert synced > confirmed[pk]

    web = next(f for f in sim.world.farms.values() if f.name == "web-prod")
    victim = sim.world.servers_of(farm_id=web.id)[0]
    sim.control("set_server_status", {"server_id": victim.id, "status": "Pending terminate"})
    sim.control("add_farm", {"env_id": 1, "name": "brand-new"})
    assert poll(polled).status == "ok"
    assert models.Server.objects.get(connection=polled, external_id=victim.id).status == "pending_terminate"
    assert models.Farm.objects.filter(connection=polled, name="brand-new", status="terminated").exists()


def test_vanished_farms_are_removed(polled, sim):
    gone = next(f for f in sim.world.farms.values() if f.name == "perf-test")
    del sim.world.farms[gone.id]
    assert poll(polled).status == "ok"
    assert not models.Farm.objects.filter(connection=polled, external_id=gone.id).exists()


def test_a_failed_poll_keeps_the_last_data_and_marks_it(polled, sim):
    farms = models.Farm.objects.filter(connection=polled).count()
    servers = models.Server.objects.filter(connection=polled).count()
    sim.faults.update(status=503)
    try:
        outcome = poll(polled)
    finally:
        sim.faults.update()
    assert outcome.status == "failed"
    assert polled.health == "degraded" and polled.last_error
    assert models.Farm.objects.filter(connection=polled).count() == farms
    assert models.Server.objects.filter(connection=polled).count() == servers


def test_the_pages_say_the_data_is_stale(polled, sim, web, members):
    from django.urls import reverse

    sim.faults.update(status=503)
    try:
        poll(polled)
    finally:
        sim.faults.update()
    web.force_login(members["viewer"])
    farm = models.Farm.objects.get(connection=polled, name="web-prod")
    for url in (reverse("scalr:farm-list"), reverse("scalr:farm-detail", args=[farm.pk])):
        page = web.get(url).content.decode()
        assert "Data of <a" in page and "Degraded" in page
        assert f"HTTP 503 from {sim.url.removeprefix('http://')} (text/plain, 17 B)" in page
        assert "web-prod" in page  # the last good data is still shown


def test_env_ids_restrict_the_poll(team, sim):
    connection = make_connection(team, sim, api="v1", env_ids=[2])
    assert poll(connection).status == "ok"
    assert set(connection.environments.values_list("name", flat=True)) == {"staging"}
    assert set(models.Farm.objects.filter(connection=connection).values_list("external_id", flat=True)) == \
        set(world_farms(sim, {2}))


def test_the_query_api_budget_is_planned_and_explained(team, sim):
    connection = make_connection(team, sim, api="v1", hourly_limit=2400)  # 40 requests a minute: a few farms
    assert poll(connection).status == "ok"
    notes = " ".join(connection.poll_notes)
    assert "production: 7 farms" in notes and "Query API limit of 2400 requests an hour" in notes
    assert models.Farm.objects.filter(connection=connection).count() == 12
    refreshed = models.Farm.objects.filter(connection=connection, details_synced_at__isnull=False).count()
    assert 0 < refreshed < 12
    poll(connection)
    assert models.Farm.objects.filter(connection=connection, details_synced_at__isnull=False).count() > refreshed


def test_sync_statements_do_not_grow_with_farms(team, sim):
    """Writing 12 farms or 60 takes the same statements: one per kind of row, and per batch of inserts."""
    from collections import Counter

    from vendors.scalr.client import client_for
    from vendors.scalr.sync import fetch_farm
    from vendors.scalr.sync import EnvInventory, scalr_inventory_sync

    connection = make_connection(team, sim, api="v2")
    rounds = []
    for extra in (0, 48):
        for number in range(extra):
            sim.control("add_farm", {"env_id": 1, "name": f"more-{number}", "status": "running",
                                     "roles": [{"alias": "web", "servers": 2}]})
        with client_for(connection) as client:
            inventories = []
            for env in client.list_environments():
                inventory = EnvInventory(environment=env, farms=client.list_farms(env_id=env.id))
                inventory.fetched = {f.id: fetch_farm(client, env.id, f.id) for f in inventory.farms}
                inventories.append(inventory)
        connection.environments.all().delete()
        with CaptureQueriesContext(db) as queries:
            scalr_inventory_sync(connection=connection, inventories=inventories)
        rounds.append(Counter(" ".join(q["sql"].split()[:3]) for q in queries if "SAVEPOINT" not in q["sql"]))
    small, large = rounds
    assert set(small) == set(large)
    grown = large - small
    assert all(kind.startswith("INSERT INTO") for kind in grown), grown  # more batches of the same insert
    assert sum(grown.values()) <= 3, grown


def test_new_events_are_all_read_whether_few_or_many(polled, sim):
    farm = models.Farm.objects.get(connection=polled, name="web-prod")
    for batch, count in (("few", 2), ("many", 9)):
        for number in range(count):
            sim.control("add_event", {"farm_id": farm.external_id, "type": "CustomEvent",
                                      "message": f"{batch} {number}"})
        assert poll(polled).status == "ok"
        stored = set(farm.events.filter(message__startswith=batch).values_list("message", flat=True))
        assert stored == {f"{batch} {number}" for number in range(count)}


def test_a_query_api_poll_leaves_the_hours_reserve_to_people(team, sim):
    """With only the reserve of an environment's hour left, the poll does not read it: deferred, not failed,
    and what was stored stays."""
    from vendors.scalr.client import budget_for
    from vendors.scalr.sync import POLL_MINIMUM, RESERVE

    connection = make_connection(team, sim, api="v1", hourly_limit=2400, env_ids=[1])
    assert poll(connection).status == "ok"
    farms = set(models.Farm.objects.filter(connection=connection).values_list("external_id", flat=True))
    budget = budget_for(connection, 1)
    budget.spend(budget.remaining() - RESERVE - POLL_MINIMUM + 1)
    served = sim.requests_served

    outcome = poll(connection)

    assert outcome.status == "deferred"
    assert "kept for people" in connection.deferred_reason
    assert connection.consecutive_failures == 0 and connection.health == "ok"
    assert sim.requests_served - served == 1  # the environment list only
    assert set(models.Farm.objects.filter(connection=connection).values_list("external_id", flat=True)) == farms
    assert budget.remaining() == RESERVE + POLL_MINIMUM - 2  # the environment list is a request of its hour
