"""Polls turn conditions into alert rows: fired, kept, resolved, re-opened within the window, and the
connection's own health; each change notifies (or not) as the issue says. The test vendor's widgets
stand for any vendor (tests/testvendor): a widget the simulator calls broken is a critical condition."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.teams.models import Role
from tests.harness.factories import ChannelFactory
from vendors.core import polling
from vendors.core.alerts import services
from vendors.core.alerts.evaluation import alerts_evaluate
from vendors.core.alerts.models import Alert, AlertEvent, AlertState, Delivery
from vendors.core.services import connection_delete, connection_set_enabled

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll(sent):
    def run(connection):
        lease = polling.connection_claim(connection=connection, force=True)
        outcome = sent(polling.connection_poll, vendor=connection.vendor, pk=connection.pk, lease=lease)
        connection.refresh_from_db()
        return outcome
    return run


def test_a_broken_widget_fires_one_alert_that_stays_one_and_resolves(connection, widgets, poll, webhook):
    channel, receiver = webhook
    poll(connection)
    assert not Alert.objects.exists()

    widgets.widgets["w1"]["status"] = "broken"
    poll(connection)
    alert = Alert.objects.get()
    assert (alert.key, alert.state, alert.severity, alert.title) == (
        f"widgets.broken:{connection.widgets.get(external_id='w1').pk}", "firing", 0, "Widget alpha is broken")
    assert (alert.vendor, alert.connection_id, alert.connection_name, alert.team_id) == (
        "widgets", connection.pk, "widgets-prod", connection.team_id)
    first_seen = alert.first_seen_at

    poll(connection)
    poll(connection)
    alert.refresh_from_db()
    assert Alert.objects.count() == 1 and alert.first_seen_at == first_seen and alert.last_seen_at > first_seen
    assert [body["status"] for body in receiver.bodies()] == ["firing"]  # once, not at every poll

    widgets.widgets["w1"]["status"] = "running"
    poll(connection)
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED and alert.resolved_at is not None
    assert [body["status"] for body in receiver.bodies()] == ["firing", "resolved"]
    assert [e.kind for e in alert.events.all()] == ["fired", "resolved"]


def test_a_condition_back_within_the_window_reopens_the_same_alert(connection, widgets, poll, webhook, settings):
    _, receiver = webhook
    widgets.widgets["w1"]["status"] = "broken"
    poll(connection)
    widgets.widgets["w1"]["status"] = "running"
    poll(connection)
    widgets.widgets["w1"]["status"] = "broken"
    poll(connection)
    alert = Alert.objects.get()
    assert alert.state == AlertState.FIRING and alert.resolved_at is None
    assert [e.kind for e in alert.events.all()] == ["fired", "resolved", "reopened"]
    assert [body["status"] for body in receiver.bodies()] == ["firing", "resolved", "firing"]
    assert {body["id"] for body in receiver.bodies()} == {alert.pk}

    settings.CONSOLE_ALERT_REOPEN_SECONDS = 0  # past the window: a new alert
    widgets.widgets["w1"]["status"] = "running"
    poll(connection)
    widgets.widgets["w1"]["status"] = "broken"
    poll(connection)
    assert Alert.objects.count() == 2
    assert Alert.objects.filter(state=AlertState.FIRING).exclude(pk=alert.pk).exists()


def test_an_acknowledged_flap_reopens_acknowledged_and_tells_no_one_again(connection, widgets, poll, webhook, members):
    _, receiver = webhook
    widgets.widgets["w1"]["status"] = "broken"
    poll(connection)
    services.alert_acknowledge(alert=Alert.objects.get(), actor=members[Role.OPERATOR])
    widgets.widgets["w1"]["status"] = "running"
    poll(connection)
    widgets.widgets["w1"]["status"] = "broken"
    poll(connection)
    alert = Alert.objects.get()
    assert (alert.state, alert.acknowledged_by_label) == (AlertState.ACKNOWLEDGED, "operator-user")
    assert [body["status"] for body in receiver.bodies()] == ["firing", "resolved"]


def test_the_connections_own_health_is_an_alert_whose_severity_follows(connection, widgets, poll, webhook):
    _, receiver = webhook
    poll(connection)
    widgets.token = "another-token"  # the vendor now refuses the connection's token
    poll(connection)
    alert = Alert.objects.get()
    assert (alert.key, alert.severity, alert.title) == ("connection.health", 1, "Connection widgets-prod is degraded")
    assert alert.detail == "The widget service refused the token."
    poll(connection)
    poll(connection)  # three failures in a row: failing
    alert.refresh_from_db()
    assert (alert.severity, alert.title, Alert.objects.count()) == (0, "Connection widgets-prod is failing", 1)
    # more severe: told again (a warning channel may only now hear of it)
    assert [(b["status"], b["severity"]) for b in receiver.bodies()] == [("firing", "warning"), ("firing", "critical")]

    widgets.token = connection.secrets.get("token")
    poll(connection)
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED


def test_a_disabled_or_deleted_connections_alerts_resolve(connection, widgets, poll, members, sent):
    widgets.widgets["w1"]["status"] = "broken"
    widgets.widgets["w2"]["status"] = "broken"
    poll(connection)
    first, second = Alert.objects.order_by("pk")
    sent(connection_set_enabled, connection=connection, enabled=False, actor=members[Role.ADMIN])
    assert set(Alert.objects.values_list("state", flat=True)) == {AlertState.RESOLVED}
    sent(connection_set_enabled, connection=connection, enabled=True, actor=members[Role.ADMIN])
    poll(connection)
    assert Alert.objects.filter(state=AlertState.FIRING).count() == 2  # the same two, re-opened
    assert set(Alert.objects.values_list("pk", flat=True)) == {first.pk, second.pk}
    sent(connection_delete, connection=connection, actor=members[Role.ADMIN])
    assert set(Alert.objects.values_list("state", flat=True)) == {AlertState.RESOLVED}


def test_reminders_while_firing_and_nobody_acknowledged(connection, widgets, poll, webhook, members, settings, sent):
    _, receiver = webhook
    widgets.widgets["w1"]["status"] = "broken"
    poll(connection)
    poll(connection)
    assert sent(services.alerts_sweep)["reminders"] == 0  # 4 h have not passed
    settings.CONSOLE_ALERT_REMIND_SECONDS = 0
    assert sent(services.alerts_sweep)["reminders"] == 1
    assert [(b["status"], receiver.requests[i].path) for i, b in enumerate(receiver.bodies())] == [
        ("firing", "/hooks/ops"), ("firing", "/hooks/ops")]
    assert list(Delivery.objects.order_by("pk").values_list("event", flat=True)) == ["firing", "reminder"]

    services.alert_acknowledge(alert=Alert.objects.get(), actor=members[Role.OPERATOR])
    assert sent(services.alerts_sweep)["reminders"] == 0
    assert len(receiver.requests) == 2


def test_a_silence_sends_nothing_and_its_end_tells_what_still_fires(connection, widgets, poll, webhook, members,
                                                                     sent):
    channel, receiver = webhook
    widgets.widgets["w1"]["status"] = "broken"
    poll(connection)
    alert = Alert.objects.get()
    silenced = services.alert_silence(alert=alert, actor=members[Role.OPERATOR],
                                      until=alert.fired_at + timedelta(hours=1))
    assert silenced.state == AlertState.SILENCED
    widgets.widgets["w1"]["status"] = "running"
    poll(connection)  # resolved while silenced: nothing sent
    widgets.widgets["w1"]["status"] = "broken"
    poll(connection)  # re-opened while silenced: nothing sent
    alert.refresh_from_db()
    assert alert.state == AlertState.SILENCED and len(receiver.requests) == 1
    Alert.objects.filter(pk=alert.pk).update(notified_at=None)  # as if it first fired under the silence
    sent(services.alert_unsilence, alert=alert, actor=members[Role.OPERATOR])
    assert [b["status"] for b in receiver.bodies()] == ["firing", "firing"]
    kinds = list(alert.events.values_list("kind", flat=True))
    assert kinds == ["fired", "silenced", "resolved", "reopened", "unsilenced"]


def test_a_channel_hears_only_what_is_as_severe_as_it_asks(connection, widgets, poll, receivers, team):
    critical, notice = receivers(), receivers()
    ChannelFactory(team=team, url=critical.url, min_severity=0)
    ChannelFactory(team=team, url=notice.url, min_severity=2)
    ChannelFactory(team=team, url=notice.url, min_severity=2, enabled=False)
    poll(connection)
    widgets.token = "refused"
    poll(connection)  # degraded: a warning
    assert (len(critical.requests), len(notice.requests)) == (0, 1)


def test_evaluation_is_bulk_whatever_the_number_of_conditions(connection, widgets, poll, django_assert_max_num_queries):
    widgets.widgets.update({f"x{n}": {"id": f"x{n}", "name": f"x{n}", "status": "broken"} for n in range(40)})
    poll(connection)
    assert Alert.objects.filter(state=AlertState.FIRING).count() == 40
    with django_assert_max_num_queries(12):
        alerts_evaluate(connection=connection)
    assert AlertEvent.objects.count() == 40


def test_a_chart_threshold_set_or_removed_fires_or_resolves_its_alert_at_once(team, members, sent):
    """Scalyr's threshold edit evaluates the connection's alerts (no need to wait for the next poll)."""
    from tests.harness.factories import ScalyrConnectionFactory
    from tests.scalyr.chart_helpers import chart
    from vendors.scalyr.services.saved_queries import saved_query_update

    logs = ScalyrConnectionFactory(team=team, name="logs-prod")
    saved = chart(logs, "5xx responses", (3, 25))
    sent(saved_query_update, saved=saved, changes={"threshold_direction": "above", "threshold": 20},
         actor=members[Role.OPERATOR])
    alert = Alert.objects.get()
    assert (alert.key, alert.vendor, alert.severity, alert.title) == (
        f"scalyr.chart.past-threshold:{saved.pk}", "scalyr", 1, "Log chart 5xx responses is at 25, above 20")
    sent(saved_query_update, saved=saved, changes={"threshold_direction": ""}, actor=members[Role.OPERATOR])
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED
