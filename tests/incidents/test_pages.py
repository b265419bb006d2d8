"""Changes on charts and the incident page, from stored rows (no vendor is asked): what each shows, that
another team's changes never appear, that its link is the window, and the links that lead to it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from console.teams.models import Role
from tests.harness.factories import AlertFactory, member_of
from tests.incidents.helpers import ago, console_action, scalingo_app, scalingo_event, scalr_event, scalr_farm
from vendors.core import changes
from vendors.core.registry import ChangeQuery
from vendors.scalr.changes import running_servers

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(team, other_team):
    """An app of the team with a deploy, a crash and a scale made through the console (that Scalingo's feed
    records a minute later), a farm of the team launching a server, and another team's app of the same name."""
    operator = member_of(team, Role.OPERATOR, username="ana")
    app = scalingo_app(team)
    deploy = scalingo_event(app, "deployment", ago(20), user="ana", status="success", git_ref="0123abc", pusher="ana")
    scalingo_event(app, "crash", ago(15), user="", container_type="web")
    console_action(app, operator, "scalingo.app.scale", "Scale shop-api: web 2×M → 4×M", ago(10))
    scalingo_event(app, "scale", ago(9), containers={"web": "4:M"}, previous_containers={"web": "2:M"})
    neighbour = scalingo_app(team, name="billing", connection=app.connection)
    scalingo_event(neighbour, "restart", ago(8), scope=["web"])
    farm = scalr_farm(team)
    scalr_event(farm, "HostUp", ago(5), "Server 7 is up and running")
    theirs = scalingo_app(other_team)  # the same name in another team
    scalingo_event(theirs, "deployment", ago(12), user="mallory", status="success", git_ref="evil", pusher="mallory")
    return {"operator": operator, "app": app, "deploy": deploy, "farm": farm, "theirs": theirs}


def test_an_apps_changes_are_its_events_and_the_consoles_actions_told_once(world):
    app = world["app"]
    found = changes.changes_for(ChangeQuery(teams=[app.connection.team_id], start=ago(60), end=ago(0),
                                            objects=frozenset({f"scalingo.app:{app.pk}"})))
    assert [(c.kind, c.vendor, c.text) for c in found] == [
        ("deploy", "scalingo", "ana deployed 0123abc to shop-api: success."),
        ("crash", "scalingo", "web of shop-api crashed."),
        ("scale", "console", "ana: Scale shop-api: web 2×M → 4×M"),  # Scalingo's own record a minute later: once
    ]
    assert found[0].status == "success" and found[2].url == f"/scalingo/apps/{app.pk}/"


def test_the_apps_chart_carries_its_changes_and_never_another_teams(client, world):
    client.force_login(world["operator"])
    app, theirs = world["app"], world["theirs"]
    data = client.get(reverse("scalingo:app-series", args=[app.pk])).json()
    assert [c["kind"] for c in data["changes"]] == ["deploy", "crash", "scale"]
    assert data["changes"][0]["t"] == pytest.approx(world["deploy"].created_at.timestamp(), abs=0.01)
    assert data["concerns"] == ["shop-api (Scalingo app)"]
    assert parse_qs(urlsplit(data["investigate"]).query) == {"around": [f"scalingo.app:{app.pk}"]}
    assert "mallory" not in str(data)
    assert client.get(reverse("scalingo:app-series", args=[theirs.pk])).status_code == 404


def test_the_incident_page_is_its_window_ranked_and_keeps_to_the_team(client, world):
    client.force_login(world["operator"])
    app = world["app"]
    answer = client.get(reverse("incidents:page"), {"around": f"scalingo.app:{app.pk}"})
    assert answer.status_code == 302  # a moment is chosen now and written in the address, to share
    shared = answer["Location"]
    assert parse_qs(urlsplit(shared).query)["around"] == [f"scalingo.app:{app.pk}"]
    page = client.get(shared).content.decode()
    window = re.search(r'From <time datetime="([^"]+)".*? to <time datetime="([^"]+)"', page).groups()
    client.force_login(member_of(app.connection.team, Role.VIEWER))  # a teammate, later: the same window
    assert re.search(r'From <time datetime="([^"]+)".*? to <time datetime="([^"]+)"',
                     client.get(shared).content.decode()).groups() == window
    groups = re.findall(r'<h3 class="incident-group">(.*?) <span', page)
    assert groups == ["Changes of shop-api", "On the same connection (scalingo-platform)", "Elsewhere in Platform"]
    sections = page.split('<h3 class="incident-group">')[1:]
    assert "ana deployed 0123abc" in sections[0] and "web of shop-api crashed" in sections[0]
    assert "restarted web of billing" in sections[1]
    assert "Server 7 is up and running" in sections[2]
    assert "mallory" not in page and "evil" not in page

    outsider = member_of(world["theirs"].connection.team, Role.ADMIN)
    client.force_login(outsider)
    assert client.get(shared).status_code == 404  # their app is not ours to see, nor ours theirs
    assert client.get(reverse("incidents:suspects"), {"around": f"scalingo.app:{app.pk}"}).status_code == 404


