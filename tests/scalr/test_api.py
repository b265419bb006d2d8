"""Scalr through the REST API with bearer tokens, over real HTTP (Django's test client) against the demo
simulator polled into the database: every farm and server across pages, the filters, another team's
objects, and actions started through POST /api/v1/actions/ as the pages start them."""

from __future__ import annotations


import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from console.audit.models import AuditEvent
from console.teams.models import Role
from console.tokens.services import token_create
from tests.scalr.conftest import make_connection, poll
from vendors.core.api import action_docs, api_verbs
from vendors.core.models import ActionRun
from vendors.scalr import models

pytestmark = pytest.mark.django_db
API = "/api/v1/scalr"


class Caller:
    """Django's test client with one bearer token; `post` runs the tasks queued on commit (eager Celery)."""

    def __init__(self, web, plain: str, capture):
        self.web, self.headers, self.capture = web, {"HTTP_AUTHORIZATION": f"Bearer {plain}"}, capture

    def get(self, url: str, params: dict | None = None):
        return self.web.get(url, params or {}, **self.headers)

    def post(self, url: str, body: dict):
        with self.capture(execute=True):
            return self.web.post(url, body, content_type="application/json", **self.headers)

    def every(self, url: str, params: dict | None = None) -> list[dict]:
        """Every row of a list, following `next` page after page."""
        response = self.get(url, params)
        rows = []
        while True:
            assert response.status_code == 200, response.content
            page = response.json()
            rows += page["results"]
            if not page["next"]:
                return rows
            response = self.web.get(page["next"], **self.headers)


@pytest.fixture
def api(web, members, django_capture_on_commit_callbacks):
    """`api(who, write=True)`: a caller with a token of one of `members`."""
    def caller(who: str, *, write: bool = True) -> Caller:
        _, plain = token_create(user=members[who], description=f"{who} script", write=write)
        return Caller(web, plain, django_capture_on_commit_callbacks)
    return caller


def action(verb: str, pk, **params) -> dict:
    return {"verb": verb, "target": str(pk), "params": params}


# -- the inventory ------------------------------------------------------------------------------------
def test_every_farm_and_server_of_the_team_across_pages(api, polled, sim):
    viewer = api(Role.VIEWER)
    farms = viewer.every(f"{API}/farms/", {"limit": 3})
    assert sorted((f["external_id"], f["name"]) for f in farms) == sorted(
        (f.id, f.name) for f in sim.world.farms.values())
    assert len({f["id"] for f in farms}) == len(farms)  # no row twice across pages
    assert {f["connection"]["name"] for f in farms} == {polled.name} and {f["team"] for f in farms} == {"Platform"}
    servers = viewer.every(f"{API}/servers/", {"limit": 4})
    assert sorted(s["external_id"] for s in servers) == sorted(sim.world.servers)
    up = next(s for s in sim.world.servers.values() if s.status == "Running" and s.public_ip)
    web = next(s for s in servers if s["external_id"] == up.id)
    assert web["public_ips"] == [up.public_ip] and web["hostname"] == (up.hostname if polled.api == "v2" else "")
    stored = models.Server.objects.get(external_id=web["external_id"])
    assert web["public_ips"] == stored.public_ips and web["farm"] == {"id": stored.farm_id, "name": stored.farm.name}
    assert web["farm_role"]["id"] == stored.farm_role_id and web["connection"]["id"] == polled.pk
    assert web["details_read_at"] is not None and web["data_age_seconds"] >= 0
    environments = viewer.every(f"{API}/environments/")
    assert sorted(e["name"] for e in environments) == ["production", "staging"]
    assert sum(e["servers"] for e in environments) == len(servers)


def _aged(answer: dict) -> dict:
    """An answer without its ages in seconds (they grow between two reads)."""
    return {key: _aged(value) if isinstance(value, dict) else value for key, value in answer.items()
            if not key.endswith("age_seconds")}


