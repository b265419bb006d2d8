"""A Scalr poll is made of parts, and a part fails alone: a restricted key, an older installation and a
slow farm, through the simulator's refusal switches over real HTTP."""

import httpx
import pytest
from django.urls import reverse

from console.teams.models import Role
from tests.scalr.conftest import make_connection, poll
from vendors.core import http
from vendors.scalr import models
from vendors.scalr.simulator.access import APIV2_PERMISSION_MESSAGE, QUERY_API_PERMISSION_MESSAGE

pytestmark = pytest.mark.django_db

PRODUCTION, STAGING = 1, 2


def stored(connection):
    return {
        "farms": set(models.Farm.objects.filter(connection=connection).values_list("external_id", flat=True)),
        "servers": set(models.Server.objects.filter(connection=connection).values_list("external_id", flat=True)),
        "roles": set(models.Role.objects.filter(environment__connection=connection).values_list("external_id",
                                                                                                flat=True)),
        "scripts": set(models.Script.objects.filter(environment__connection=connection)
                       .values_list("environment__external_id", "external_id")),
    }


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_a_refused_catalog_fails_alone_and_keeps_its_rows(team, sim, api, web, members):
    connection = make_connection(team, sim, api=api)
    assert poll(connection).status == "ok"
    before = stored(connection)
    sim.access.refuse("scripts", env_id=STAGING)
    sim.control("add_farm", {"env_id": PRODUCTION, "name": "new-prod", "status": "running",
                             "roles": [{"alias": "web", "servers": 1}]})

    outcome = poll(connection)

    message = APIV2_PERMISSION_MESSAGE if api == "v2" else QUERY_API_PERMISSION_MESSAGE
    assert outcome.status == "degraded"
    assert outcome.message.startswith(f"1 of {connection.parts_total} parts failed: scripts in staging: {message}")
    assert connection.health == "degraded" and connection.consecutive_failures == 0
    after = stored(connection)
    assert after["scripts"] == before["scripts"]  # staging's scripts were kept, not deleted
    assert models.Farm.objects.filter(connection=connection, name="new-prod").exists()  # the rest was stored
    assert after["servers"] > before["servers"]
    # the scripts page says which part is stale and why
    web.force_login(members[Role.VIEWER])
    page = web.get(reverse("scalr:script-list")).content.decode()
    assert f"Scripts in staging ({connection.name}) could not be read at the last poll" in page and message in page
    # the farms were read: their page does not call them stale
    farms = web.get(reverse("scalr:farm-list")).content.decode()
    assert "could not be read" not in farms and "is from" not in farms


def test_an_older_installation_without_an_endpoint_keeps_the_rest(team, sim):
    connection = make_connection(team, sim, api="v2")
    assert poll(connection).status == "ok"
    before = stored(connection)
    sim.access.missing_endpoint("roles")

    outcome = poll(connection)

    assert outcome.status == "degraded"
    assert "roles and images in production: GET /api/v1beta0/user/1/roles/ is not available on this Scalr " \
           "installation: The endpoint you are trying to access does not exist." in outcome.message
    after = stored(connection)
    assert after["roles"] == before["roles"] and after["farms"] == before["farms"]
    assert connection.health_reason == outcome.message


def test_a_query_api_permission_error_for_one_action_fails_that_part(team, sim):
    connection = make_connection(team, sim, api="v1")
    assert poll(connection).status == "ok"
    before = stored(connection)
    sim.access.refuse_action("FarmsList", env_id=STAGING)

    outcome = poll(connection)

    assert outcome.status == "degraded"
    assert f"farms in staging: {QUERY_API_PERMISSION_MESSAGE}" in outcome.message
    assert stored(connection)["farms"] == before["farms"]  # staging's farms were not removed
    staging = models.Farm.objects.filter(connection=connection, environment__external_id=STAGING)
    assert staging.exists() and set(staging.values_list("external_id", flat=True)) == \
        {f.id for f in sim.world.farms.values() if f.env_id == STAGING}


@pytest.mark.parametrize("api", ["v1"])  # APIv2 reads servers environment-wide: test_steady_polls.py
def test_a_farm_whose_details_time_out_keeps_them_and_its_page_says_why(team, sim, api, monkeypatch, web,
                                                                       members):
    monkeypatch.setattr(http, "DEFAULT_TIMEOUT", httpx.Timeout(connect=5.0, read=0.5, write=5.0, pool=5.0))
    connection = make_connection(team, sim, api=api)
    assert poll(connection).status == "ok"
    farm = models.Farm.objects.get(connection=connection, name="web-prod")
    servers = set(farm.servers.values_list("external_id", "status"))
    synced = farm.details_synced_at
    sim.access.hold_farm(farm.external_id, seconds=2)

    outcome = poll(connection)

    assert outcome.status == "degraded"
    assert "details of farm web-prod: " in outcome.message and "did not answer in time" in outcome.message
    farm.refresh_from_db()
    assert farm.details_synced_at == synced and set(farm.servers.values_list("external_id", "status")) == servers
    other = models.Farm.objects.get(connection=connection, name="db-prod")
    assert other.details_synced_at > synced  # every other farm was refreshed
    web.force_login(members[Role.VIEWER])
    page = web.get(reverse("scalr:farm-detail", args=[farm.pk])).content.decode()
    assert "Details of farm web-prod could not be read at the last poll" in page
    assert "did not answer in time" in page


def test_what_a_connection_lacks_is_said_once_per_connection(team, sim, web, members):
    """APIv2 has no DNS zones: the DNS page says so once for the connection, not once per environment."""
    connection = make_connection(team, sim, api="v2")
    assert poll(connection).status == "ok"
    assert connection.environments.count() == 2
    web.force_login(members[Role.VIEWER])
    page = web.get(reverse("scalr:dns-list")).content.decode()
    assert page.count("not available on this connection") == 1
    assert f"{connection.name}: not available on this connection: DNS zones is not available on APIv2" in page
