"""Scalr's event notifications: one secret URL per connection; wrong calls change nothing."""

import pytest
from django.urls import reverse

from vendors.scalr import models

pytestmark = pytest.mark.django_db


def url(connection, token=None):
    return reverse("scalr:callback", args=[connection.pk, token or f"token-{connection.api}-platform"])


def post(web, django_capture_on_commit_callbacks, address, data):
    with django_capture_on_commit_callbacks(execute=True):
        return web.post(address, data)


def test_a_call_records_the_event_and_refreshes_the_farm(web, polled, sim, django_capture_on_commit_callbacks):
    farm = models.Farm.objects.get(connection=polled, name="web-prod")
    server = sim.world.servers_of(farm_id=farm.external_id)[0]
    sim.control("set_server_status", {"server_id": server.id, "status": "Pending terminate"})
    response = post(web, django_capture_on_commit_callbacks, url(polled),
                    {"event": "BeforeHostTerminate",
                     "message": f"Server {server.id} in farm 'web-prod' (ID: {farm.external_id}) is terminating"})
    assert response.status_code == 200  # no login needed, no CSRF token: Scalr posts plain form data
    event = models.Event.objects.get(via="callback")
    assert (event.farm, event.type) == (farm, "BeforeHostTerminate")
    assert models.Server.objects.get(external_id=server.id).status == "pending_terminate"  # re-polled at once


def test_the_farm_is_found_by_name_or_server_id(web, polled, sim, django_capture_on_commit_callbacks):
    cache = models.Farm.objects.get(connection=polled, name="cache-prod")
    post(web, django_capture_on_commit_callbacks, url(polled),
         {"event": "HostUp", "message": "A host of farm cache-prod is up"})
    db = models.Farm.objects.get(connection=polled, name="db-prod")
    server = db.servers.first()
    post(web, django_capture_on_commit_callbacks, url(polled),
         {"event": "HostDown", "message": f"Server {server.external_id} went down"})
    assert list(models.Event.objects.filter(via="callback").order_by("pk").values_list("farm", flat=True)) == \
        [cache.pk, db.pk]


def test_the_event_shows_on_the_farm_timeline(web, polled, members, django_capture_on_commit_callbacks):
    farm = models.Farm.objects.get(connection=polled, name="analytics")
    post(web, django_capture_on_commit_callbacks, url(polled) + f"?farm_id={farm.external_id}",
         {"event": "CustomAlert", "message": "disk 95% full"})
    web.force_login(members["viewer"])
    page = web.get(reverse("scalr:farm-detail", args=[farm.pk])).content.decode()
    assert "CustomAlert" in page and "disk 95% full" in page and "(callback)" in page


@pytest.mark.parametrize("how", ["wrong token", "unknown connection", "empty token"])
def test_wrong_calls_are_404_and_change_nothing(web, polled, how):
    address = {"wrong token": url(polled, "not-the-token"),
               "unknown connection": reverse("scalr:callback", args=[polled.pk + 1000, "token-v1-platform"]),
               "empty token": f"/scalr/callback/{polled.pk}/%20/"}[how]
    before = models.Event.objects.count()
    assert web.post(address, {"event": "HostUp", "message": "farm web-prod"}).status_code == 404
    assert web.get(address).status_code == 404
    assert models.Event.objects.count() == before


def test_get_with_the_right_token_is_not_allowed(web, polled):
    assert web.get(url(polled)).status_code == 405


def test_an_admin_replaces_the_url_and_the_old_one_stops(web, polled, members):
    old = url(polled)
    web.force_login(members["admin"])
    response = web.post(reverse("scalr:callback-rotate", args=[polled.pk]))
    assert response.status_code == 302
    page = web.get(reverse("scalr:connection", args=[polled.pk])).content.decode()
    assert old not in page and f"/scalr/callback/{polled.pk}/" in page
    web.logout()
    assert web.post(old, {"event": "HostUp", "message": "x"}).status_code == 404
    assert not models.Event.objects.filter(via="callback").exists()
