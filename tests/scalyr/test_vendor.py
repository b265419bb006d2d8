"""Scalyr in the registry: the connection form and provisioning, poll, check, deep links, demo seeding."""

from __future__ import annotations

import pytest
from django.urls import reverse

from console.teams.models import Role, Team
from vendors.core import registry
from vendors.core.errors import AuthenticationError, VendorError
from vendors.core.provisioning import ProvisionError, provision
from vendors.scalyr import client as clients
from vendors.scalyr import sync
from vendors.scalyr.forms import ScalyrConnectionForm
from vendors.scalyr.models import SavedQuery, ScalyrConnection, TeamQueryPolicy
from vendors.scalyr.simulator import ScalyrSimulator

from .app_helpers import seed
from .conftest import _scalyr_connection
from .helpers import FAST_RETRIES, READ_CONFIG, READ_LOGS, WRITE_CONFIG

SPEC = registry.get("scalyr")


@pytest.fixture(autouse=True)
def fast_background_retries(monkeypatch):
    monkeypatch.setattr(clients, "BACKGROUND", FAST_RETRIES)


def form_data(team, **extra):
    return {"name": "logs", "team": team.pk, "region": "us", "base_url": "", "poll_seconds": 60, "enabled": "on",
            "link_scalingo_app": "app == '{app.name}'", "link_scalr_farm": "", "link_scalr_server": "", **extra}


# -- the connection form ----------------------------------------------------------------------
def test_the_form_needs_at_least_one_token(team):
    form = ScalyrConnectionForm(form_data(team), teams=Team.objects.all())
    assert not form.is_valid()
    assert "Set at least one token" in str(form.non_field_errors())
    form = ScalyrConnectionForm(form_data(team, secret_read_config_token="only-config"), teams=Team.objects.all())
    assert form.is_valid(), form.errors
    connection = form.save()
    assert clients.token_kinds(connection) == {"read_config"}
    assert clients.base_url(connection) == "https://app.scalyr.com"


def test_the_region_or_a_url(team):
    form = ScalyrConnectionForm(form_data(team, region="", secret_read_logs_token="t"), teams=Team.objects.all())
    assert "Choose a region or give the URL" in str(form.errors["base_url"])
    form = ScalyrConnectionForm(form_data(team, region="eu", secret_read_logs_token="t"), teams=Team.objects.all())
    assert clients.base_url(form.save()) == "https://eu.scalyr.com"


@pytest.mark.parametrize("template,message", [
    ("app == '{farm.name}'", "name the app"),
    ("app == 'prod-{app.name}'", "inside a longer quoted string"),
    ("app == '{app.name}", "not closed"),
    ("app == {app name}", "braces cannot be used otherwise"),
    ("app == 'shop'", "at least one placeholder"),
])
def test_a_link_template_that_could_not_be_quoted_safely_is_refused(team, template, message):
    form = ScalyrConnectionForm(form_data(team, secret_read_logs_token="t", link_scalingo_app=template),
                                teams=Team.objects.all())
    assert message in str(form.errors["link_scalingo_app"])


def test_provisioning_takes_the_token_variables_and_the_settings(team, db):
    document = {"connections": [{"vendor": "scalyr", "name": "logs", "team": team.name, "url": "https://eu.scalyr.com",
                                 "read_logs_token_env": "SCALYR_READ_LOGS", "link_scalr_server":
                                     "$serverHost == '{server.hostname}'"}]}
    provision(document, environ={"SCALYR_READ_LOGS": "from-env"})
    connection = ScalyrConnection.objects.get(name="logs")
    assert connection.secrets.get("read_logs_token") == "from-env"
    assert connection.settings["link_scalr_server"] == "$serverHost == '{server.hostname}'"
    assert provision(document, environ={"SCALYR_READ_LOGS": "from-env"}).unchanged == ["scalyr logs"]
    with pytest.raises(ProvisionError, match="read_logs_token_env"):
        provision({"connections": [{**document["connections"][0], "read_logs_token_env": "UNSET"}]}, environ={})


def test_the_demo_entry_provisions_with_its_inline_tokens(db):
    Team.objects.create(name="demo", slug="demo")
    provision({"connections": SPEC.demo.connections("http://127.0.0.1:8103")}, environ={}, inline_secrets=True)
    connection = ScalyrConnection.objects.get(name="logs")
    assert connection.settings["demo"] is True
    assert connection.secrets.get("write_config_token") == ScalyrSimulator.DEMO_TOKENS["write_config"]
    assert SPEC.demo.simulator == "vendors.scalyr.simulator.ScalyrSimulator" and SPEC.demo.port == 8103