def test_details_and_links(api, polled):
    viewer = api(Role.VIEWER)
    farm = models.Farm.objects.get(connection=polled, name="web-prod")
    detail = viewer.get(f"{API}/farms/{farm.pk}/").json()
    assert (detail["name"], detail["status"], detail["environment"]["name"]) == ("web-prod", "running", "production")
    assert sorted(role["alias"] for role in detail["roles"]) == sorted(str(fr) for fr in farm.farm_roles.all())
    servers = viewer.every(detail["servers_url"])
    assert sorted(s["id"] for s in servers) == sorted(farm.servers.values_list("pk", flat=True))
    server = viewer.get(servers[0]["url"]).json()
    assert _aged(server) == _aged(servers[0])  # the data's age may have gained a second between the two reads
    assert _aged(viewer.get(detail["url"]).json()) == _aged(detail) and detail["page"].endswith(f"/scalr/farms/{farm.pk}/")
    script = models.Script.objects.filter(environment__connection=polled).first()
    assert viewer.get(f"{API}/scripts/{script.pk}/").json()["name"] == script.name
    environment = farm.environment
    assert viewer.get(f"{API}/environments/{environment.pk}/").json()["farms"] == environment.farms.count()


def test_filters_mean_what_the_pages_filters_mean(api, polled, sim):
    viewer = api(Role.VIEWER)
    running = viewer.every(f"{API}/farms/", {"status": "running"})
    assert sorted(f["name"] for f in running) == sorted(f.name for f in sim.world.farms.values()
                                                        if f.status == 1)  # Scalr's Running
    staging = models.Environment.objects.get(connection=polled, name="staging")
    assert {f["environment"]["name"] for f in viewer.every(f"{API}/farms/", {"environment": staging.pk})} == \
        {"staging"}
    assert [f["name"] for f in viewer.every(f"{API}/farms/", {"q": "web-pr"})] == ["web-prod"]
    by_servers = [f["servers_total"] for f in viewer.every(f"{API}/farms/", {"sort": "-servers"})]
    assert by_servers == sorted(by_servers, reverse=True)
    starting = viewer.every(f"{API}/servers/", {"status": "starting"})
    assert starting and {s["status"] for s in starting} <= {"pending_launch", "pending", "initializing"}
    assert {s["environment"]["id"] for s in viewer.every(f"{API}/servers/", {"environment": staging.pk})} == \
        {staging.pk}
    launched = [s["launched_at"] for s in viewer.every(f"{API}/servers/", {"sort": "launched"}) if s["launched_at"]]
    assert launched == sorted(launched)
    by_id = [s["id"] for s in viewer.every(f"{API}/servers/", {"limit": 7})]
    assert by_id == sorted(by_id)  # the API's default: the cheapest to page through
    by_farm = [s["farm"]["name"] for s in viewer.every(f"{API}/servers/", {"sort": "farm", "limit": 7})]
    assert by_farm == sorted(by_farm)  # the server list page's order
    assert {s["environment"]["id"] for s in viewer.every(f"{API}/scripts/", {"environment": staging.pk})} == \
        {staging.pk}
    farm = models.Farm.objects.get(connection=polled, name="web-prod")
    events = viewer.every(f"{API}/events/", {"farm": farm.pk})
    assert events and {e["farm"]["id"] for e in events} == {farm.pk}
    assert [e["timestamp"] for e in events] == sorted((e["timestamp"] for e in events), reverse=True)
    kind = events[0]["type"]
    assert {e["type"] for e in viewer.every(f"{API}/events/", {"type": kind})} == {kind}


@pytest.mark.parametrize(("url", "query", "field"), [
    ("farms/", {"status": "sideways"}, "status"),
    ("farms/", {"environment": "production"}, "environment"),
    ("farms/", {"connection": "1e3"}, "connection"),
    ("farms/", {"sort": "owner"}, "sort"),
    ("servers/", {"status": "booting"}, "status"),
    ("servers/", {"farm": "-1"}, "farm"),
    ("servers/", {"sort": "ip"}, "sort"),
    ("scripts/", {"environment": "٣"}, "environment"),
    ("environments/", {"connection": "x"}, "connection"),
    ("events/", {"since": "yesterday"}, "since"),
    ("events/", {"server": "9" * 40}, "server"),
])
def test_a_filter_not_understood_is_refused_by_name(api, polled, url, query, field):
    response = api(Role.VIEWER).get(f"{API}/{url}", query)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field] and response.json()["errors"][field][0]


