"""An APIv2 poll costs what changed: statuses environment-wide at every poll, configuration on a rotation
(counted on the simulator's side, by path)."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from console import moments
from console.teams.models import Role
from tests.scalr.conftest import farm_named, make_connection, poll
from vendors.scalr import models
from vendors.scalr.sync.rotation import ROTATION

pytestmark = pytest.mark.django_db

PER_OBJECT = re.compile(r"/user/\d+/(farms/\d+/farm-roles|roles/\d+/images|scripts/\d+/script-versions|farms/\d+/servers)"
                        r"/|/user/\d+/farms/\d+/$")


@pytest.fixture
def requests_seen(sim):
    """Every request the simulator answers, as 'METHOD path' (the vendor's own count)."""
    seen: Counter = Counter()
    answer = type(sim).dispatch

    def counting(request):
        seen[f"{request.method} {request.path}"] += 1
        return answer(sim, request)

    sim.dispatch = counting
    yield seen
    del sim.dispatch


def per_object(seen: Counter) -> Counter:
    return Counter({path: n for path, n in seen.items() if PER_OBJECT.search(path)})


def test_a_steady_poll_reads_only_the_rotations_share(team, sim, requests_seen):
    connection = make_connection(team, sim, api="v2")
    assert poll(connection).status == "ok"
    first = per_object(requests_seen)
    assert sum(n for p, n in first.items() if "/farm-roles/" in p) == len(sim.world.farms)  # every farm, once
    assert not any("/servers/" in p for p in first)  # servers come from the environment's list
    envs = len(sim.world.envs)

    requests_seen.clear()
    assert poll(connection).status == "ok"

    steady = per_object(requests_seen)
    farms_by_env = Counter(f.env_id for f in sim.world.farms.values())
    share = sum(-(-n // ROTATION) for n in farms_by_env.values())
    assert sum(n for p, n in steady.items() if "/farm-roles/" in p) == share
    assert sum(n for p, n in steady.items() if "/images/" in p) == -(-len(sim.world.roles) // ROTATION)
    assert not any("/script-versions/" in p for p in steady)  # `lastChanged` did not move
    assert sum(n for p, n in requests_seen.items() if p.endswith("/servers/")) == envs
    assert sum(n for p, n in requests_seen.items() if p.endswith("/event-logs/")) == envs


def test_every_farms_configuration_is_read_within_the_rotation(team, sim, requests_seen):
    connection = make_connection(team, sim, api="v2")
    assert poll(connection).status == "ok"
    requests_seen.clear()
    for _ in range(ROTATION):
        assert poll(connection).status == "ok"
    read = {int(m.group(1)) for p in requests_seen for m in [re.search(r"/farms/(\d+)/farm-roles/", p)] if m}
    assert read == set(sim.world.farms)


def test_a_server_launched_and_a_farm_terminated_appear_after_one_poll(team, sim):
    connection = make_connection(team, sim, api="v2")
    assert poll(connection).status == "ok"
    web = farm_named(sim, 1, "web-prod")
    launched = sim.control("launch_server", {"farm_role_id": sim.world.roles_of_farm(web.id)[0].id})
    staging = farm_named(sim, 2, "web-staging")
    sim.control("terminate_farm", {"farm_id": staging.id})

    assert poll(connection).status == "ok"

    server_id = sim.world.servers_of(farm_id=web.id)[-1].id
    assert launched is not None and models.Server.objects.filter(connection=connection, external_id=server_id).exists()
    assert models.Farm.objects.get(connection=connection, external_id=staging.id).status != "running"
    stored = dict(models.Server.objects.filter(connection=connection, farm__external_id=staging.id)
                  .values_list("external_id", "status"))
    assert stored == {s.id: s.status.lower().replace(" ", "_") for s in sim.world.servers_of(farm_id=staging.id)}


def test_a_configuration_change_appears_within_the_rotation_and_the_page_says_when(team, sim, web, members):
    connection = make_connection(team, sim, api="v2")
    assert poll(connection).status == "ok"
    batch = farm_named(sim, 1, "batch-prod")  # stopped: no server moves to signal the change
    role = sim.world.roles_of_farm(batch.id)[0]
    role.max_instances = 7

    polls = 0
    farm_role = models.FarmRole.objects.get(farm__connection=connection, external_id=role.id)
    while farm_role.max_instances != 7 and polls < ROTATION:
        assert poll(connection).status == "ok"
        polls += 1
        farm_role.refresh_from_db()
    assert farm_role.max_instances == 7, f"not read in {ROTATION} polls"

    assert poll(connection).status == "ok"  # the next poll does not re-read it: the page says when it was
    farm = models.Farm.objects.get(connection=connection, external_id=batch.id)
    assert farm.config_read_at < farm.details_synced_at
    web.force_login(members[Role.VIEWER])
    page = web.get(reverse("scalr:farm-detail", args=[farm.pk])).content.decode()
    assert "Roles&#x27; configuration read" in page or "Roles' configuration read" in page


def test_the_query_api_still_reads_every_farm(team, sim):
    connection = make_connection(team, sim, api="v1")
    assert poll(connection).status == "ok"
    assert poll(connection).status == "ok"
    assert set(models.Farm.objects.filter(connection=connection).values_list("external_id", flat=True)) == \
        set(sim.world.farms)


def test_the_scripts_page_says_when_versions_were_read(team, sim, web, members):
    connection = make_connection(team, sim, api="v2")
    assert poll(connection).status == "ok"
    script = models.Script.objects.filter(environment__connection=connection).order_by("name").first()
    assert script.versions_read_at is not None
    web.force_login(members[Role.VIEWER])
    page = web.get(reverse("scalr:script-list")).content.decode()
    iso = moments.local(script.versions_read_at).isoformat()
    assert f'versions read <time datetime="{iso}"' in page
