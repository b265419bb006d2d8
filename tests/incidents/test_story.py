"""The issue's story through the simulators, over real HTTP: shop-api is deployed on Scalingo, four minutes
later its 5xx burst in Scalyr; a poll of each stores the deployment and refreshes the team's "shop-api 5xx"
chart, whose threshold fires an alert. The app's chart and the Scalyr chart draw the deploy at its time;
the incident page opened from the alert lists the deploy first among the suspects, with its sentence;
another team's deploy of an app of the same name, closer to the burst, appears nowhere."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from console.teams.models import Role
from tests.harness.factories import SavedQueryFactory, ScalingoConnectionFactory, ScalyrConnectionFactory, member_of
from tests.incidents.helpers import scalingo_app, scalingo_event
from tests.scalingo.scalingo_helpers import make_sim, stop_soon
from tests.scalyr.conftest import live_sim, shared_sim  # noqa: F401 (fixtures: the Scalyr simulator on the real clock)
from tests.scalyr.helpers import NS, emit
from vendors.core import polling
from vendors.core.alerts.models import Alert
from vendors.scalingo.client import forget_bearers
from vendors.scalingo.models import App

pytestmark = pytest.mark.django_db
BURST_AFTER = timedelta(minutes=4)


@pytest.fixture
def scalingo():
    cache.clear()
    forget_bearers()
    simulator = make_sim()
    yield simulator
    forget_bearers()
    stop_soon(simulator)


def deploy_an_hour_old_app(simulator, *, minutes_ago: float) -> datetime:
    """shop-api, created an hour ago, deployed again `minutes_ago`; when Scalingo says the deploy finished."""
    with simulator.lock:
        world = simulator.world
        app = world.add_app("shop-api", simulator.ops, created=time.time() - 3600)
        world.add_deployment(app, simulator.ops, status="success", created=time.time() - minutes_ago * 60,
                             git_ref="5e1f00d2c0ffee0000000000000000000000beef")
        return datetime.fromisoformat(app["_deployments"][0]["finished_at"].replace("Z", "+00:00"))


def errors_of_shop_api(sim, *, deployed: datetime) -> None:
    """One 5xx every two minutes for twelve minutes before the burst, then one a second until now."""
    burst, now = deployed + BURST_AFTER, time.time()
    quiet = [(burst - timedelta(minutes=16) + timedelta(minutes=2 * i)).timestamp() for i in range(8)]
    loud = [burst.timestamp() + i for i in range(int(now - burst.timestamp()) - 1)]
    emit(sim, *({"ts": int(ts * NS), "severity": 5, "host": "web-1.prod.internal",
                 "attrs": {"app": "shop-api", "status": 500, "message": "POST /checkout 500"}} for ts in quiet + loud))


def poll(connection, sent=None):
    lease = polling.connection_claim(connection=connection, force=True)
    outcome = polling.connection_poll(vendor=connection.vendor, pk=connection.pk, lease=lease)
    assert outcome.status == "ok", outcome


def test_a_deploy_before_an_error_burst_is_the_first_suspect(client, team, other_team, scalingo, live_sim,
                                                             django_capture_on_commit_callbacks):
    operator = member_of(team, Role.OPERATOR, username="ana")
    scalingo_conn = ScalingoConnectionFactory(name="scalingo-paris", team=team, base_url=scalingo.url)
    deployed = deploy_an_hour_old_app(scalingo, minutes_ago=13)
    errors_of_shop_api(live_sim, deployed=deployed)
    theirs = scalingo_app(other_team)  # another team's shop-api, deployed just before the burst
    scalingo_event(theirs, "deployment", deployed + timedelta(minutes=3), user="mallory", status="success",
                   git_ref="evil", pusher="mallory")
    logs = ScalyrConnectionFactory(name="logs-prod", team=team, base_url=live_sim.url)
    chart = SavedQueryFactory(connection=logs, name="shop-api 5xx", kind="chart", threshold_direction="above",
                              threshold=20, pinned=True, state={"filter": "app == 'shop-api' status >= 500",
                                                                "range": "30m", "buckets": "30"})
    with django_capture_on_commit_callbacks(execute=True):
        poll(scalingo_conn)
        poll(logs)
    app = App.objects.get(connection=scalingo_conn, name="shop-api")
    alert = Alert.objects.get(key=f"scalyr.chart.past-threshold:{chart.pk}")
    client.force_login(operator)

    # the app's chart and the Scalyr chart draw the deploy at its time
    series = client.get(reverse("scalingo:app-series", args=[app.pk]), {"hours": 1}).json()
    [deploy] = [c for c in series["changes"] if c["kind"] == "deploy" and c["t"] > deployed.timestamp() - 60]
    assert deploy["t"] == pytest.approx(deployed.timestamp(), abs=1) and deploy["status"] == "success"
    fragment = client.get(reverse("scalyr:chart", args=[logs.pk]), {**chart.state, "saved": chart.pk},
                          HTTP_HX_REQUEST="true").content.decode()
    drawn = json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', fragment,
                                 re.S).group(1))
    assert [(c["kind"], c["object"]) for c in drawn["changes"]] == [("deploy", "shop-api")]
    assert drawn["changes"][0]["t"] == pytest.approx(deployed.timestamp(), abs=1)
    assert drawn["concerns"] == ["shop-api (Scalingo app)"]
    tile = json.loads(re.search(rf'<script id="scalyr-tile-{chart.pk}" type="application/json">(.*?)</script>',
                                client.get(reverse("overview:home")).content.decode(), re.S).group(1))
    assert [c["kind"] for c in tile["changes"]] == ["deploy"]  # the pinned tile, from the stored series
    window = {"filter": "app == 'shop-api'", "ws": int((deployed.timestamp() - 600) * 1000),
              "we": int(time.time() * 1000)}
    histogram = client.get(reverse("scalyr:histogram", args=[logs.pk]), window).content.decode()
    assert histogram.count('data-change-mark="deploy"') == 1  # the explorer's histogram

    # the incident page, opened from the alert
    alert_page = client.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    investigate = re.search(r'href="([^"]+)" id="investigate"', alert_page).group(1).replace("&amp;", "&")
    page = client.get(investigate)
    assert page.status_code == 200
    html = page.content.decode()
    assert "shop-api 5xx" in html and "deployed 5e1f00d2c0ff to shop-api: success" in html
    suspects = client.get(reverse("incidents:suspects") + "?" + investigate.partition("?")[2]).content.decode()
    first = re.search(r'<p class="suspect-evidence"><strong>(.*?)</strong>', suspects).group(1)
    assert re.fullmatch(r"Deployed [34] min before the shop-api 5xx went from 0\.0\d+/s to 1\.\d/s\.", first), first
    errors = client.get(reverse("scalyr:incident-errors") + "?" + investigate.partition("?")[2]).content.decode()
    assert "POST /checkout 500" in errors and "Top error messages" in errors  # each opening the explorer
    assert '"kind": "deploy"' in errors  # the error rate draws the window's changes too
    for shown in (html, suspects, errors, histogram, json.dumps(series), json.dumps(drawn), json.dumps(tile)):
        assert "mallory" not in shown and "evil" not in shown