def test_another_teams_objects_are_not_found(api, polled, other_team, sim):
    theirs = make_connection(other_team, sim, api="v2", name="scalr-data")
    assert poll(theirs).status == "ok"
    viewer = api(Role.VIEWER)
    farm = models.Farm.objects.filter(connection=theirs).first()
    server = models.Server.objects.filter(connection=theirs).first()
    script = models.Script.objects.filter(environment__connection=theirs).first()
    environment = models.Environment.objects.filter(connection=theirs).first()
    for url in (f"farms/{farm.pk}/", f"servers/{server.pk}/", f"scripts/{script.pk}/",
                f"environments/{environment.pk}/"):
        response = viewer.get(f"{API}/{url}")
        assert response.status_code == 404 and response.json()["message"], url
    assert {f["connection"]["id"] for f in viewer.every(f"{API}/farms/")} == {polled.pk}
    assert viewer.every(f"{API}/farms/", {"connection": theirs.pk}) == []
    assert viewer.every(f"{API}/events/", {"farm": farm.pk}) == []
    assert viewer.every(f"{API}/events/", {"server": server.pk}) == []
    response = api(Role.ADMIN).post("/api/v1/actions/", action("scalr.farm.launch", farm.pk))
    assert response.status_code == 404 and not ActionRun.objects.exists()


