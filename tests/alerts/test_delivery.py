"""Notifications as their receivers see them, over real servers: the webhook's JSON and its HMAC
signature, Slack's incoming-webhook format, an email through a real SMTP server; a receiver answering
500 is tried again with backoff (by a real Celery worker too) and its channel says why it fails."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from console.teams.models import Role
from tests.harness.factories import AlertFactory, ChannelFactory
from tests.harness.waiting import wait_for
from vendors.core.alerts import services
from vendors.core.alerts.models import Delivery
from vendors.core.alerts.notifications import alerts_notify

pytestmark = pytest.mark.django_db

FIELDS = ["id", "status", "severity", "title", "detail", "vendor", "connection", "team", "since", "url"]


@pytest.fixture
def alert(connection):
    since = timezone.now() - timedelta(minutes=5)
    return AlertFactory(connection=connection, title="Widget <alpha> & co is broken", detail="On widgets-prod.",
                        url="/connections/widgets/1/", since=since, severity=1)


def test_the_webhook_gets_the_json_signed_with_hmac_sha256(alert, webhook, sent, settings):
    channel, receiver = webhook
    settings.CONSOLE_URL = "https://console.example"
    sent(alerts_notify, [(alert, Delivery.Event.FIRING)])
    [request] = receiver.requests
    assert (request.method, request.path, request.header("content-type")) == ("POST", "/hooks/ops", "application/json")
    body = request.json()
    assert list(body) == FIELDS
    assert body == {"id": alert.pk, "status": "firing", "severity": "warning", "title": "Widget <alpha> & co is broken",
                    "detail": "On widgets-prod.", "vendor": "widgets", "connection": "widgets-prod",
                    "team": "Platform", "since": alert.since.isoformat(),
                    "url": "https://console.example/connections/widgets/1/"}
    expected = hmac.new(b"whsec-test-0123456789", request.body, hashlib.sha256).hexdigest()
    assert request.header("x-console-signature") == f"sha256={expected}"
    assert Delivery.objects.get().state == "sent"


def test_an_unsigned_webhook_sends_no_signature(alert, receivers, team, sent):
    receiver = receivers()
    ChannelFactory(team=team, url=receiver.url)
    sent(alerts_notify, [(alert, Delivery.Event.RESOLVED)])
    [request] = receiver.requests
    assert request.json()["status"] == "resolved" and request.header("x-console-signature") is None


def test_the_slack_kind_posts_slacks_incoming_webhook_format(alert, receivers, team, sent, settings):
    receiver = receivers()
    settings.CONSOLE_URL = "https://console.example"
    ChannelFactory(team=team, kind="slack", url=receiver.url + "/services/T000/B000/XXXX", signing_secret="ignored")
    sent(alerts_notify, [(alert, Delivery.Event.REMINDER)])
    [request] = receiver.requests
    assert request.header("x-console-signature") is None  # Slack's URL is its key; it checks no signature
    message = request.json()
    assert set(message) == {"text", "blocks"}
    assert message["text"] == "[Still firing · warning] Widget &lt;alpha&gt; &amp; co is broken"
    section, context = message["blocks"]
    assert section == {"type": "section", "text": {"type": "mrkdwn", "text": (
        "*Still firing · warning*: <https://console.example/connections/widgets/1/|Widget &lt;alpha&gt; &amp; co "
        "is broken>\nOn widgets-prod.")}}
    assert context["type"] == "context" and context["elements"][0]["type"] == "mrkdwn"
    assert context["elements"][0]["text"].startswith("widgets · widgets-prod · team Platform · since ")


def test_slacks_own_error_words_are_said_and_nothing_else(alert, receivers, team, sent):
    receiver = receivers(statuses=[(404, "no_service")])
    channel = ChannelFactory(team=team, kind="slack", url=receiver.url + "/services/x")
    sent(alerts_notify, [(alert, Delivery.Event.FIRING)])
    channel.refresh_from_db()
    assert channel.last_error == "Slack answered HTTP 404: no_service."
    assert Delivery.objects.get().attempts == 1  # a 404 is not tried again


def test_an_email_reaches_a_real_smtp_server(alert, team, smtp_server, sent):
    ChannelFactory(team=team, kind="email", recipients=["oncall@example.com", "ops@example.com"], url="")
    sent(alerts_notify, [(alert, Delivery.Event.FIRING)])
    wait_for(lambda: smtp_server.messages, timeout=5, what="the mail reached the SMTP server")
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["oncall@example.com", "ops@example.com"]
    assert message["Subject"] == "[Firing] warning: Widget <alpha> & co is broken"
    assert message["From"] == "ops-console@localhost"
    text = message.get_payload()
    assert "Severity: warning" in text and "Connection: widgets-prod" in text and "Team: Platform" in text
    assert Delivery.objects.get().state == "sent"


def test_email_without_a_mail_server_fails_saying_so(alert, team, sent, settings):
    settings.EMAIL_URL = ""
    channel = ChannelFactory(team=team, kind="email", recipients=["oncall@example.com"], url="")
    sent(alerts_notify, [(alert, Delivery.Event.FIRING)])
    channel.refresh_from_db()
    assert channel.last_error == "EMAIL_URL is not set: the console has no mail server to send through."


def test_a_receiver_answering_500_is_tried_again_with_backoff_and_the_channel_says_why(
        alert, webhook, sent, settings, client, members):
    channel, receiver = webhook
    receiver.statuses = [500] * 10
    settings.CONSOLE_ALERT_RETRY_SECONDS = 10
    sent(alerts_notify, [(alert, Delivery.Event.FIRING)])  # eager tasks: the retries run at once
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, len(receiver.requests)) == ("failed", 5, 5)
    assert [entry["retry_in"] for entry in delivery.log] == [10, 20, 40, 80, None]
    error = f"HTTP 500 from {channel.destination} (text/plain, 16 B)."
    assert {entry["error"] for entry in delivery.log} == {error}
    channel.refresh_from_db()
    assert (channel.consecutive_failures, channel.last_error, channel.failing) == (5, error, True)

    client.force_login(members[Role.VIEWER])
    page = client.get(reverse("alerts:channel-detail", args=[channel.pk])).content.decode()
    assert "✖ Failing" in page and error in page and "5 attempts" in page
    home = client.get(reverse("overview:home")).content.decode()
    assert "Alert channel ops-webhook keeps failing" in home
    assert f"5 attempts in a row failed: {error}" in home
    history = client.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    assert "Firing notification" in history and "to ops-webhook" in history and "after 5 attempts" in history

    receiver.statuses = [500]  # then it comes back
    sent(alerts_notify, [(alert, Delivery.Event.REMINDER)])
    assert Delivery.objects.latest("pk").state == "sent"
    channel.refresh_from_db()
    assert (channel.consecutive_failures, channel.last_error, channel.failing) == (0, "", False)
    assert "keeps failing" not in client.get(reverse("overview:home")).content.decode()


def test_a_notification_waiting_for_its_retry_is_not_sent_once_the_alert_is_silenced(alert, webhook, sent, members):
    channel, receiver = webhook
    receiver.statuses = [500]
    services.alert_silence(alert=alert, actor=members[Role.OPERATOR], until=timezone.now() + timedelta(hours=1))
    sent(alerts_notify, [(alert, Delivery.Event.FIRING)])
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.last_error, receiver.requests) == (
        "skipped", "The alert was silenced before this could be sent.", [])


@pytest.mark.integration
def test_a_real_worker_waits_longer_before_each_attempt(celery_worker_thread, settings, team, receivers):
    """Through the broker: each retry is a task queued with its countdown, which the worker honours."""
    settings.CONSOLE_ALERT_RETRY_SECONDS = 0.4
    receiver = receivers(statuses=[500, 503])
    ChannelFactory(team=team, url=receiver.url)
    alert = AlertFactory(connection__team=team)
    alerts_notify([(alert, Delivery.Event.FIRING)])  # no transaction: queued at once
    wait_for(lambda: Delivery.objects.get().state == "sent", timeout=20, what="sent at the third attempt")
    times = [arrival for arrival, _ in receiver.arrivals]
    assert len(times) == 3
    assert times[1] - times[0] >= 0.4 - 0.05 and times[2] - times[1] >= 0.8 - 0.05, times
    assert [entry["retry_in"] for entry in Delivery.objects.get().log] == [0.4, 0.8]
    assert json.loads(receiver.requests[-1].body)["id"] == alert.pk
