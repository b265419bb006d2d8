"""What a user sees on the Scalr pages after a poll, for each API generation."""

import pytest
from django.urls import reverse

from console.teams.models import Role
from tests.scalr.conftest import make_connection, poll
from vendors.scalr import models

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(web, members):
    web.force_login(members[Role.VIEWER])
    return web


@pytest.fixture
def admin(web, members):
    web.force_login(members[Role.ADMIN])
    return web


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_farm_list_shows_every_farm_with_its_status(viewer, polled, sim):
    page = text(viewer.get(reverse("scalr:farm-list")))
    for farm in sim.world.farms.values():
        assert farm.name in page
    assert "Terminating" in page and "Locked" in page


def test_farm_list_filters_search_sort_and_page_in_the_url(viewer, polled):
    url = reverse("scalr:farm-list")
    running = text(viewer.get(url, {"status": "running"}))
    assert "web-prod" in running and "batch-prod" not in running
    staging = polled.environments.get(name="staging")
    page = text(viewer.get(url, {"environment": staging.pk}))
    assert "ci-runners" in page and "web-prod" not in page
    found = text(viewer.get(url, {"q": "spark"}))  # description search
    assert "analytics" in found and "web-prod" not in found
    ordered = text(viewer.get(url, {"sort": "-name"}))
    assert ordered.index("web-staging") < ordered.index("analytics")
    partial = viewer.get(url, {"status": "terminated"}, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b"batch-prod" in partial.content


def test_farm_page_shows_roles_servers_events_and_what_is_not_available(viewer, polled):
    farm = models.Farm.objects.get(connection=polled, name="web-prod")
    page = text(viewer.get(reverse("scalr:farm-detail", args=[farm.pk])))
    for server in farm.servers.all():
        assert server.external_id[:8] in page
    assert "nginx" in page and "m3.medium" in page and "HostUp" in page
    assert "Launch farm" not in page and "Terminate farm" not in page  # a viewer has no actions
    if polled.api == "v2":
        assert "Not available on this connection: The farm system log is not available on APIv2" in page
    else:
        assert "Scalarizr initialized" in page  # the system log
        assert "example.com" in page  # DNS endpoint


def test_farm_timeline_pages(viewer, polled, sim):
    farm = models.Farm.objects.get(connection=polled, name="web-prod")
    for number in range(20):
        sim.control("add_event", {"farm_id": farm.external_id, "type": "CustomEvent", "message": f"tick {number}"})
    poll(polled)
    page = text(viewer.get(reverse("scalr:farm-detail", args=[farm.pk])))
    assert "Page 1 of" in page
    second = viewer.get(reverse("scalr:farm-detail", args=[farm.pk]), {"section": "farm-events", "events": 2},
                        headers={"HX-Request": "true"})
    assert b"Page 2 of" in second.content and b"<html" not in second.content


def test_stats_are_read_live_or_say_why_not(viewer, polled):
    farm = models.Farm.objects.get(connection=polled, name="web-prod")
    page = text(viewer.get(reverse("scalr:farm-stats", args=[farm.pk]), {"period": "weekly"}))
    if polled.api == "v2":
        assert "not available on this connection" in page and "StatisticsGetGraphURL" in page
    else:
        assert page.count("<img") == 4 and "weekly" in page
        assert "FarmGetStats method is deprecated" in page  # Scalr 5.x, in Scalr's words


def test_a_graph_scalr_gave_no_url_for_is_a_placeholder(viewer, polled, monkeypatch):
    from vendors.scalr.selectors import live

    monkeypatch.setattr(live, "graph_urls", lambda **kwargs: [("CPU", "http://scalr.test/cpu.png"), ("Memory", "")])
    farm = models.Farm.objects.get(connection=polled, name="web-prod")
    page = text(viewer.get(reverse("scalr:farm-stats", args=[farm.pk])))
    if polled.api == "v1":
        assert page.count("<img") == 1 and "data-graph" in page
        assert "Graph unavailable: Scalr gave no URL for it." in page


def test_server_page(viewer, polled):
    server = models.Server.objects.filter(connection=polled, status="running").first()
    page = text(viewer.get(reverse("scalr:server-detail", args=[server.pk])))
    assert server.external_id in page and server.farm.name in page and "Running" in page


def test_server_list_filters_by_status_group(viewer, polled):
    page = text(viewer.get(reverse("scalr:server-list"), {"status": "starting"}))
    assert "Initializing" in page or "Pending" in page
    assert "● Running" not in page


def test_scripts_revisions_content_and_variables(viewer, polled):
    script = models.Script.objects.filter(environment__connection=polled, name="Deploy application").first()
    page = text(viewer.get(reverse("scalr:script-detail", args=[script.pk])))
    assert "Revision 3" in page and "%service_name%" in page and "systemctl restart" in page
    older = text(viewer.get(reverse("scalr:script-detail", args=[script.pk]), {"revision": 1}))
    assert "git -C /srv/app pull" in older
    assert "Deploy application" in text(viewer.get(reverse("scalr:script-list")))


@pytest.mark.parametrize("page_name", ["scalr:farm-list", "scalr:server-list", "scalr:script-list", "scalr:dns-list"])
def test_the_environment_filter_names_each_environment_with_its_connection(viewer, polled, page_name):
    staging = polled.environments.get(name="staging")
    page = text(viewer.get(reverse(page_name), {"environment": staging.pk}))
    assert f'<option value="{staging.pk}" selected>staging ({polled.name})</option>' in page
    production = polled.environments.get(name="production")
    assert f'<option value="{production.pk}">production ({polled.name})</option>' in page


def test_dns_zones_and_records(viewer, polled):
    page = text(viewer.get(reverse("scalr:dns-list")))
    if polled.api == "v2":
        assert "DNS zones is not available on APIv2" in page
        return
    zone = models.DnsZone.objects.get(environment__connection=polled, name="example.com")
    assert "example.com" in page
    records = text(viewer.get(reverse("scalr:dns-zone", args=[zone.pk])))
    assert "mail.example.com." in records and "ns1.scalr.net." in records
    assert "Add a record" not in records  # admins only


def test_variables_hide_private_values(viewer, polled):
    env = polled.environments.get(external_id=1)
    page = text(viewer.get(reverse("scalr:variables"), {"environment": env.pk}))
    assert "ENVIRONMENT" in page and "production" in page
    assert "DB_PASSWORD" in page and "s3cr3t-db-password" not in page and "private, hidden" in page
    farm = models.Farm.objects.get(connection=polled, name="web-prod")
    scoped = text(viewer.get(reverse("scalr:variables"), {"environment": env.pk,
                                                          "target": f"farm:{farm.external_id}"}))
    assert "RELEASE" in scoped and "2016.06.2" in scoped


def test_vhosts_deployments_and_images_pages(viewer, polled):
    vhosts = text(viewer.get(reverse("scalr:vhosts")))
    deployments = text(viewer.get(reverse("scalr:deployments")))
    text(viewer.get(reverse("scalr:bundle-tasks")))
    if polled.api == "v1":
        assert "www.example.com" in vhosts
        assert "Deployments feature was deprecated" in deployments
    else:
        assert "Apache virtual hosts is not available on APIv2" in vhosts


def test_callback_url_is_shown_to_admins_only(web, members, polled):
    url = reverse("scalr:connection", args=[polled.pk])
    web.force_login(members[Role.VIEWER])
    page = text(web.get(url))
    assert "production" in page and f"token-{polled.api}" not in page
    web.force_login(members[Role.ADMIN])
    page = text(web.get(url))
    assert f"/scalr/callback/{polled.pk}/token-{polled.api}-platform/" in page


def test_overview_figures_link_to_filtered_lists(viewer, polled):
    page = text(viewer.get(reverse("overview:home")))
    assert "Farms running" in page and reverse("scalr:farm-list") + "?status=running" in page
    assert "Servers running" in page and reverse("scalr:server-list") + "?status=running" in page


def test_another_teams_objects_are_404(web, members, other_team, sim):
    theirs = make_connection(other_team, sim, api="v1", name="theirs")
    poll(theirs)
    web.force_login(members[Role.ADMIN])
    farm = models.Farm.objects.filter(connection=theirs).first()
    assert web.get(reverse("scalr:farm-detail", args=[farm.pk])).status_code == 404
    assert farm.name not in web.get(reverse("scalr:farm-list")).content.decode()


def test_an_open_page_follows_a_moving_farm(viewer, polled, sim):
    farm = models.Farm.objects.get(connection=polled, name="staging-db")  # one server initializing
    moving = next(s for s in sim.world.servers_of(farm_id=farm.external_id) if s.status == "Initializing")
    for _ in range(3):
        with sim.lock:
            sim.tick()
    assert next(s for s in sim.world.servers_of(farm_id=farm.external_id) if s.id == moving.id).status == "Running"
    url = reverse("scalr:farm-detail", args=[farm.pk])
    viewer.get(url, {"section": "farm-live"}, headers={"HX-Request": "true"})  # refreshes the farm (eager task)
    live = viewer.get(url, {"section": "farm-live"}, headers={"HX-Request": "true"}).content.decode()
    assert models.Server.objects.get(external_id=moving.id).status == "running"
    assert "2 running of 2" in live


def test_attention_timeline_and_search(viewer, polled, sim):
    home = text(viewer.get(reverse("overview:home")))
    assert "Farm legacy-app is terminating" in home  # stuck terminating in the demo world
    assert "Farm analytics: 1 of 2 server(s) running" in home
    timeline = text(viewer.get(reverse("overview:timeline"), {"range": "all", "vendor": "scalr"}))
    assert "web-prod: Server" in timeline and "is up and running" in timeline
    found = text(viewer.get(reverse("overview:search"), {"q": "web-pro"}))
    assert "Scalr farms" in found and "web-prod" in found
    server = models.Server.objects.filter(connection=polled).exclude(public_ips=[]).first()
    by_ip = text(viewer.get(reverse("overview:search"), {"q": server.public_ips[0]}))
    assert "Scalr servers" in by_ip and server.farm.name in by_ip


@pytest.mark.parametrize("section, part", [("server-live", 'id="server-live"'), ("server-events", 'id="server-events"'),
                                           ("server-logs", 'id="server-logs"'), ("nonsense", 'id="server-live"')])
def test_a_server_page_refresh_gets_only_the_part_it_asks_for(viewer, polled, section, part):
    server = models.Server.objects.filter(connection=polled).first()
    fragment = viewer.get(reverse("scalr:server-detail", args=[server.pk]), {"section": section},
                          headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and part in fragment
    others = {'id="server-live"', 'id="server-events"', 'id="server-logs"'} - {part}
    assert not any(other in fragment for other in others)