# -- poll and check ---------------------------------------------------------------------------
def chart(connection, name, **state):
    return SavedQuery.objects.create(connection=connection, name=name, kind=SavedQuery.Kind.CHART, state=state)


def test_a_poll_refreshes_every_saved_chart_in_one_timeseries_query(scalyr_connection, live_sim):
    seed(live_sim, count=14)
    chart(scalyr_connection, "502s", filter="status == 502", buckets="6")
    chart(scalyr_connection, "p95", function="p95(latency)", range="4h")
    SavedQuery.objects.create(connection=scalyr_connection, name="a log view", kind="explorer", state={})
    served = live_sim.requests_served
    notes = SPEC.poll(scalyr_connection)
    assert live_sim.requests_served - served == 2  # one timeseriesQuery, one listFiles for the config tokens
    assert notes[0] == "2 saved charts refreshed (2 new Scalyr summaries)."
    refreshed = {c.name: c for c in SavedQuery.objects.filter(kind="chart")}
    assert sum(refreshed["502s"].values) == 2 and len(refreshed["502s"].values) == 6
    assert len(refreshed["p95"].values) == 60 and refreshed["p95"].refreshed_at is not None
    assert ("status == 502", "count") in live_sim.summaries.keys  # createSummaries: cheap next time
    assert "2 saved charts refreshed." in SPEC.poll(scalyr_connection)


def test_one_bad_chart_does_not_spoil_the_others_or_the_poll(scalyr_connection, live_sim):
    seed(live_sim, count=7)
    chart(scalyr_connection, "good", filter="status == 502")
    chart(scalyr_connection, "bad", function="p95(")
    SPEC.poll(scalyr_connection)
    good, bad = SavedQuery.objects.get(name="good"), SavedQuery.objects.get(name="bad")
    assert good.refreshed_at and not good.refresh_error
    assert bad.refreshed_at is None and bad.refresh_error


def test_a_refused_token_fails_the_poll_in_scalyrs_words(team, live_sim):
    connection = _scalyr_connection("bad", team, live_sim, read_logs_token="not-a-token")
    with pytest.raises(AuthenticationError, match="invalid API token"):
        SPEC.poll(connection)


def test_check_tries_each_token_and_says_so_in_one_sentence(team, scalyr_connection, live_sim):
    assert SPEC.check(scalyr_connection) == "Read Logs token works; Read Config token works; Write Config token works."
    mixed = _scalyr_connection("mixed", team, live_sim, read_logs_token=READ_LOGS, write_config_token="bogus")
    with pytest.raises(VendorError) as refused:
        SPEC.check(mixed)
    assert str(refused.value) == "Read Logs token works; Write Config token refused: invalid API token."


def test_the_demo_connection_gets_its_saved_queries_once(scalyr_connection, live_sim):
    ScalyrConnection.objects.filter(pk=scalyr_connection.pk).update(settings={"demo": True})
    scalyr_connection.refresh_from_db()
    notes = SPEC.poll(scalyr_connection)
    assert notes[0] == f"Demo: {len(sync.DEMO_SAVED)} saved queries created."
    assert SavedQuery.objects.filter(pinned=True).count() == 2
    SavedQuery.objects.filter(name="Billing errors").delete()
    scalyr_connection.refresh_from_db()
    SPEC.poll(scalyr_connection)
    assert not SavedQuery.objects.filter(name="Billing errors").exists()  # a deleted one stays deleted


# -- deep links -------------------------------------------------------------------------------
class App:
    name = 'shop"api'


class Server:
    hostname = "web-1.prod.internal"
    private_ips = ("10.0.0.1",)


def test_log_link_builds_the_explorer_url_with_a_safely_quoted_filter(team, scalyr_connection):
    url = registry.log_link("scalingo.app", App(), team)
    assert url == reverse("scalyr:explorer", args=[scalyr_connection.pk]) + "?filter=app+%3D%3D+%22shop%5C%22api%22"
    assert registry.log_link("scalr.server", Server(), team).endswith(
        "?filter=%24serverHost+contains+%22web-1.prod.internal%22")


