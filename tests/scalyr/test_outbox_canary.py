"""A canary Write Logs token, set through the page and through `provision`, surfaces nowhere while the
console's events are queued, sent (one token works, Scalyr refuses the other) and shown: not in a page,
an API answer, a log line, a Celery message, an audit row nor an outbox row (tests/core/test_canary.py)."""

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
from vendors.core import polling
from vendors.scalyr import client as clients
from vendors.scalyr.models import OutboxEvent, OutboxStream, ScalyrConnection
from vendors.scalyr.services import outbox_send, outbox_tick

CANARY_FORM = "canary-write-logs-form-3f2e1d0c"
CANARY_FILE = "canary-write-logs-file-9a8b7c6d"


@pytest.fixture(autouse=True)
def one_attempt(monkeypatch):
    monkeypatch.setattr(clients, "SENDING", {"max_attempts": 1, "max_retry_seconds": 1.0})


def test_the_write_logs_token_surfaces_nowhere(web, members, team, live_sim, tmp_path, monkeypatch, caplog,
                                               published, log_output, django_capture_on_commit_callbacks):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    monkeypatch.setitem(live_sim.scopes, CANARY_FORM, {"log_write"})  # Scalyr knows the form's token only
    admin = members[Role.ADMIN]
    client = web  # Django's test client (`client` is the Scalyr client in these tests)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):  # the sends queued after each commit are published
        client.post(reverse("core:connection-create", args=["scalyr"]), {
            "name": "canary-form", "team": team.pk, "region": "", "base_url": live_sim.url, "poll_seconds": 60,
            "enabled": "on", "send_audit": "on", "secret_write_logs_token": CANARY_FORM})
        monkeypatch.setenv("CANARY", CANARY_FILE)
        path = tmp_path / "p.yaml"
        path.write_text(f"connections:\n  - vendor: scalyr\n    name: canary-file\n    team: {team.name}\n"
                        f"    url: {live_sim.url}\n    write_logs_token_env: CANARY\n    send_audit: true\n")
        call_command("provision", str(path))
    connections = list(ScalyrConnection.objects.order_by("name"))
    assert [c.name for c in connections] == ["canary-file", "canary-form"]

    # use them: Test connection, a poll (its outcome is queued too), the tick, the sends
    for connection in connections:
        client.post(reverse("core:connection-test", args=["scalyr", connection.pk]))
        lease = polling.connection_claim(connection=connection, force=True)
        polling.connection_poll(vendor="scalyr", pk=connection.pk, lease=lease)
    assert outbox_tick() == 2
    outcomes = {c.name: outbox_send(connection_id=c.pk, lease=OutboxStream.objects.get(pk=c.pk).lease_owner)
                for c in connections}
    assert outcomes == {"canary-form": "sent", "canary-file": "failed"}
    assert "invalid API token" in OutboxStream.objects.get(pk=connections[0].pk).last_error
    assert any("outbox_send" in message for message in published)

    pages = [reverse("core:connection-list"), reverse("audit:list"), reverse("scalyr:home")]
    for connection in connections:
        pages += [reverse("core:connection-detail", args=["scalyr", connection.pk]),
                  reverse("core:connection-edit", args=["scalyr", connection.pk])]
    rendered = "".join(client.get(url).content.decode() for url in pages)
    assert "invalid API token" in rendered and "Sending the console&#x27;s events" in rendered
    _, token = token_create(user=admin, description="canary reader")
    api = [reverse("api:connection-detail", args=["scalyr", c.pk]) for c in connections]
    answers = [client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}") for url in api + [reverse("api:audit")]]
    assert all(answer.status_code == 200 for answer in answers)
    rendered += "".join(answer.content.decode() for answer in answers)

    audit_rows = json.dumps(list(AuditEvent.objects.values()), default=str)
    outbox_rows = json.dumps(list(OutboxEvent.objects.values()), default=str)
    records = "\n".join(r.getMessage() + str(r.exc_text or "") for r in caplog.records)
    for canary in (CANARY_FORM, CANARY_FILE):
        assert canary not in rendered
        assert canary not in audit_rows
        assert canary not in outbox_rows
        assert canary not in records
        assert canary not in log_output.getvalue()
        assert all(canary not in message for message in published)
    assert "connection.create" in outbox_rows and OutboxStream.objects.get(pk=connections[1].pk).sent_total >= 3