def test_the_suspects_of_the_window_from_stored_rows(client, world):
    client.force_login(world["operator"])
    app = world["app"]
    answer = client.get(reverse("incidents:suspects"), {"around": f"scalingo.app:{app.pk}", "at": ago(14).isoformat()})
    page = answer.content.decode()
    assert "Deployed 5 min before web of shop-api crashed." in page
    assert "mallory" not in page


def test_links_lead_to_the_incident_page(client, world, team):
    """Investigate on an alert (list, page, overview's attention item), an app and a farm; "What happened after"
    on a deployment and on an action's audit entry."""
    admin = member_of(team, Role.ADMIN, username="root")
    client.force_login(admin)
    app, farm = world["app"], world["farm"]
    alert = AlertFactory(connection=app.connection, vendor="scalingo", key=f"scalingo.app.crashed:{app.pk}",
                         since=ago(15), title="shop-api crashed")
    investigate = changes.incident_url(at=ago(15), around=[f"scalingo.app:{app.pk}"])
    for url in (reverse("alerts:detail", args=[alert.pk]), reverse("alerts:list"), reverse("overview:home")):
        assert investigate.replace("&", "&amp;") in client.get(url).content.decode(), url
    app_page = client.get(reverse("scalingo:app-detail", args=[app.pk])).content.decode()
    assert f'href="/incidents/?around=scalingo.app%3A{app.pk}">Investigate' in app_page
    farm_page = client.get(reverse("scalr:farm-detail", args=[farm.pk])).content.decode()
    assert f'href="/incidents/?around=scalr.farm%3A{farm.pk}">Investigate' in farm_page

    from tests.harness.factories import DeploymentFactory

    deployment = DeploymentFactory(app=app, created_at=ago(20))
    tab = client.get(reverse("scalingo:app-detail", args=[app.pk]), {"tab": "deployments"}).content.decode()
    after = changes.incident_url(at=deployment.created_at, around=[f"scalingo.app:{app.pk}"], before=5, after=30)
    assert f'href="{after.replace("&", "&amp;")}">What happened after' in tab
    audit = client.get(reverse("audit:list")).content.decode()
    assert "What happened after" in audit and f"around=scalingo.app%3A{app.pk}" in audit


def test_a_farms_running_servers_are_counted_back_through_its_events(world):
    farm = world["farm"]  # 3 running now; one came up 5 minutes ago
    scalr_event(farm, "HostDown", ago(25), "Server 2 terminated")
    series = running_servers(farm=farm, start=ago(30), end=ago(0), now=ago(0))
    assert series["values"] == [3, 2, 3, 3]  # 3 before the HostDown, 2 until the HostUp, 3 since
    assert len(series["times"]) == 4 and series["step"]


def test_a_saved_chart_lists_its_related_apps_and_draws_their_changes(client, world, team):
    """The related list is explicit and editable: an operator names shop-api on a chart whose filter does not."""
    from tests.harness.factories import ScalyrConnectionFactory
    from tests.scalyr.chart_helpers import chart

    saved = chart(ScalyrConnectionFactory(team=team), "5xx", values=[1.0] * 12, filter="status >= 500")
    client.force_login(world["operator"])
    edit = reverse("scalyr:saved-edit", args=[saved.pk])
    assert client.post(edit, {"name": "5xx", "related": " shop-api , db-prod,shop-api"}).status_code == 302
    saved.refresh_from_db()
    assert saved.state == {"filter": "status >= 500", "related": "shop-api,db-prod"}
    page = client.get(reverse("scalyr:saved-detail", args=[saved.pk])).content.decode()
    assert "Changes of shop-api (Scalingo app), db-prod (Scalr farm)." in page
    tile = re.search(rf'<script id="scalyr-saved-{saved.pk}" type="application/json">(.*?)</script>', page, re.S)
    assert '"kind": "deploy"' in tile.group(1) and "mallory" not in page
