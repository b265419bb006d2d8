"""The issue's story through the Scalingo simulator and a webhook receiver, both real servers: an app
crashes → a poll → one alert fires → one signed delivery; it stays crashed → nothing more until the
reminder interval; acknowledged (through the API) → no reminder; it recovers → a poll → resolved → one
'resolved' delivery; it crashes again within the window → the same alert fires again."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.core.cache import cache
from django.urls import reverse

from console.audit.models import AuditEvent
from console.teams.models import Role
from tests.harness.factories import ScalingoConnectionFactory
from tests.scalingo.scalingo_helpers import APP, make_sim, stop_soon
from vendors.core import polling
from vendors.core.alerts import services
from vendors.core.alerts.models import Alert, AlertState
from vendors.scalingo.client import forget_bearers
from vendors.scalingo.models import App

pytestmark = pytest.mark.django_db


@pytest.fixture
def scalingo(team):
    cache.clear()  # the request budget is counted in the cache, per token
    forget_bearers()
    simulator = make_sim()
    connection = ScalingoConnectionFactory(name="scalingo-paris", team=team, base_url=simulator.url)
    yield simulator, connection
    forget_bearers()
    stop_soon(simulator)


def test_a_crashed_app_alerts_once_reminds_stops_when_acknowledged_and_resolves_once(
        scalingo, webhook, sent, settings, client, api_tokens):
    simulator, connection = scalingo
    channel, receiver = webhook

    def poll():
        lease = polling.connection_claim(connection=connection, force=True)
        outcome = sent(polling.connection_poll, vendor="scalingo", pk=connection.pk, lease=lease)
        assert outcome.status == "ok", outcome
        return [request.json() for request in receiver.requests]

    assert poll() == [] and not Alert.objects.exists()

    simulator.control("crash", {"app": APP})
    [firing] = poll()
    alert = Alert.objects.get()
    app = App.objects.get(name=APP)
    assert (alert.key, alert.state, alert.title) == (f"scalingo.app.crashed:{app.pk}", "firing", f"{APP} crashed")
    assert firing == {"id": alert.pk, "status": "firing", "severity": "critical", "title": f"{APP} crashed",
                      "detail": alert.detail, "vendor": "scalingo", "connection": "scalingo-paris", "team": "Platform",
                      "since": alert.since.isoformat(), "url": reverse("scalingo:app-detail", args=[app.pk])}
    request = receiver.requests[0]
    assert request.header("x-console-signature") == "sha256=" + hmac.new(
        b"whsec-test-0123456789", request.body, hashlib.sha256).hexdigest()

    assert len(poll()) == 1  # still crashed: nothing new
    assert sent(services.alerts_sweep)["reminders"] == 0  # the interval (4 h) has not passed
    settings.CONSOLE_ALERT_REMIND_SECONDS = 0
    sent(services.alerts_sweep)
    assert [body["status"] for body in poll()] == ["firing", "firing"]  # the reminder

    answer = client.post(reverse("api:alert-acknowledge", args=[alert.pk]),
                         HTTP_AUTHORIZATION=f"Bearer {api_tokens[Role.OPERATOR]}")
    assert answer.status_code == 200 and answer.json()["state"] == "acknowledged"
    assert answer.json()["acknowledged_by"] == "operator-user"
    assert AuditEvent.objects.get(verb="alert.acknowledge").via == "API token operator script"
    sent(services.alerts_sweep)
    assert len(poll()) == 2  # acknowledged: no reminder

    simulator.control("recover", {"app": APP})
    assert [body["status"] for body in poll()] == ["firing", "firing", "resolved"]
    assert len(poll()) == 3  # resolved once
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED

    simulator.control("crash", {"app": APP})  # back within the window: the same alert, still acknowledged
    assert len(poll()) == 3
    alert.refresh_from_db()
    assert (Alert.objects.count(), alert.state, alert.resolved_at) == (1, AlertState.ACKNOWLEDGED, None)
    history = client.get(reverse("api:alert-detail", args=[alert.pk]),
                         HTTP_AUTHORIZATION=f"Bearer {api_tokens[Role.VIEWER]}").json()["history"]
    assert [(entry["kind"], entry["event"], entry["result"]) for entry in history] == [
        ("fired", "", ""), ("notification", "firing", "sent"), ("notification", "reminder", "sent"),
        ("acknowledged", "", ""), ("resolved", "", ""), ("notification", "resolved", "sent"), ("reopened", "", "")]