@pytest.mark.parametrize("url", ["servers/", "farms/", "scripts/", "events/", "environments/"])
def test_a_page_costs_the_same_queries_whatever_its_size(api, polled, url):
    """The benchmark reads 40,000 servers 1,000 a page: a row must never cost a query."""
    viewer = api(Role.VIEWER)
    viewer.get(f"{API}/{url}")  # the token's first use is noted once
    counts = []
    for limit in (1, 5, 1000):
        with CaptureQueriesContext(db_connection) as queries:
            assert viewer.get(f"{API}/{url}", {"limit": limit}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts


# -- actions --------------------------------------------------------------------------------------------
def test_every_scalr_verb_is_offered_at_start_up():
    offered = {name for name in api_verbs() if name.startswith("scalr.")}
    assert offered == {"scalr.farm.launch", "scalr.farm.terminate", "scalr.farm.clone", "scalr.farm.lock",
                       "scalr.farm.unlock", "scalr.server.launch", "scalr.server.reboot", "scalr.server.terminate",
                       "scalr.server.suspend", "scalr.server.resume", "scalr.server.image", "scalr.script.execute",
                       "scalr.dns.zone_create", "scalr.dns.record_add", "scalr.dns.record_remove",
                       "scalr.app.deploy"}
    assert "`scalr.server.reboot` (operator)" in action_docs() and "`scalr.dns.record_add` (admin)" in action_docs()


def test_a_reboot_through_the_api_is_the_pages_reboot(api, members, polled, world_moving, settings):
    settings.SCALR_FOLLOW_SECONDS = 20
    settings.SCALR_FOLLOW_INTERVAL_SECONDS = 0.05
    server = models.Server.objects.filter(connection=polled, status="running").first()
    operator = api(Role.OPERATOR)
    hard = polled.api == "v2"  # the Query API only reboots softly
    response = operator.post("/api/v1/actions/", action("scalr.server.reboot", server.pk, hard=hard))
    assert response.status_code == 202, response.content
    started = response.json()
    assert started["verb"] == "scalr.server.reboot"
    assert started["summary"].startswith(f"{'Hard' if hard else 'Soft'} reboot server {server}")
    assert response["Location"] == started["url"]
    followed = operator.get(started["url"]).json()
    assert followed["status"] == "succeeded", followed["message"]
    entry = AuditEvent.objects.get(verb="scalr.server.reboot")
    assert entry.actor == members[Role.OPERATOR] and entry.via == "API token operator script"


def test_a_viewer_may_not_start_and_a_read_token_may_not_write(api, polled):
    farm = models.Farm.objects.get(connection=polled, name="qa-sandbox")
    response = api(Role.VIEWER).post("/api/v1/actions/", action("scalr.farm.launch", farm.pk))
    assert response.status_code == 403 and "operator" in response.json()["message"]
    response = api(Role.ADMIN, write=False).post("/api/v1/actions/", action("scalr.farm.launch", farm.pk))
    assert response.status_code == 403 and "read-only" in response.json()["message"]
    assert not ActionRun.objects.exists()


def test_params_are_checked_by_the_pages_form(api, polled):
    operator = api(Role.OPERATOR)
    farm = models.Farm.objects.get(connection=polled, name="web-staging")
    response = operator.post("/api/v1/actions/", action("scalr.farm.lock", farm.pk))
    assert response.status_code == 400
    assert response.json()["errors"] == {"params": {"comment": ["This field is required."]}}
    response = operator.post("/api/v1/actions/", action("scalr.farm.launch", farm.pk, now=True))
    assert response.json()["errors"]["params"] == {"now": ["Not a parameter of this verb; this verb takes no "
                                                           "parameters."]}
    server = models.Server.objects.filter(connection=polled).first()
    response = operator.post("/api/v1/actions/", action("scalr.server.image", server.pk, role_name="a b"))
    assert response.json()["errors"]["params"]["role_name"] == ["3 to 100 letters, digits, dots, dashes, "
                                                                "underscores."]
    assert operator.post("/api/v1/actions/", action("scalr.server.reboot", "web-1")).status_code == 404
    assert not ActionRun.objects.exists()
    response = operator.post("/api/v1/actions/", action("scalr.farm.lock", farm.pk, comment="API freeze"))
    assert response.status_code == 202 and ActionRun.objects.get().params["comment"] == "API freeze"


def test_a_script_runs_on_a_farm_with_its_variables(api, v1_connection):
    poll(v1_connection)
    operator = api(Role.OPERATOR)
    script = models.Script.objects.get(environment__connection=v1_connection, external_id=100)
    farm = models.Farm.objects.get(connection=v1_connection, name="web-prod")
    response = operator.post("/api/v1/actions/", action("scalr.script.execute", script.pk, target=f"farm:{farm.pk}",
                                                        variables={"nope": "1"}))
    assert response.status_code == 400
    assert list(response.json()["errors"]["params"]["variables"]) == ["nope"]
    response = operator.post("/api/v1/actions/", action("scalr.script.execute", script.pk, target="farm:0"))
    assert list(response.json()["errors"]["params"]) == ["target"]
    response = operator.post("/api/v1/actions/", action("scalr.script.execute", script.pk, target=f"farm:{farm.pk}",
                                                        revision=2, variables={"release": "v42"}))
    assert response.status_code == 202, response.content
    run = ActionRun.objects.get()
    assert run.params["revision"] == 2 and run.params["timeout"] == 180 and run.params["variable_names"] == ["release"]
    assert "v42" not in str(run.params) and run.status == "succeeded", run.message


def test_dns_is_for_admins_where_the_connection_offers_it(api, members, polled):
    zone = models.DnsZone.objects.filter(environment__connection=polled).first()
    environment = models.Environment.objects.get(connection=polled, name="production")
    record = action("scalr.dns.record_add", zone.pk if zone else 0, type="A", name="api", value="192.0.2.7")
    create = action("scalr.dns.zone_create", environment.pk, domain_name="api.example.org")
    assert api(Role.OPERATOR).post("/api/v1/actions/", create).status_code == 403
    response = api(Role.ADMIN).post("/api/v1/actions/", create)
    if polled.api == "v2":
        assert response.status_code == 400
        assert response.json()["errors"]["params"] == {"non_field_errors": [
            "DNS in environment production: DNS zones is not available on APIv2."]}
        return
    assert response.status_code == 202, response.content
    response = api(Role.ADMIN).post("/api/v1/actions/", record)
    assert response.status_code == 202 and ActionRun.objects.get(verb="scalr.dns.record_add").params["record"]["ttl"] == 3600
