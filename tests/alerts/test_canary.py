"""A canary channel URL and signing secret, set through the page and through `provision`, surface nowhere:
not in a page, an API answer, a log line, an audit row or a Celery message, while notifications are sent,
fail and are tried again (as tests/core/test_canary.py checks for a connection's secrets)."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.management import call_command
from django.urls import reverse

from console.audit.models import AuditEvent
from console.teams.models import Role
from console.tokens.services import token_create
from tests.core.test_canary import log_output, published  # noqa: F401 - the fixtures
from tests.harness.factories import AlertFactory
from vendors.core.alerts.delivery import delivery_attempt
from vendors.core.alerts.models import Channel, Delivery
from vendors.core.alerts.notifications import alerts_notify

pytestmark = pytest.mark.django_db

URL_CANARY = "canary-url-5e4d3c2b1a09"
SECRET_CANARY = "canary-secret-0a9b8c7d6e5f"
FILE_URL_CANARY = "canary-file-url-77aa66bb55cc"
FILE_SECRET_CANARY = "canary-file-secret-44dd33ee22ff"
CANARIES = (URL_CANARY, SECRET_CANARY, FILE_URL_CANARY, FILE_SECRET_CANARY)


def test_channel_secrets_surface_nowhere(client, members, team, connection, receivers, tmp_path, monkeypatch, caplog,
                                         published, log_output):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    admin = members[Role.ADMIN]
    client.force_login(admin)
    good, failing = receivers(), receivers(statuses=[500] * 10)
    client.post(reverse("alerts:channel-create"), {
        "name": "canary-form", "team": team.pk, "kind": "webhook", "min_severity": 2, "enabled": "on",
        "url": f"{good.url}/hooks/{URL_CANARY}", "signing_secret": SECRET_CANARY})
    monkeypatch.setenv("CANARY_URL", f"{failing.url}/services/{FILE_URL_CANARY}")
    monkeypatch.setenv("CANARY_SECRET", FILE_SECRET_CANARY)
    path = tmp_path / "channels.yaml"
    path.write_text(f"notification_channels:\n  - name: canary-file\n    team: {team.name}\n    kind: webhook\n"
                    f"    url_env: CANARY_URL\n    signing_secret_env: CANARY_SECRET\n    min_severity: notice\n")
    call_command("provision", str(path))
    channels = list(Channel.objects.order_by("name"))
    assert [c.name for c in channels] == ["canary-file", "canary-form"]

    # use them: a test, an alert firing (one receiver answers 500: retries, a failing channel), an edit
    for channel in channels:
        client.post(reverse("alerts:channel-test", args=[channel.pk]))
    alert = AlertFactory(connection=connection, title="Widget alpha is broken")
    alerts_notify([(alert, Delivery.Event.FIRING)])
    for _ in range(3):  # what the worker does with the queued deliveries
        for pk in Delivery.objects.exclude(state__in=("sent", "failed")).values_list("pk", flat=True):
            Delivery.objects.filter(pk=pk).update(next_attempt_at=None)
            delivery_attempt(pk)
    assert good.saw(SECRET_CANARY) == [] and len(good.requests) == 2  # the secret signs; it is never sent
    assert failing.requests and Channel.objects.get(name="canary-file").consecutive_failures >= 2
    client.post(reverse("alerts:channel-edit", args=[channels[1].pk]), {
        "name": "canary-form", "team": team.pk, "kind": "webhook", "min_severity": 0, "enabled": "on"})

    pages = [reverse("overview:home"), reverse("alerts:list"), reverse("alerts:channel-list"),
             reverse("alerts:detail", args=[alert.pk]), reverse("audit:list"), reverse("alerts:channel-create")]
    for channel in channels:
        pages += [reverse("alerts:channel-detail", args=[channel.pk]), reverse("alerts:channel-edit", args=[channel.pk])]
    pages += [reverse("alerts:delivery-status", args=[pk]) for pk in Delivery.objects.values_list("pk", flat=True)]
    rendered = "".join(client.get(url).content.decode() for url in pages)
    _, token = token_create(user=admin, description="canary reader")
    api = [reverse("api:alert-list") + "?state=all", reverse("api:alert-detail", args=[alert.pk]),
           reverse("api:attention"), reverse("api:audit"), reverse("api:schema") + "?format=json"]
    answers = [client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}") for url in api]
    assert [answer.status_code for answer in answers] == [200] * len(api)
    rendered += "".join(answer.content.decode() for answer in answers)

    assert "canary-file" in rendered and "keeps failing" in rendered  # the pages really show the channels
    stored = json.dumps([list(AuditEvent.objects.values()), list(Delivery.objects.values())], default=str)
    records = "\n".join(r.getMessage() + str(r.exc_text or "") for r in caplog.records)
    for canary in CANARIES:
        assert canary not in rendered, canary
        assert canary not in stored, canary
        assert canary not in records, canary
        assert canary not in log_output.getvalue(), canary
        assert all(canary not in message for message in published), canary
    assert published and any('"vendors.core.alerts.tasks.deliver"' in message for message in published)
