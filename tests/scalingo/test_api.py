"""/api/v1/scalingo/ and the Scalingo verbs of /api/v1/actions/, with bearer tokens, after a real poll
of the simulator: what a script reads (every app, across pages, as Scalingo has them) and starts
(the pages' actions, their validation, roles and audit), and what it never gets (another team's
apps, a variable's value)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.db import connection as db
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.harness.factories import AppFactory, ContainerFactory, ContainerTypeFactory, ScalingoConnectionFactory
from tests.scalingo.scalingo_helpers import APP, tables_holding

from console.audit.models import AuditEvent
from console.teams.models import Role
from console.tokens.services import token_create
from vendors.core.models import ActionRun
from vendors.scalingo import models

pytestmark = pytest.mark.django_db

SECRET = "api-s3cr3t-77b1e0-not-for-the-db"


@pytest.fixture
def world(scalingo_sims, make_connection, poll):
    """A simulator with the recorded app and eleven more (one stopped, one crashed), polled into `team`."""
    sim = scalingo_sims()
    with sim.lock:
        for index in range(11):
            sim.world.add_app(f"shop-{index:02d}", sim.ops, status="stopped" if index == 4 else "running",
                              formation=[{"name": "web", "command": "", "amount": 1 + index % 3, "size": "M"},
                                         {"name": "worker", "command": "node w.js", "amount": index % 2, "size": "S"}])
        sim.world.crash(sim.world.find_app("shop-07"))
        shop = sim.world.find_app("shop-01")
        for _ in range(4):
            sim.world.add_deployment(shop, sim.ops, status="success")
            sim.world.record(shop, sim.ops, "restart", {"scope": ["web"]})
    conn = make_connection(sim)
    assert poll(conn).status == "ok"
    return sim, conn


def caller(user, *, write: bool = True, description: str = "deploy-bot") -> Client:
    """Django's test client sending `user`'s new token on every request."""
    plain = token_create(user=user, description=description, write=write)[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {plain}")


def every_page(api: Client, url: str, **query) -> list[dict]:
    rows, seen_urls = [], set()
    response = api.get(url, query)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows
        assert body["next"] not in seen_urls
        seen_urls.add(body["next"])
        response = api.get(body["next"])


def app_of(conn, name: str) -> models.App:
    return models.App.objects.get(connection=conn, name=name)


def start(api: Client, verb: str, target, params: dict):
    return api.post(reverse("api:action-list"), json.dumps({"verb": verb, "target": str(target), "params": params}),
                    content_type="application/json")


# -- reads ------------------------------------------------------------------------------------------
def test_every_app_of_the_team_comes_across_pages_as_the_simulator_has_it(world, members):
    sim, conn = world
    rows = every_page(caller(members[Role.VIEWER]), reverse("api:scalingo:app-list"), limit=5)
    with sim.lock:
        expected = {app["name"]: (app["id"], app["status"],
                                  {e["name"]: (e["amount"], e["size"]) for e in app["_formation"]},
                                  Counter(c["state"] for c in app["_containers"]))
                    for app in sim.world.apps.values() if sim.world.can_see(sim.ops, app)}
    assert len(rows) == len(expected) == 12
    assert [row["name"] for row in rows] == sorted(expected)  # by name, no app twice nor skipped
    for row in rows:
        scalingo_id, status, formation, states = expected[row["name"]]
        assert (row["scalingo_id"], row["status"]) == (scalingo_id, status)
        assert {line["name"]: (line["amount"], line["size"]) for line in row["formation"]} == formation
        assert row["containers"]["by_state"] == states and row["containers"]["total"] == sum(states.values())
        assert row["connection"] == conn.name and row["team"] == "Platform" and row["region"] == "osc-fr1"
    crashed = next(row for row in rows if row["name"] == "shop-07")
    assert crashed["needs_attention"] and crashed["containers"]["by_state"] == {"crashed": 3}
    assert crashed["containers"]["crashed"] == 3
    shop = next(row for row in rows if row["name"] == "shop-05")
    assert shop["containers"]["by_state"] == {"running": 4} and shop["last_deployed_at"]
    assert not shop["needs_attention"] and next(r for r in rows if r["name"] == "shop-04")["status"] == "stopped"


def test_the_apps_pages_filters_and_their_refusals(world, members):
    sim, conn = world
    api, url = caller(members[Role.VIEWER]), reverse("api:scalingo:app-list")

    def names(**query):
        response = api.get(url, query)
        assert response.status_code == 200, response.content
        return [row["name"] for row in response.json()["results"]]

    assert names(status="crashed") == ["shop-07"]
    assert names(status="stopped") == ["shop-04"]
    assert names(q="shop-1") == ["shop-10"]
    assert names(sort="-name")[:2] == ["shop-10", "shop-09"]
    assert len(names(connection=conn.name, team="platform", region="osc-fr1", status="")) == 12
    assert names(team="data") == names(connection="elsewhere") == names(region="osc-secnum-fr1") == []
    for query, field in (({"status": "sleeping"}, "status"), ({"sort": "size"}, "sort")):
        response = api.get(url, query)
        assert response.status_code == 400, response.content
        body = response.json()
        assert body["message"] and body["errors"][field] and "is not a valid choice" in body["errors"][field][0]


def test_one_app_its_events_and_deployments_newest_first_and_stable(world, members):
    sim, conn = world
    api, shop = caller(members[Role.VIEWER]), app_of(conn, "shop-01")
    detail = api.get(reverse("api:scalingo:app-detail", args=[shop.pk])).json()
    assert detail["name"] == "shop-01" and detail["url"].endswith(f"/api/v1/scalingo/apps/{shop.pk}/")
    assert detail["page_url"].endswith(reverse("scalingo:app-detail", args=[shop.pk]))

    events_url = reverse("api:scalingo:app-events", args=[shop.pk])
    events = every_page(api, events_url, limit=2)
    with sim.lock:
        expected = {e["id"] for e in sim.world.events if e["app_id"] == shop.external_id}
    assert {e["scalingo_id"] for e in events} == expected and len(events) == len(expected) == 10  # none twice
    moments = [e["created_at"] for e in events]
    assert moments == sorted(moments, reverse=True)  # newest first; ties by id, so pages neither repeat nor skip
    assert [e["id"] for e in events] == [e["id"] for e in every_page(api, events_url, limit=4)]
    assert {e["type"] for e in events} == {"new_app", "deployment", "restart"}
    assert all(e["sentence"] for e in events)

    deployments = every_page(api, reverse("api:scalingo:app-deployments", args=[shop.pk]), limit=2)
    with sim.lock:
        expected = {d["id"] for d in sim.world.find_app("shop-01")["_deployments"]}
    assert {d["scalingo_id"] for d in deployments} == expected and len(deployments) == len(expected) == 5
    moments = [d["created_at"] for d in deployments]
    assert moments == sorted(moments, reverse=True)
    assert all(d["status"] == "success" and not d["failed"] for d in deployments)


def test_another_teams_app_is_not_found(world, members, other_team):
    sim, conn = world
    theirs = AppFactory(connection=ScalingoConnectionFactory(team=other_team, name="theirs"), name="their-app")
    viewer, outsider = caller(members[Role.VIEWER]), caller(members["outsider"])
    ours = app_of(conn, "shop-01")
    for name in ("api:scalingo:app-detail", "api:scalingo:app-events", "api:scalingo:app-deployments"):
        response = viewer.get(reverse(name, args=[theirs.pk]))
        assert response.status_code == 404 and response.json()["message"]
        assert outsider.get(reverse(name, args=[ours.pk])).status_code == 404
    assert [row["name"] for row in viewer.get(reverse("api:scalingo:app-list")).json()["results"]][:1] == [APP]
    assert [row["name"] for row in outsider.get(reverse("api:scalingo:app-list")).json()["results"]] == ["their-app"]
    assert start(caller(members["outsider"]), "scalingo.app.restart", ours.pk, {}).status_code == 404


# -- actions ----------------------------------------------------------------------------------------
def test_roles_and_read_tokens_are_refused_before_anything_starts(world, members):
    sim, conn = world
    shop = app_of(conn, "shop-01")
    scale = {"containers": [{"name": "web", "amount": 3}]}
    assert start(caller(members[Role.VIEWER]), "scalingo.app.scale", shop.pk, scale).status_code == 403
    read_only = caller(members[Role.ADMIN], write=False)
    response = start(read_only, "scalingo.app.scale", shop.pk, scale)
    assert response.status_code == 403 and "read-only" in response.json()["message"]
    operator = caller(members[Role.OPERATOR])
    assert start(operator, "scalingo.variable.set", shop.pk, {"name": "A", "value": "1"}).status_code == 403
    assert start(operator, "scalingo.app.scale", "not-an-id", scale).status_code == 404
    assert not ActionRun.objects.exists()


def test_a_scale_through_the_api_succeeds_and_is_audited_via_the_token(world, members,
                                                                       django_capture_on_commit_callbacks):
    sim, conn = world
    shop = app_of(conn, "shop-01")
    api = caller(members[Role.OPERATOR], description="autoscaler")
    with django_capture_on_commit_callbacks(execute=True):  # the task is queued on commit, run eagerly
        response = start(api, "scalingo.app.scale", shop.pk,
                         {"containers": [{"name": "web", "amount": 4, "size": "L"}]})
    assert response.status_code == 202, response.content
    action = api.get(response["Location"]).json()
    assert action["status"] == "succeeded", action["message"]
    assert action["verb"] == "scalingo.app.scale" and action["actor"] == members[Role.OPERATOR].username
    assert action["params"] == {"app": shop.external_id, "containers": [{"name": "web", "amount": 4, "size": "L"}]}
    with sim.lock:
        assert {e["name"]: (e["amount"], e["size"]) for e in sim.world.find_app("shop-01")["_formation"]} == {
            "web": (4, "L"), "worker": (1, "S")}
    event = AuditEvent.objects.get(verb="scalingo.app.scale")
    assert event.actor == members[Role.OPERATOR] and event.via == "API token autoscaler"
    assert event.outcome == "success"


@pytest.mark.parametrize(("params", "errors"), [
    ({"containers": [{"name": "web", "amount": -1}]},
     {"containers": {"0": {"amount": ["Ensure this value is greater than or equal to 0."]}}}),
    ({"containers": [{"name": "worker", "amount": 1}, {"name": "web", "size": "XXL"}]},
     {"containers": {"1": {"size": ["Select a valid choice. XXL is not one of the available choices."]}}}),
    ({"containers": [{"name": "db", "amount": 1}]},
     {"containers": {"0": {"name": ["No container type named “db”; this app has web, worker."]}}}),
    ({"containers": [{"name": "web", "amount": 2}, {"name": "web", "amount": 3}]},
     {"containers": {"1": {"name": ["This container type is given twice."]}}}),
    ({"containers": [{"name": "web", "amount": 2, "size": "M"}]},
     {"non_field_errors": ["Nothing to change: this is the current formation."]}),
    ({"containers": [{"amount": "many"}]},
     {"containers": {"0": {"name": ["This field is required."], "amount": ["A valid integer is required."]}}}),
    ({"containers": []}, {"containers": {"non_field_errors": ["This list may not be empty."]}}),
    ({"web": 3}, {"web": ["Unknown parameter; this verb takes containers."],
                  "containers": ["This parameter is required."]}),
])
def test_invalid_scale_params_answer_400_field_by_field(world, members, params, errors):
    sim, conn = world
    response = start(caller(members[Role.OPERATOR]), "scalingo.app.scale", app_of(conn, "shop-01").pk, params)
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"params": errors}
    assert not ActionRun.objects.exists()


def test_restart_and_its_scope(world, members, django_capture_on_commit_callbacks):
    sim, conn = world
    api, shop = caller(members[Role.OPERATOR]), app_of(conn, "shop-01")
    refused = start(api, "scalingo.app.restart", shop.pk, {"scope": ["db"]})
    assert refused.status_code == 400 and "db" in refused.json()["errors"]["params"]["scope"][0]
    assert start(api, "scalingo.app.restart", shop.pk, {"scopes": ["web"]}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = start(api, "scalingo.app.restart", shop.pk, {"scope": ["web"]})
    assert response.status_code == 202
    assert api.get(response["Location"]).json()["status"] == "succeeded"
    assert ActionRun.objects.get().params == {"app": shop.external_id, "scope": ["web"]}


def test_a_variable_value_is_write_only(world, members, django_capture_on_commit_callbacks):
    sim, conn = world
    api, shop = caller(members[Role.ADMIN], description="vault-sync"), app_of(conn, "shop-01")
    assert start(api, "scalingo.variable.set", shop.pk, {"name": "1BAD", "value": SECRET}).status_code == 400
    assert start(api, "scalingo.variable.set", shop.pk, {"name": "TOKEN", "value": ["x"]}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = start(api, "scalingo.variable.set", shop.pk, {"name": "PAYMENT_KEY", "value": SECRET})
        bulk = start(api, "scalingo.variable.bulk", shop.pk, {"text": f"A_KEY={SECRET}-a\nB_KEY={SECRET}-b"})
    assert response.status_code == bulk.status_code == 202
    for answer in (response, bulk):
        action = api.get(answer["Location"]).json()
        assert action["status"] == "succeeded", action["message"]
        assert SECRET not in answer.content.decode() and SECRET not in json.dumps(action)
    assert ActionRun.objects.get(verb="scalingo.variable.bulk").params["names"] == ["A_KEY", "B_KEY"]
    with sim.lock:
        values = {v["name"]: v["value"] for v in sim.world.find_app("shop-01")["_variables"]}
    assert values["PAYMENT_KEY"] == SECRET and values["B_KEY"] == f"{SECRET}-b"
    assert tables_holding(SECRET) == []  # neither the action, its audit entry, nor an event kept it
    assert AuditEvent.objects.get(verb="scalingo.variable.set").via == "API token vault-sync"
    with django_capture_on_commit_callbacks(execute=True):
        deleted = start(api, "scalingo.variable.delete", shop.pk, {"name": "PAYMENT_KEY"})
    assert api.get(deleted["Location"]).json()["status"] == "succeeded"
    with sim.lock:
        assert "PAYMENT_KEY" not in {v["name"] for v in sim.world.find_app("shop-01")["_variables"]}



def test_a_page_of_apps_costs_the_same_queries_whatever_its_size(members, team):
    conn, api = ScalingoConnectionFactory(team=team), caller(members[Role.VIEWER])

    def add_apps(count: int) -> None:
        for _ in range(count):
            app = AppFactory(connection=conn)
            ContainerTypeFactory(app=app, name="web", amount=2, size="M")
            ContainerFactory(app=app, type="web", state="running")
            ContainerFactory(app=app, type="web", state="crashed")

    def queries() -> int:
        with CaptureQueriesContext(db) as captured:
            assert api.get(reverse("api:scalingo:app-list"), {"limit": 100}).status_code == 200
        return len(captured)

    add_apps(3)
    queries()  # the token's first use of the minute records it
    few = queries()
    add_apps(30)
    assert queries() == few