def test_log_link_follows_the_connections_template_and_the_team(team, other_team, scalyr_connection):
    scalyr_connection.settings = {"link_scalr_server": "$serverIP == '{server.private_ips}'",
                                  "link_scalingo_app": ""}
    scalyr_connection.save()
    assert registry.log_link("scalr.server", Server(), team).endswith("?filter=%24serverIP+%3D%3D+%2210.0.0.1%22")
    assert registry.log_link("scalingo.app", App(), team) == ""  # blank template: no link
    assert registry.log_link("scalr.server", Server(), other_team) == ""
    assert registry.log_link("unknown.kind", Server(), team) == ""


def test_log_link_needs_a_read_logs_token_and_the_attribute(team, live_sim):
    _scalyr_connection("config-only", team, live_sim, read_config_token=READ_CONFIG)
    assert registry.log_link("scalr.server", Server(), team) == ""
    _scalyr_connection("logs", team, live_sim, read_logs_token=READ_LOGS, write_config_token=WRITE_CONFIG)
    assert registry.log_link("scalr.server", Server(), team)
    assert registry.log_link("scalr.farm", object(), team) == ""  # the farm has no name: no link


def test_log_links_are_offered_only_to_whom_may_query_the_logs(team, members, scalyr_connection):
    """A viewer sees no Logs link (nor "search logs for") until the team lets viewers query."""
    viewer, operator = members[Role.VIEWER], members[Role.OPERATOR]
    assert registry.log_link("scalr.server", Server(), team, operator)
    assert registry.log_link("scalr.server", Server(), team, viewer) == ""
    teams = Team.objects.filter(pk=team.pk)
    assert registry.log_link("search", "error", teams, operator)
    assert registry.log_link("search", "error", teams, viewer) == ""
    TeamQueryPolicy.objects.create(team=team, viewers_may_query=True)
    assert registry.log_link("scalr.server", Server(), team, _fresh(viewer))
    assert registry.log_link("search", "error", teams, _fresh(viewer))


def _fresh(user):
    """The same user as a new request would load it (roles are memoised on the user object)."""
    return type(user).objects.get(pk=user.pk)


def test_interactive_clients_are_reused_until_a_token_changes(scalyr_connection):
    first = clients.client_for(scalyr_connection)
    assert clients.client_for(ScalyrConnection.objects.get(pk=scalyr_connection.pk)) is first
    scalyr_connection.secrets.set("read_logs_token", "rotated")
    scalyr_connection.save()
    assert clients.client_for(scalyr_connection) is not first


def test_the_connection_form_page_offers_the_three_tokens_and_the_link_templates(team, members):
    from django.test import Client

    from console.teams.models import Role

    web = Client()
    web.force_login(members[Role.ADMIN])
    page = web.get(reverse("core:connection-create", args=["scalyr"])).content.decode()
    for label in ("Read Logs token", "Read Config token", "Write Config token", "Logs link filter for a Scalr server"):
        assert label in page
    assert "app == &#x27;{app.name}&#x27;" in page


def test_each_chart_is_a_part_of_the_poll(scalyr_connection, live_sim):
    """A chart Scalyr refuses makes the connection Degraded, naming it; when the whole batch answers garbage,
    every chart keeps its stored series and the poll still completes."""
    from vendors.core import polling

    def poll():
        lease = polling.connection_claim(connection=scalyr_connection, force=True)
        outcome = polling.connection_poll(vendor="scalyr", pk=scalyr_connection.pk, lease=lease)
        scalyr_connection.refresh_from_db()
        return outcome

    seed(live_sim, count=7)
    chart(scalyr_connection, "good", filter="status == 502")
    chart(scalyr_connection, "bad", function="p95(")
    outcome = poll()
    assert outcome.status == "degraded" and outcome.message.startswith("1 of 3 parts failed: chart bad: ")
    assert scalyr_connection.health == "degraded"

    SavedQuery.objects.filter(name="bad").delete()
    assert poll().status == "ok"
    good = SavedQuery.objects.get(name="good")
    live_sim.faults.update(malformed=True, count=-1)  # every answer garbled, past the client's re-reads
    outcome = poll()
    live_sim.faults.update()
    assert outcome.status == "degraded" and "chart good: " in outcome.message
    kept = SavedQuery.objects.get(name="good")
    assert (kept.values, kept.refreshed_at) == (good.values, good.refreshed_at)
    assert poll().status == "ok"  # a passing fault: asked again at once
