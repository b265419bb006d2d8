"""The Scalingo client's apps against the simulator over real HTTP: scale and restart and their
operations, crashes, whose apps are seen, stats and metrics (client/apps.py)."""

from __future__ import annotations

import pytest
from tests.scalingo import scalingo_wire as wire
from tests.scalingo.scalingo_helpers import APP, FAST, make_sim, stop_soon

from vendors.core import errors
from vendors.scalingo.client import ScalingoClient
from vendors.scalingo.client.records import ContainerType
from vendors.scalingo.simulator import DEFAULT_TOKEN, PARTNER_TOKEN


# -- operations --------------------------------------------------------------------------------
def test_scale_is_followed_to_done(sim, client):
    result = client.scale(APP, [ContainerType("web", 3, "M")])
    assert result.operation_url.startswith(sim.url + f"/v1/apps/{APP}/operations/")
    assert {c.name: (c.amount, c.size) for c in result.formation} == {"web": (3, "M"), "clock": (0, "M")}
    assert client.app(APP).status == "scaling"
    operation = wire.finished_operation(client, result.operation_url)
    assert operation.status == "done" and operation.type == "scale" and operation.finished_at
    assert client.app(APP).status == "running"
    assert [(c.label, c.state, c.size) for c in client.ps(APP)] == [
        ("web-1", "running", "M"), ("web-2", "running", "M"), ("web-3", "running", "M")]
    scale = client.events(APP).items[0]
    assert scale.type == "scale" and scale.formation_change["web"] == ("1:S", "3:M")


def test_scale_refused_while_busy(sim, client):
    client.scale(APP, [("web", 2)])
    with pytest.raises(errors.Conflict, match="scaling"):
        client.restart(APP)


def test_scale_before_first_deployment_has_no_operation(sim, client):
    sim.control("add_app", {"name": "never-deployed", "status": "new"})
    result = client.scale("never-deployed", [("web", 2)])
    assert result.operation_url is None and result.formation[0].amount == 2


def test_restart_is_followed_to_done(sim, client):
    location = client.restart(APP, ["web"])
    assert client.app(APP).status == "restarting"
    operation = wire.finished_operation(client, location)
    assert (operation.status, operation.type) == ("done", "restart")
    event = client.events(APP).items[0]
    assert event.type == "restart" and event.type_data == {"scope": ["web"], "reason": "user_restart"}


def test_failed_operation_is_returned_with_its_error(sim, client):
    sim.control("fail_operations", {"count": 1})
    operation = wire.finished_operation(client, client.restart(APP))
    assert operation.status == "error" and "failed to restart" in operation.error


def test_operation_deadline(sim):
    slow = make_sim(operation_seconds=60)
    try:
        with ScalingoClient(DEFAULT_TOKEN, auth_url=slow.url, **FAST) as client:
            location = client.restart(APP)
            with pytest.raises(AssertionError, match="not met within"):
                wire.finished_operation(client, location, timeout=0.05)
            assert client.operation_at(location).status == "pending"
    finally:
        stop_soon(slow)


def test_foreign_operation_location_is_asked_of_our_own_host(sim, client):
    location = client.restart(APP)
    foreign = "https://elsewhere.example" + location[len(sim.url):]
    assert client.operation_at(foreign).type == "restart"
    with pytest.raises(errors.ProtocolError):
        client.operation_at("https://elsewhere.example/nothing")


def test_crash_is_visible_to_the_client(sim, client):
    sim.control("crash", {"app": APP})
    assert client.app(APP).status == "crashed"
    assert {c.state for c in client.ps(APP)} == {"crashed"}
    crash = client.events(APP).items[0]
    assert crash.type == "crash" and crash.type_data["container_type"] == "web"
    sim.control("recover", {"app": APP})
    assert client.app(APP).status == "running"


def test_other_users_apps_stay_hidden(sim, client):
    sim.control("add_app", {"name": "partner-secret", "owner": "partner@example.com"})
    assert "partner-secret" not in [a.name for a in client.apps()]
    with pytest.raises(errors.NotFound):
        client.app("partner-secret")
    with ScalingoClient(PARTNER_TOKEN, auth_url=sim.url, **FAST) as partner:
        assert [a.name for a in partner.apps()] == ["partner-secret"]


# -- stats, metrics ----------------------------------------------------------------------------
def test_stats_and_series_move(sim, client):
    before = client.stats(APP)
    assert [s.id for s in before] == ["web-1"] and before[0].memory_limit == 268435456
    for _ in range(5):
        sim.tick()
    assert client.stats(APP) != before
    series = client.cpu(APP, "web", since_hours=1)
    assert len(series) == 61 and series[0].value is None and series[-1].time.tzinfo is not None
    assert len(client.memory(APP, "web", last=True)) == 1
    assert client.router(APP, status_code="5XX")[-1].value is not None
    sim.control("add_app", {"name": "brand-new-app", "status": "new"})
    assert client.router("brand-new-app") == []  # 404 "no metrics found" means no data yet
    with pytest.raises(errors.NotFound):
        client.cpu("no-such-app", "web")
