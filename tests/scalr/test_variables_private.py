"""Scalr global variables: the private flag reaches Scalr and the value is never seen again (pages, refused
forms, the cache's stored bytes); a form posted to an environment the user cannot see is 404 and writes nothing."""

import pickle
import zlib
from pathlib import Path

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse

from console.teams.models import Role
from tests.scalr.conftest import make_connection, poll
from tests.scalr.test_config_actions import as_role, v1  # noqa: F401 (fixtures: a signed-in client, a polled v1)
from tests.scalr.test_farm_actions import last_action
from vendors.core.models import ActionRun
from vendors.scalr.selectors.live import variables_cache_key

pytestmark = pytest.mark.django_db
CANARY = "cAnArY-private-value-9d41e7"
PUBLIC_CANARY = "cAnArY-public-value-2b8f03"


@pytest.fixture
def v2(team, sim):
    connection = make_connection(team, sim, api="v2")
    assert poll(connection).status == "ok"
    return connection


def raw_cache() -> bytes:
    """Every entry of the cache backend as stored, unpacked only from the backend's own compression."""
    backend = caches["default"]
    if isinstance(backend, FileBasedCache):
        stored = b""
        for path in Path(backend._dir).glob("*.djcache"):
            with open(path, "rb") as entry:
                pickle.load(entry)  # the expiry time
                stored += zlib.decompress(entry.read())
        return stored
    assert isinstance(backend, RedisCache), type(backend)
    redis = backend._cache.get_client()
    return b"".join(redis.get(key) or b"" for key in redis.keys("*"))


def pages(client, connection, *, admin: bool) -> str:
    env = connection.environments.get(external_id=1)
    farm = connection.farms.get(name="web-prod")
    action = last_action()
    urls = [(reverse("scalr:variables"), {"environment": env.pk}),
            (reverse("scalr:variables"), {"environment": env.pk, "target": f"farm:{farm.external_id}"}),
            (reverse("core:action-status", args=[action.pk]), {}), (reverse("overview:search"), {"q": "API_KEY"}),
            (reverse("overview:timeline"), {}), *([(reverse("audit:list"), {})] if admin else [])]
    answers = [client.get(address, params) for address, params in urls]
    assert [a.status_code for a in answers] == [200] * len(urls)
    return "\n".join(a.content.decode() for a in answers)


def test_a_private_variable_reaches_scalr_and_is_never_shown_again(as_role, v2, sim):
    env = v2.environments.get(external_id=1)
    with sim.lock:
        sim.world.set_variable("environment", "1", "PUBLIC_SETTING", PUBLIC_CANARY)
    admin = as_role(Role.ADMIN)
    response = admin.post(reverse("scalr:variables"), {"environment": env.pk, "target": "environment",
                                                       "name": "API_KEY", "value": CANARY, "private": "on"})
    assert response.status_code == 302
    assert last_action().status == "succeeded", last_action().message
    in_scalr = sim.world.find_variable("environment", "1", "API_KEY")
    assert (in_scalr.value, in_scalr.hidden) == (CANARY, True)  # Scalr has the value, flagged hidden
    page = admin.get(response["Location"]).content.decode()
    assert "API_KEY" in page and "private, hidden" in page and PUBLIC_CANARY in page
    for role in (Role.ADMIN, Role.VIEWER):
        assert CANARY not in pages(as_role(role), v2, admin=role == Role.ADMIN)
    assert cache.get(variables_cache_key(v2.pk, 1, "environment", None)), "the page's read was cached"
    stored = raw_cache()
    assert CANARY.encode() not in stored and PUBLIC_CANARY.encode() not in stored


def test_setting_it_again_without_the_box_keeps_it_private(as_role, v2, sim):
    env = v2.environments.get(external_id=1)
    admin = as_role(Role.ADMIN)
    for private in ("on", ""):
        admin.post(reverse("scalr:variables"), {"environment": env.pk, "target": "environment",
                                                "name": "API_KEY", "value": CANARY, "private": private})
        assert last_action().status == "succeeded", last_action().message
    assert sim.world.find_variable("environment", "1", "API_KEY").hidden


def test_a_refused_private_form_does_not_send_the_value_back(as_role, v1, sim):
    """The Query API has no private flag: the form says so, and the value is not put back in the page."""
    env = v1.environments.get(external_id=1)
    response = as_role(Role.ADMIN).post(reverse("scalr:variables"), {
        "environment": env.pk, "target": "environment", "name": "API_KEY", "value": CANARY, "private": "on"})
    page = response.content.decode()
    assert response.status_code == 400 and "GlobalVariableSet) has no private flag" in page
    assert CANARY not in page
    assert sim.world.find_variable("environment", "1", "API_KEY") is None and not ActionRun.objects.exists()


@pytest.fixture
def strangers(other_team, sim):
    """Another team's connection to the same Scalr."""
    connection = make_connection(other_team, sim, api="v1", name="scalr-strangers")
    assert poll(connection).status == "ok"
    return connection


def test_posting_to_another_teams_environment_is_404_and_writes_nothing(as_role, v1, strangers, sim):
    theirs = strangers.environments.get(external_id=1)
    admin = as_role(Role.ADMIN)
    variables_before, zones_before = len(sim.world.variables), set(sim.world.zones)
    variable = {"environment": theirs.pk, "target": "environment", "name": "INTRUDER", "value": CANARY}
    assert admin.post(reverse("scalr:variables"), variable).status_code == 404
    assert admin.get(reverse("scalr:variables"), {"environment": theirs.pk}).status_code == 404
    staging = v1.environments.get(external_id=2)  # a farm of production is no target in staging
    production_farm = v1.farms.get(name="web-prod")
    assert admin.post(reverse("scalr:variables"), {**variable, "environment": staging.pk,
                                                   "target": f"farm:{production_farm.external_id}"}).status_code == 404
    zone = {"environment": theirs.pk, "domain_name": "intruder.example.org"}
    assert admin.post(reverse("scalr:dns-zone-create"), zone).status_code == 404
    assert (len(sim.world.variables), set(sim.world.zones)) == (variables_before, zones_before)
    assert not ActionRun.objects.exists()


def test_a_post_without_an_environment_writes_nothing(as_role, v1, sim):
    response = as_role(Role.ADMIN).post(reverse("scalr:variables"), {"name": "NOWHERE", "value": "x"})
    assert response.status_code == 400 and "Choose the environment" in response.content.decode()
    assert not ActionRun.objects.exists()
