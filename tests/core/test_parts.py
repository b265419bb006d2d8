"""A poll is made of parts, and a part fails alone (vendors/core/parts.py), seen through the test vendor:
its widget list is the poll's root, each widget's owner a part."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from tests.testvendor.models import Widget, WidgetConnection
from vendors.core import polling
from vendors.core.models import Health
from vendors.core.parts import part_failure

pytestmark = pytest.mark.django_db


def poll(conn):
    lease = polling.connection_claim(connection=conn, force=True)
    outcome = polling.connection_poll(vendor="widgets", pk=conn.pk, lease=lease)
    conn.refresh_from_db()
    return outcome


def one_interval_later(conn):
    """What the clock does between polls: every part's backoff moves an interval closer."""
    WidgetConnection.objects.filter(pk=conn.pk).update(part_failures={
        key: {**failure, "retry_at": (timezone.now() - timedelta(seconds=1)).isoformat()}
        for key, failure in conn.part_failures.items()})
    conn.refresh_from_db()


def test_a_refused_part_fails_alone_and_keeps_its_row(connection, widgets):
    assert poll(connection).status == "ok"
    assert dict(Widget.objects.values_list("external_id", "owner")) == {"w1": "alice", "w2": "bob"}
    widgets.owners["w1"], widgets.owners["w2"] = "carol", "dave"
    widgets.widgets["w2"]["status"] = "running"
    widgets.refuse_owner["w1"] = (403, "This key may not read owners.")

    outcome = poll(connection)

    assert outcome.status == "degraded"
    assert outcome.message == "1 of 2 parts failed: owner of widget alpha: This key may not read owners."
    # everything else was stored; the refused part kept what it had
    assert dict(Widget.objects.values_list("external_id", "owner")) == {"w1": "alice", "w2": "dave"}
    assert Widget.objects.get(external_id="w2").status == "running"
    assert connection.health == Health.DEGRADED
    assert connection.health_reason == outcome.message
    assert connection.consecutive_failures == 0 and connection.last_error == ""
    failure = part_failure(connection, "owner:w1")
    assert failure["message"] == "This key may not read owners." and failure["failures"] == 1
    assert failure["since"] <= timezone.now() < failure["retry_at"]


def test_a_failing_part_backs_off_and_recovers(connection, widgets):
    widgets.refuse_owner["w1"] = (404, "No such endpoint on this server version.")
    assert poll(connection).status == "degraded"
    since = connection.part_failures["owner:w1"]["since"]
    assert widgets.owner_calls == {"w1": 1, "w2": 1}

    # the next poll does not spend a request on it, and still says it is missing
    assert poll(connection).status == "degraded"
    assert widgets.owner_calls == {"w1": 1, "w2": 2}
    # asked again an interval later: the second failure in a row waits twice as long
    one_interval_later(connection)
    assert poll(connection).status == "degraded"
    assert widgets.owner_calls["w1"] == 2
    failure = connection.part_failures["owner:w1"]
    assert failure["failures"] == 2 and failure["since"] == since
    wait = part_failure(connection, "owner:w1")["retry_at"] - timezone.now()
    assert timedelta(seconds=connection.poll_seconds) < wait <= timedelta(seconds=2 * connection.poll_seconds)

    del widgets.refuse_owner["w1"]
    one_interval_later(connection)
    assert poll(connection).status == "ok"
    assert connection.part_failures == {} and connection.health == Health.OK
    assert Widget.objects.get(external_id="w1").owner == "alice"


def test_a_passing_fault_is_a_part_failure_asked_again_at_the_next_poll(connection, widgets):
    widgets.refuse_owner["w2"] = (503, "owners service unavailable")
    outcome = poll(connection)
    assert outcome.status == "degraded"
    assert "owner of widget beta: " in outcome.message
    calls = widgets.owner_calls["w2"]
    del widgets.refuse_owner["w2"]
    assert poll(connection).status == "ok"  # no backoff: a 5xx, a timeout or garbage passes by itself
    assert widgets.owner_calls["w2"] == calls + 1


def test_the_vendors_429_in_a_part_stops_the_reading_and_fails_nothing(connection, widgets):
    assert poll(connection).status == "ok"
    widgets.owners["w2"] = "dave"
    widgets.widgets["w2"]["status"] = "running"
    widgets.refuse_owner["w1"] = (429, "Retry later")
    calls = dict(widgets.owner_calls)

    outcome = poll(connection)

    assert outcome.status == "ok" and connection.part_failures == {}
    assert widgets.owner_calls["w2"] == calls["w2"]  # not asked: the limit is shared by every part
    assert Widget.objects.get(external_id="w2").owner == "bob"  # kept as read before
    assert Widget.objects.get(external_id="w2").status == "running"  # the root was stored


def test_the_root_failing_fails_the_poll_and_keeps_part_failures(connection, widgets):
    widgets.refuse_owner["w1"] = (403, "This key may not read owners.")
    assert poll(connection).status == "degraded"
    widgets.token = "rotated"

    outcome = poll(connection)

    assert outcome.status == "failed"
    assert connection.last_error == "The widget service refused the token."
    assert set(connection.part_failures) == {"owner:w1"}  # what the last good poll knew stays
    assert Widget.objects.count() == 2


def test_poll_wait_prints_one_line_per_connection(connection, other_connection, widgets, capsys):
    widgets.refuse_owner["w1"] = (403, "This key may not read owners.")
    call_command("poll", "--wait")
    out = capsys.readouterr().out
    assert "widgets widgets-prod: poll degraded: 1 of 2 parts failed: owner of widget alpha: " \
           "This key may not read owners." in out
    assert "widgets widgets-data: poll degraded: " in out


def test_poll_wait_fails_only_when_a_poll_failed(connection, widgets, capsys):
    call_command("poll", "--wait", "--connection", connection.name)
    assert "widgets widgets-prod: poll succeeded" in capsys.readouterr().out
    widgets.token = "rotated"
    with pytest.raises(Exception, match="1 poll"):
        call_command("poll", "--wait", "--connection", connection.name)
    assert "widgets widgets-prod: poll failed: The widget service refused the token." in capsys.readouterr().err


def test_the_connection_pages_say_what_is_missing_and_since_when(client, members, connection, widgets):
    from django.urls import reverse
    from console.teams.models import Role

    widgets.refuse_owner["w1"] = (403, "This key may not read owners.")
    poll(connection)
    client.force_login(members[Role.VIEWER])

    page = client.get(reverse("core:connection-detail", args=["widgets", connection.pk])).content.decode()
    assert "Missing from the last poll (1 of 2 parts)" in page
    assert "<strong>Owner of widget alpha</strong>: <span class=\"error-text\">This key may not read owners.</span>" \
        in page
    assert "Degraded" in page
    listing = client.get(reverse("core:connection-list")).content.decode()
    assert "1 of 2 parts failed: owner of widget alpha: This key may not read owners." in listing
