"""The console's own events in Scalyr: audit entries and poll outcomes queued in the outbox, sent with
addEvents in order, once, across an outage; their setting in the form and the provisioning file; what
the connection's page says; the explorer finding them."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from console.audit.models import Outcome
from console.audit.services import audit_finish, audit_record
from console.teams.models import Role, Team
from tests.harness.factories import ScalyrConnectionFactory
from vendors.core import polling
from vendors.core.provisioning import provision
from vendors.scalyr import client as clients
from vendors.scalyr.forms import ScalyrConnectionForm
from vendors.scalyr.models import OutboxEvent, OutboxStream, ScalyrConnection
from vendors.scalyr.selectors import sending_status
from vendors.scalyr.services import outbox_send, outbox_tick
from vendors.scalyr.services import outbox_sender as sending_module
from vendors.scalyr.simulator import ScalyrSimulator

from .helpers import READ_LOGS, WRITE_LOGS, make_client

AUDIT = "$serverHost == 'ops-console' source == 'audit'"


@pytest.fixture(autouse=True)
def one_attempt(monkeypatch):
    """The outbox retries later by itself: no retry inside a send, so an outage fails at once."""
    monkeypatch.setattr(clients, "SENDING", {"max_attempts": 1, "max_retry_seconds": 1.0})


def sink(team, sim, name="audit-sink", **settings) -> ScalyrConnection:
    return ScalyrConnectionFactory(name=name, team=team, base_url=sim.url,
                                   settings={"region": "", "send_audit": True, **settings},
                                   secret_values={"read_logs_token": READ_LOGS, "write_logs_token": WRITE_LOGS})


def send(connection) -> str:
    return outbox_send(connection_id=connection.pk)


def arrived(sim, text=AUDIT) -> list:
    with make_client(sim) as reader:
        return list(reader.query(text, start="1h", page_mode="head", max_count=1000).events)


def entry(actor, target, team, text, **kw):
    return audit_record(actor=actor, verb="scalyr.saved.update", target=target, team=team, message=text, **kw)


def test_scalyr_down_for_a_while_every_audit_entry_arrives_once_in_order(team, other_team, members):
    scalyr = ScalyrSimulator(read_logs_tokens=READ_LOGS, write_logs_tokens=WRITE_LOGS)
    scalyr.serve()
    try:
        connection = sink(team, scalyr)
        admin = members[Role.ADMIN]
        entries = [entry(admin, connection, team, f"before {i}") for i in range(2)]
        entry(admin, connection, other_team, "another team's")  # goes to its own connections (none)
        assert send(connection) == "sent"
        port = scalyr._server.server_address[1]
        scalyr.stop()

        entries += [entry(admin, connection, team, f"while down {i}") for i in range(3)]
        scale = audit_record(actor=admin, verb="scalingo.app.scale", target=connection, team=team,
                             outcome=Outcome.PENDING, message="Scale web to 3")
        assert send(connection) == "failed"
        down = sending_status(connection=connection)
        assert (down.state, down.waiting, down.failures) == ("failing", 4, 1)
        assert "Could not reach scalyr" in down.last_error
        assert send(connection) == "busy" and outbox_tick() == 0  # waits out its backoff
        audit_finish(scale, outcome=Outcome.SUCCESS, message="Scaled web to 3")

        scalyr.serve(port=port)
        OutboxStream.objects.filter(pk=connection.pk).update(next_attempt_at=timezone.now())  # the backoff ends
        polling.vendor_ticks()  # beat's tick: Scalyr's hook queues the send with its lease (run at once: eager)
        back = sending_status(connection=connection)
        assert (back.state, back.waiting, back.last_error, back.sent_total) == ("ok", 0, "", 7)
        assert send(connection) == "idle"

        events = arrived(scalyr)
        told = [(e.attributes["auditId"], e.attributes["auditChange"]) for e in events]
        expected = [(e.pk, "recorded") for e in entries[:5]] + [(scale.pk, "recorded"), (scale.pk, "finished")]
        assert told == expected
        assert [e.message for e in events][-1] == "admin-user scalingo.app.scale audit-sink (succeeded): Scaled web to 3"
        assert events[-1].attributes["outcome"] == "success" and events[-1].attributes["team"] == team.slug
        assert events[0].server["serverHost"] == "ops-console"
        assert not any("another team" in e.message for e in events)
    finally:
        scalyr.stop()


def test_a_batch_whose_answer_was_lost_is_stored_once(team, members, live_sim):
    connection = sink(team, live_sim)
    for i in range(3):
        entry(members[Role.ADMIN], connection, team, f"entry {i}")
    assert send(connection) == "sent"
    numbers = sorted(OutboxEvent.objects.values_list("number", flat=True))
    OutboxEvent.objects.update(sent_at=None)  # as if Scalyr's answer never came back
    entry(members[Role.ADMIN], connection, team, "entry 3")
    assert send(connection) == "sent"
    assert [e.message.rsplit(": ", 1)[1] for e in arrived(live_sim)] == ["entry 0", "entry 1", "entry 2", "entry 3"]
    assert sorted(OutboxEvent.objects.values_list("number", flat=True)) == numbers + [4]  # the same numbers again


def test_batches_stay_within_their_size_and_a_refused_event_is_set_aside(team, members, live_sim, monkeypatch):
    connection = sink(team, live_sim)
    for i in range(7):
        entry(members[Role.ADMIN], connection, team, f"big {i}", detail={"note": "x" * 1990})
    OutboxEvent.objects.filter(attrs__message__endswith="big 3").update(attrs={"message": "big", "source": "audit", "n": "y" * 600_000})
    OutboxEvent.objects.filter(attrs__message__endswith="big 5").update(severity=9)  # Scalyr refuses a sev of 9
    monkeypatch.setattr(sending_module, "EVENT_BYTES", 500_000)  # the big one, alone, is still sent
    sizes = []
    add_events = live_sim.handle
    monkeypatch.setattr(live_sim, "handle", lambda request: sizes.append(len(request.body)) or add_events(request))
    assert send(connection) == "sent"
    status = sending_status(connection=connection)
    assert (status.waiting, status.refused) == (0, 1)
    assert "'sev' must be an integer from 0 to 6" in status.last_refusal
    assert len(arrived(live_sim)) == 6
    assert len(sizes) >= 4 and max(sizes) < 3_000_000


def test_poll_outcomes_go_to_the_teams_scalyr_connection(team, connection, live_sim):
    sending = sink(team, live_sim)
    lease = polling.connection_claim(connection=connection, force=True)
    assert polling.connection_poll(vendor="widgets", pk=connection.pk, lease=lease).status == "ok"
    [row] = OutboxEvent.objects.filter(connection=sending)
    assert row.attrs["source"] == "poll" and row.attrs["status"] == "ok" and row.severity == 3
    assert send(sending) == "sent"
    [event] = arrived(live_sim, "$serverHost == 'ops-console' source == 'poll'")
    assert event.message.startswith("poll of widgets connection widgets-prod: ok")
    assert event.attributes["logfile"] == "ops-console/polls"


def test_sending_off_or_disabled_queues_nothing_and_sends_nothing(team, members, live_sim):
    off = sink(team, live_sim, name="off", send_audit=False)
    entry(members[Role.ADMIN], off, team, "not for Scalyr")
    assert not OutboxEvent.objects.exists()
    assert send(off) == "off"
    assert sending_status(connection=off).state == "off"


def test_the_connection_page_says_whether_sending_works(team, members, live_sim, web):
    connection = sink(team, live_sim)
    web.force_login(members[Role.ADMIN])
    entry(members[Role.ADMIN], connection, team, "one")
    live_sim.faults.update(backoff=-1)
    assert send(connection) == "failed"
    page = html.unescape(web.get(reverse("core:connection-detail", args=["scalyr", connection.pk])).content.decode())
    assert "Sending the console's events" in page and "✖ Failing" in page
    assert "The server is temporarily overloaded; retry after a delay" in page  # Scalyr's words
    assert re.search(r'id="scalyr-sending-backlog">1 event\b', page)
    live_sim.faults.clear()
    OutboxStream.objects.filter(pk=connection.pk).update(next_attempt_at=None)
    assert send(connection) == "sent"
    page = html.unescape(web.get(reverse("core:connection-detail", args=["scalyr", connection.pk])).content.decode())
    assert "● Sending" in page and "overloaded" not in page and 'id="scalyr-sending-backlog">0 events' in page


def test_the_explorer_finds_them(team, members, live_sim, web):
    connection = sink(team, live_sim)
    entry(members[Role.ADMIN], connection, team, "explored")
    assert send(connection) == "sent"
    web.force_login(members[Role.OPERATOR])
    url = reverse("scalyr:explorer", args=[connection.pk]) + "?filter=%24serverHost%20%3D%3D%20%27ops-console%27"
    lines = web.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "admin-user scalyr.saved.update audit-sink (succeeded): explored" in html.unescape(lines)


# -- the setting ----------------------------------------------------------------------------------
def form_data(team, **extra):
    return {"name": "logs", "team": team.pk, "region": "us", "base_url": "", "poll_seconds": 60, "enabled": "on",
            "link_scalingo_app": "", "link_scalr_farm": "", "link_scalr_server": "", **extra}


def test_send_audit_needs_the_write_logs_token_which_is_asked_again_when_the_region_changes(team):
    teams = Team.objects.all()
    form = ScalyrConnectionForm(form_data(team, send_audit="on", secret_read_logs_token="r"), teams=teams)
    assert "needs the Write Logs token" in str(form.errors["send_audit"])
    form = ScalyrConnectionForm(form_data(team, send_audit="on", secret_write_logs_token="w"), teams=teams)
    assert form.is_valid(), form.errors
    connection = form.save()
    assert connection.settings["send_audit"] is True and connection.secrets.get("write_logs_token") == "w"
    moved = ScalyrConnectionForm(form_data(team, region="eu", send_audit="on"), instance=connection, teams=teams)
    assert "enter the Write Logs token again" in str(moved.errors["secret_write_logs_token"])
    page = ScalyrConnectionForm(instance=connection, teams=teams).as_p()
    assert 'name="secret_write_logs_token"' in page and "w" not in re.findall(r'value="([^"]*)"', page)


def test_provisioning_takes_the_write_logs_token_and_send_audit(team):
    entry_ = {"vendor": "scalyr", "name": "logs", "team": team.name, "region": "eu",
              "write_logs_token_env": "SCALYR_WRITE_LOGS", "send_audit": True}
    provision({"connections": [entry_]}, environ={"SCALYR_WRITE_LOGS": "from-env"})
    connection = ScalyrConnection.objects.get(name="logs")
    assert connection.secrets.get("write_logs_token") == "from-env" and connection.settings["send_audit"] is True
    assert provision({"connections": [entry_]}, environ={"SCALYR_WRITE_LOGS": "from-env"}).unchanged == ["scalyr logs"]
