"""A canary secret, set through the form and through `provision`, must surface nowhere:
not in a rendered page, a log record or log output, a Celery message, or an audit row."""

import io
import json
import logging

import pytest
from celery.signals import before_task_publish
from django.urls import reverse

from console.audit.models import AuditEvent
from dashboard.celery import app as celery_app
from console.teams.models import Role
from tests.testvendor.models import WidgetConnection
from console.redaction import RedactingFilter

CANARY_FORM = "canary-form-9d8e7f6a5b4c"
CANARY_FILE = "canary-file-1a2b3c4d5e6f"


@pytest.fixture
def published():
    messages = []

    def capture(sender=None, body=None, headers=None, **kwargs):
        messages.append(json.dumps({"body": body, "headers": headers}, default=str))

    before_task_publish.connect(capture, weak=False)
    celery_app.conf.task_always_eager = False
    yield messages
    celery_app.conf.task_always_eager = True
    before_task_publish.disconnect(capture)
    celery_app.control.purge()


@pytest.fixture
def log_output():
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, RedactingFilter) for f in h.filters))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_the_canary_surfaces_nowhere(client, members, team, widgets, tmp_path, monkeypatch, caplog, published,
                                     log_output):
    caplog.set_level(logging.DEBUG)
    admin = members[Role.ADMIN]
    client.force_login(admin)
    widgets.token = CANARY_FORM

    # through the form
    client.post(reverse("core:connection-create", args=["widgets"]), {
        "name": "canary-form", "team": team.pk, "base_url": widgets.url, "poll_seconds": 60, "enabled": "on",
        "secret_token": CANARY_FORM})
    form_conn = WidgetConnection.objects.get(name="canary-form")
    # through provisioning
    monkeypatch.setenv("CANARY", CANARY_FILE)
    path = tmp_path / "p.yaml"
    path.write_text(f"connections:\n  - vendor: widgets\n    name: canary-file\n    team: {team.name}\n"
                    f"    url: {widgets.url}\n    token_env: CANARY\n")
    from django.core.management import call_command
    call_command("provision", str(path))
    file_conn = WidgetConnection.objects.get(name="canary-file")

    # use them: poll now (a Celery message), test (one succeeds, one is refused), a failing poll
    for conn in (form_conn, file_conn):
        client.post(reverse("core:connection-poll", args=["widgets", conn.pk]))
        client.post(reverse("core:connection-test", args=["widgets", conn.pk]))
    from vendors.core import polling
    for conn, expected in ((form_conn, "ok"), (file_conn, "failed")):  # the simulator knows the form's token only
        lease = WidgetConnection.objects.get(pk=conn.pk).lease_owner  # held by the queued "poll now"
        assert polling.connection_poll(vendor="widgets", pk=conn.pk, lease=lease).status == expected
    assert published, "poll now must have published a Celery message"

    pages = [reverse("overview:home"), reverse("core:connection-list"), reverse("audit:list"),
             reverse("teams:list"), reverse("teams:detail", args=[team.slug])]
    for conn in (form_conn, file_conn):
        pages += [reverse("core:connection-detail", args=["widgets", conn.pk]),
                  reverse("core:connection-edit", args=["widgets", conn.pk])]
    rendered = "".join(client.get(url).content.decode() for url in pages)
    # and every API answer about them (the API lists of each vendor are in each vendor's canary test)
    from console.tokens.services import token_create

    _, token = token_create(user=admin, description="canary reader")
    api = [reverse("api:connection-list"), reverse("api:action-list"), reverse("api:timeline"),
           reverse("api:attention"), reverse("api:audit"), reverse("api:schema") + "?format=json"]
    api += [reverse("api:connection-detail", args=["widgets", conn.pk]) for conn in (form_conn, file_conn)]
    answers = [client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}") for url in api]
    assert all(answer.status_code == 200 for answer in answers), [a.status_code for a in answers]
    rendered += "".join(answer.content.decode() for answer in answers)

    audit_rows = json.dumps(list(AuditEvent.objects.values()), default=str)
    records = "\n".join(r.getMessage() + str(r.exc_text or "") for r in caplog.records)
    for canary in (CANARY_FORM, CANARY_FILE):
        assert canary not in rendered
        assert canary not in audit_rows
        assert canary not in records
        assert canary not in log_output.getvalue()
        assert all(canary not in message for message in published)
    assert "Authenticated as account acme." in audit_rows  # the test really ran against the vendor
