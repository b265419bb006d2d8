"""/api/v1/scalyr/ and the Scalyr verbs of /api/v1/actions/ with bearer tokens: saved queries of the
user's teams, a log query run as the explorer runs it (its query right, its filter and range, Scalyr's
matches and refusals), and configuration file writes as the editor makes them."""

from __future__ import annotations

import json

import pytest
from django.db import connection as db
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from console.audit.models import AuditEvent
from console.teams.models import Role
from console.tokens.services import token_create
from tests.harness.factories import SavedQueryFactory
from vendors.core.models import ActionRun
from vendors.scalyr.models import SavedQuery, TeamQueryPolicy

from .app_helpers import WEB2, seed
from .conftest import _scalyr_connection
from .helpers import READ_CONFIG, READ_LOGS, control, make_client

pytestmark = pytest.mark.django_db


def caller(user, *, write: bool = True, description: str = "log-bot") -> Client:
    plain = token_create(user=user, description=description, write=write)[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {plain}")


def query(api: Client, connection, **body):
    return api.post(reverse("api:scalyr:query", args=[connection.pk]), json.dumps(body),
                    content_type="application/json")


def start(api: Client, verb: str, connection, params: dict):
    return api.post(reverse("api:action-list"), json.dumps({"verb": verb, "target": str(connection.pk),
                                                            "params": params}), content_type="application/json")


# -- the log query ------------------------------------------------------------------------------------
def test_a_query_returns_the_simulators_matches_newest_first(members, scalyr_connection, live_sim):
    seed(live_sim)
    response = query(caller(members[Role.OPERATOR]), scalyr_connection, filter="status == 502", range="1h")
    assert response.status_code == 200, response.content
    body = response.json()
    expected = [i for i in range(30) if i % 7 == 0]  # seed(): every 7th access line is a 502 on web-2
    assert len(body["matches"]) == len(expected) == 5
    assert {m["host"] for m in body["matches"]} == {WEB2}
    assert all(m["fields"]["status"] == 502 and m["severity"] == 5 and "502" in m["message"] for m in body["matches"])
    moments = [m["timestamp_ns"] for m in body["matches"]]
    assert moments == sorted(moments, reverse=True)
    assert body["filter"] == "status == 502" and body["continuation_token"] is None
    assert "/scalyr/" in body["explorer_url"] and "start=" in body["explorer_url"]
    oldest = query(caller(members[Role.OPERATOR]), scalyr_connection, filter="status == 502", order="oldest").json()
    assert [m["timestamp_ns"] for m in oldest["matches"]] == sorted(moments)


def test_the_next_lines_follow_the_continuation_token_within_the_same_range(members, scalyr_connection, live_sim):
    seed(live_sim)
    api = caller(members[Role.OPERATOR])
    first = query(api, scalyr_connection, filter="app == 'shop-api'", limit=20).json()
    assert len(first["matches"]) == 20 and first["continuation_token"]
    refused = query(api, scalyr_connection, filter="app == 'shop-api'", continuation_token=first["continuation_token"])
    assert refused.status_code == 400 and refused.json()["errors"]["continuation_token"]
    rest = query(api, scalyr_connection, filter="app == 'shop-api'", limit=20, start=first["start"], end=first["end"],
                 continuation_token=first["continuation_token"]).json()
    keys = [(m["timestamp_ns"], m["message"]) for m in first["matches"] + rest["matches"]]
    assert len(keys) == len(set(keys)) == 30 and rest["continuation_token"] is None


@pytest.mark.parametrize(("body", "field"), [
    ({"range": "forever"}, "range"), ({"start": "yesterday"}, "start"), ({"order": "random"}, "order"),
    ({"start": "2026-05-01T11:00:00Z", "end": "2026-05-01T10:00:00Z"}, "end"), ({"limit": 0}, "limit"),
    ({"limit": 5000}, "limit"), ({"filter": ["status == 502"]}, "filter"), ({"filter": "x" * 2001}, "filter"),
])
def test_invalid_query_input_answers_400_field_by_field(members, scalyr_connection, body, field):
    response = query(caller(members[Role.OPERATOR]), scalyr_connection, **body)
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [field]


def test_scalyrs_refusals_answer_in_its_words(members, scalyr_connection, live_sim):
    api = caller(members[Role.OPERATOR])
    bad = query(api, scalyr_connection, filter="status == (")
    assert bad.status_code == 400 and bad.json()["message"].startswith("Scalyr: ") and "filter" in bad.json()["message"]
    live_sim.retry_after = 1
    try:
        control(live_sim, "faults", {"rate_limit": True})
        slow = query(api, scalyr_connection)
    finally:
        live_sim.retry_after = 0
        live_sim.faults.clear()
    assert slow.status_code == 429 and slow["Retry-After"] == "1"
    assert slow.json()["message"] == "Scalyr: Too many requests; retry later"
    control(live_sim, "faults", {"status": 500})
    assert query(api, scalyr_connection).status_code == 503


def test_the_query_needs_the_explorers_query_right(members, team, scalyr_connection, other_scalyr_connection, live_sim):
    viewer = caller(members[Role.VIEWER])
    refused = query(viewer, scalyr_connection)
    assert refused.status_code == 403 and "Querying logs needs the operator role" in refused.json()["message"]
    TeamQueryPolicy.objects.create(team=team, viewers_may_query=True)  # an admin's grant to viewers
    assert query(viewer, scalyr_connection).status_code == 200
    assert query(caller(members["outsider"]), scalyr_connection).status_code == 404
    assert query(viewer, other_scalyr_connection).status_code == 404
    assert query(Client(), scalyr_connection).status_code == 401
    config_only = _scalyr_connection("config-only", team, live_sim, read_config_token=READ_CONFIG)
    missing = query(caller(members[Role.ADMIN]), config_only)
    assert missing.status_code == 409 and "no Read Logs token" in missing.json()["message"]


def test_a_read_only_token_may_query_but_never_write(members, scalyr_connection, live_sim):
    seed(live_sim)
    reader = caller(members[Role.ADMIN], write=False)
    answer = query(reader, scalyr_connection, filter="app == 'billing'")
    assert answer.status_code == 200 and len(answer.json()["matches"]) == 2
    refused = start(reader, "scalyr.file.create", scalyr_connection, {"path": "/x", "content": "{}"})
    assert refused.status_code == 403 and "read-only" in refused.json()["message"]
    assert not ActionRun.objects.exists()


# -- saved queries ------------------------------------------------------------------------------------
def test_saved_queries_of_the_users_teams_only(members, scalyr_connection, other_scalyr_connection):
    mine = [SavedQuery.objects.create(connection=scalyr_connection, name=name, kind=kind, state={"filter": name})
            for name, kind in (("5xx", "explorer"), ("errors", "chart"), ("billing", "explorer"))]
    theirs = SavedQuery.objects.create(connection=other_scalyr_connection, name="secret plans", kind="explorer")
    api = caller(members[Role.VIEWER])
    listing = api.get(reverse("api:scalyr:saved-query-list")).json()
    assert [row["name"] for row in listing["results"]] == ["5xx", "billing", "errors"] and listing["count"] == 3
    row = listing["results"][0]
    assert row["state"] == {"filter": "5xx"} and row["connection"] == "logs-prod" and row["team"] == "Platform"
    assert row["query_url"].endswith(reverse("api:scalyr:query", args=[scalyr_connection.pk]))
    charts = api.get(reverse("api:scalyr:saved-query-list"), {"kind": "chart"}).json()["results"]
    assert [c["name"] for c in charts] == ["errors"]
    assert api.get(reverse("api:scalyr:saved-query-list"), {"kind": "table"}).status_code == 400
    assert api.get(reverse("api:scalyr:saved-query-list"), {"connection": "x"}).status_code == 400
    assert api.get(reverse("api:scalyr:saved-query-list"), {"connection": other_scalyr_connection.pk}).json()[
        "results"] == []
    assert api.get(reverse("api:scalyr:saved-query-detail", args=[mine[1].pk])).json()["kind"] == "chart"
    assert api.get(reverse("api:scalyr:saved-query-detail", args=[theirs.pk])).status_code == 404


# -- configuration files through POST actions/ --------------------------------------------------------
def test_configuration_files_are_written_as_the_editor_writes_them(members, scalyr_connection, live_sim):
    secret_text = '{"note": "file content stays out of the action and the audit log 5e1f"}'
    admin = caller(members[Role.ADMIN], description="dashboards-as-code")
    assert start(caller(members[Role.OPERATOR]), "scalyr.file.create", scalyr_connection,
                 {"path": "/dashboards/API", "content": secret_text}).status_code == 403
    bad = start(admin, "scalyr.file.create", scalyr_connection, {"path": "dashboards", "content": "{}"})
    assert bad.status_code == 400 and bad.json()["errors"]["params"]["path"]
    created = start(admin, "scalyr.file.create", scalyr_connection, {"path": "/dashboards/API", "content": secret_text})
    assert created.status_code == 202, created.content
    assert created.json()["status"] == "succeeded" and secret_text not in created.content.decode()
    with make_client(live_sim) as scalyr:
        assert scalyr.get_file("/dashboards/API").content == secret_text
    stale = start(admin, "scalyr.file.update", scalyr_connection,
                  {"path": "/dashboards/API", "content": "{}", "expected_version": 7})
    assert stale.status_code == 202 and stale.json()["status"] == "failed" and stale.json()["message"]
    deleted = start(admin, "scalyr.file.delete", scalyr_connection, {"path": "/dashboards/API", "expected_version": 1})
    assert deleted.json()["status"] == "succeeded"
    events = AuditEvent.objects.filter(verb__startswith="scalyr.file.")
    assert {e.via for e in events} == {"API token dashboards-as-code"} and events.count() == 3
    assert all(secret_text not in json.dumps(e.detail) for e in events)
    assert all(secret_text not in json.dumps(a.params) for a in ActionRun.objects.all())


def test_file_writes_need_a_write_config_token(members, team, live_sim):
    logs_only = _scalyr_connection("logs-only", team, live_sim, read_logs_token=READ_LOGS)
    refused = start(caller(members[Role.ADMIN]), "scalyr.file.create", logs_only, {"path": "/x", "content": "{}"})
    assert refused.status_code == 403 and "no Write Config token" in refused.json()["message"]


def test_a_page_of_saved_queries_costs_the_same_queries_whatever_its_size(members, scalyr_connection):
    api = caller(members[Role.VIEWER])

    def queries() -> int:
        with CaptureQueriesContext(db) as captured:
            assert api.get(reverse("api:scalyr:saved-query-list"), {"limit": 100}).status_code == 200
        return len(captured)

    SavedQueryFactory.create_batch(3, connection=scalyr_connection, created_by=members[Role.OPERATOR])
    queries()  # the token's first use of the minute records it
    few = queries()
    SavedQueryFactory.create_batch(30, connection=scalyr_connection, created_by=members[Role.ADMIN], kind="chart")
    assert queries() == few
