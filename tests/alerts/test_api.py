"""/api/v1/alerts/: the list with its filters, one alert with its history, and the actions, as a script
with a token sees them (the permission matrix is tests/api/test_permissions.py)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from console.audit.models import AuditEvent
from console.teams.models import Role
from tests.harness.factories import AlertFactory, WidgetConnectionFactory
from vendors.core.alerts.models import AlertState

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, api_tokens):
    def call(method, name, *args, who=Role.OPERATOR, body=None, **query):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {api_tokens[who]}"}
        url = reverse(name, args=args)
        if method == "get":
            return client.get(url, query, **headers)
        return client.post(url, json.dumps(body) if body is not None else "", content_type="application/json",
                           **headers)
    return call


@pytest.fixture
def alerts(connection, other_connection, team):
    now = timezone.now()
    scalr = WidgetConnectionFactory(team=team, name="widgets-b")
    return {
        "critical": AlertFactory(connection=connection, severity=0, title="critical one"),
        "warning": AlertFactory(connection=scalr, severity=1, title="warning one"),
        "resolved": AlertFactory(connection=connection, severity=2, title="resolved one", state="resolved",
                                 resolved_at=now - timedelta(hours=1)),
        "old": AlertFactory(connection=connection, title="old one", state="resolved", resolved_at=now - timedelta(days=3)),
        "theirs": AlertFactory(connection=other_connection, title="their one"),
    }


def titles(answer) -> list[str]:
    assert answer.status_code == 200, answer.json()
    return [row["title"] for row in answer.json()["results"]]


def test_the_list_shows_the_teams_active_and_recent_alerts_and_filters_them(api, alerts):
    assert titles(api("get", "api:alert-list")) == ["critical one", "warning one", "resolved one"]
    assert titles(api("get", "api:alert-list", state="all")) == ["critical one", "warning one", "old one",
                                                                 "resolved one"]  # resolved last, severe first
    assert titles(api("get", "api:alert-list", state="resolved")) == ["old one", "resolved one"]
    assert titles(api("get", "api:alert-list", severity="warning")) == ["warning one"]
    assert titles(api("get", "api:alert-list", connection="widgets-b")) == ["warning one"]
    assert titles(api("get", "api:alert-list", team="data")) == []  # not one of the caller's teams
    row = api("get", "api:alert-list", severity="critical").json()["results"][0]
    assert (row["severity"], row["state"], row["vendor"], row["connection"], row["team"]) == (
        "critical", "firing", "widgets", "widgets-prod", "Platform")
    assert row["url"].endswith(reverse("api:alert-detail", args=[alerts["critical"].pk]))


@pytest.mark.parametrize(("query", "field"), [({"state": "sleeping"}, "state"), ({"severity": "loud"}, "severity"),
                                              ({"vendor": "nobody"}, "vendor")])
def test_an_unknown_filter_value_is_refused_naming_the_field(api, alerts, query, field):
    answer = api("get", "api:alert-list", **query)
    assert answer.status_code == 400 and field in answer.json()["errors"]


def test_acknowledge_silence_note_and_unsilence_are_audited_via_the_token(api, alerts):
    pk = alerts["critical"].pk
    assert api("post", "api:alert-acknowledge", pk).json()["state"] == "acknowledged"
    again = api("post", "api:alert-acknowledge", pk)
    assert again.status_code == 409 and again.json() == {"message": "operator-user acknowledged this alert already."}
    until = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    silenced = api("post", "api:alert-silence", pk, body={"until": until.isoformat()}).json()
    assert (silenced["state"], silenced["silenced_by"]) == ("silenced", "operator-user")
    assert silenced["silenced_until"].startswith(until.strftime("%Y-%m-%dT%H:%M"))
    noted = api("post", "api:alert-note", pk, body={"text": "Restarting the pool."}).json()
    assert noted["history"][-1] | {"when": None} == {
        "when": None, "kind": "note", "label": "Note", "who": "operator-user", "text": "Restarting the pool.",
        "channel": "", "event": "", "result": "", "attempts": 0, "error": ""}
    assert api("post", "api:alert-unsilence", pk).json()["state"] == AlertState.ACKNOWLEDGED
    assert api("post", "api:alert-unsilence", pk).status_code == 409
    verbs = list(AuditEvent.objects.filter(verb__startswith="alert.").order_by("pk").values_list("verb", "via"))
    assert verbs == [(verb, "API token operator script") for verb in
                     ("alert.acknowledge", "alert.silence", "alert.note", "alert.unsilence")]


@pytest.mark.parametrize(("body", "message"), [
    ({}, "Say for how long, or until when."),
    ({"duration": "forever"}, "A number and a unit: 90m, 4h or 2d."),
    ({"duration": "4h", "until": "2030-01-01T00:00:00Z"}, "Give a duration or an end, not both."),
    ({"until": "2001-01-01T00:00:00Z"}, "A silence ends in the future: pick a later time."),
])
def test_a_silence_says_what_is_wrong_with_it(api, alerts, body, message):
    answer = api("post", "api:alert-silence", alerts["critical"].pk, body=body)
    assert answer.status_code in (400, 409) and message in json.dumps(answer.json())


def test_another_teams_alert_is_not_found_and_a_viewer_may_not_act(api, alerts):
    assert api("get", "api:alert-detail", alerts["theirs"].pk).status_code == 404
    assert api("post", "api:alert-acknowledge", alerts["theirs"].pk).status_code == 404
    answer = api("post", "api:alert-acknowledge", alerts["critical"].pk, who=Role.VIEWER)
    assert answer.status_code == 403 and answer.json()["message"] == "This needs the operator role in the team."


def test_no_body_breaks_an_alert_action(client, api_tokens, alerts):
    """Hypothesis bodies for the actions that read one (as tests/api/test_fuzz.py does for POST actions/)."""
    from django.db import transaction
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from tests.api.test_fuzz import JSON
    from tests.harness.fuzz import NASTY

    failures = []
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_tokens[Role.OPERATOR]}"}

    def post(name: str, body: str) -> None:
        with transaction.atomic():
            answer = client.post(reverse(name, args=[alerts["critical"].pk]), body, content_type="application/json",
                                 **headers)
            transaction.set_rollback(True)
        ok = answer.status_code < 500 and "json" in answer["Content-Type"]
        if ok and answer.status_code >= 400:
            ok = bool(answer.json().get("message"))
        if not ok:
            failures.append(f"{name} {answer.status_code} for {body[:200]!r}")

    values = st.one_of(st.sampled_from(NASTY), JSON)

    @settings(max_examples=40, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(duration=values, until=values, text=values, which=st.sampled_from(["api:alert-silence", "api:alert-note"]))
    def shaped(duration, until, text, which):
        post(which, json.dumps({"duration": duration, "until": until, "text": text}))

    shaped()
    for name in ("api:alert-silence", "api:alert-note", "api:alert-acknowledge"):
        for body in ("", "{", "null", "[]", "\x00", "1e999999", '{"text": "\\u0000"}'):
            post(name, body)
    assert not failures, "\n".join(failures[:10])
