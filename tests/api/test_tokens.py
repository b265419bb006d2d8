"""Personal API tokens: created on the user's page or by manage.py, shown once, stored hashed,
acting exactly as their user, revocable, expiring, rate-limited, and audited as "via API token"."""

import io
import json
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from console.audit.models import AuditEvent
from console.teams.models import Role
from console.tokens.models import ApiToken
from console.tokens.services import token_create
from tests.harness.factories import PASSWORD
from tests.testvendor.models import Widget

TOKEN = re.compile(r"opc_[A-Za-z0-9_-]{40,}")


def bearer(plain: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_the_page_shows_a_new_token_once_and_stores_only_its_hash(client, members):
    client.force_login(members[Role.VIEWER])
    page = client.post(reverse("tokens:list"), {"description": "chat bot", "days": "30"})
    assert page.status_code == 200
    plain = TOKEN.search(page.content.decode()).group(0)
    token = ApiToken.objects.get(description="chat bot")
    assert plain not in json.dumps([token.digest, token.prefix]) and token.prefix == plain[:12]
    assert (token.write, token.user) == (False, members[Role.VIEWER])
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    again = client.get(reverse("tokens:list")).content.decode()
    assert "chat bot" in again and plain not in again and f"{plain[:12]}…" in again
    assert client.get(reverse("api:connection-list"), **bearer(plain)).status_code == 200


def test_a_bad_form_says_why_and_keeps_what_was_typed(client, members):
    client.force_login(members[Role.VIEWER])
    page = client.post(reverse("tokens:list"), {"description": "nightly export", "days": "0"})
    assert page.status_code == 422
    html = page.content.decode()
    assert "greater than or equal to 1" in html and 'value="nightly export"' in html
    assert not ApiToken.objects.exists()


def test_the_command_prints_the_token_alone_on_its_last_line(members):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", members[Role.OPERATOR].username, "--write", "--days", "7",
                 "--description", "deploy script", stdout=out, stderr=err)
    last = out.getvalue().rstrip("\n").splitlines()[-1]
    assert TOKEN.fullmatch(last)
    token = ApiToken.objects.get(description="deploy script")
    assert token.write and token.user == members[Role.OPERATOR] and token.expires_at
    assert "shown once" in err.getvalue() and last not in err.getvalue()
    entry = AuditEvent.objects.get(verb="api_token.create")
    assert entry.actor_label == "manage.py" and last not in entry.message


def test_the_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("create_api_token", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


def test_revoked_and_expired_tokens_answer_401(client, members):
    revoked, revoked_plain = token_create(user=members[Role.VIEWER], description="old")
    expired, expired_plain = token_create(user=members[Role.VIEWER], description="short", days=1)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(members[Role.VIEWER])
    client.post(reverse("tokens:revoke", args=[revoked.pk]))
    client.logout()
    for plain in (revoked_plain, expired_plain, "opc_not-a-token", "garbage"):
        answer = client.get(reverse("api:connection-list"), **bearer(plain))
        assert answer.status_code == 401 and answer.json()["message"], plain
    page_of_tokens = ApiToken.objects.get(pk=revoked.pk)
    assert page_of_tokens.state == "revoked"


def test_only_the_owner_or_a_superuser_revokes_a_token(client, members, django_user_model):
    token, plain = token_create(user=members[Role.VIEWER], description="viewer token")
    client.force_login(members[Role.ADMIN])  # a team admin is not the owner
    assert client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 404
    assert "viewer token" not in client.get(reverse("tokens:list")).content.decode()
    root = django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    client.force_login(root)
    assert "viewer token" in client.get(reverse("tokens:list")).content.decode()
    assert client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 302
    assert client.get(reverse("api:connection-list"), **bearer(plain)).status_code == 401


def test_a_token_records_when_it_was_last_used(client, members):
    token, plain = token_create(user=members[Role.VIEWER], description="exporter")
    assert token.last_used_at is None
    client.get(reverse("api:connection-list"), **bearer(plain))
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < timedelta(seconds=30)


def test_a_token_sees_exactly_what_its_user_sees(client, members, connection, other_connection):
    names = {who: [c["name"] for c in client.get(reverse("api:connection-list"),
                                                  **bearer(token_create(user=members[who], description="x")[1]))
                   .json()["results"]] for who in (Role.VIEWER, "outsider")}
    assert names == {Role.VIEWER: [connection.name], "outsider": [other_connection.name]}


@override_settings(CONSOLE_API_RATE="3/min")
def test_each_token_has_its_own_rate_and_429_says_when_to_retry(client, members):
    _, first = token_create(user=members[Role.VIEWER], description="busy")
    _, second = token_create(user=members[Role.VIEWER], description="calm")
    answers = [client.get(reverse("api:attention"), **bearer(first)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 0 < int(answers[-1]["Retry-After"]) <= 60 and "throttled" in answers[-1].json()["message"].lower()
    assert client.get(reverse("api:attention"), **bearer(second)).status_code == 200


def test_an_action_through_the_api_is_audited_as_the_user_via_the_token(
        client, members, connection, widgets, django_capture_on_commit_callbacks):
    widget = Widget.objects.create(connection=connection, external_id="w1", name="alpha", status="running")
    _, plain = token_create(user=members[Role.OPERATOR], description="deploy bot", write=True)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("api:action-list"), {"verb": "widgets.restart", "target": str(widget.pk),
                                                           "params": {"reason": "stuck"}},
                              content_type="application/json", **bearer(plain))
    assert started.status_code == 202 and started["Location"] == started.json()["url"]
    action = client.get(started["Location"], **bearer(plain)).json()
    assert (action["status"], action["message"], action["actor"]) == ("succeeded", "Restarted.", "operator-user")
    assert widgets.restarts == ["w1"]
    entry = AuditEvent.objects.get(verb="widgets.restart")
    assert (entry.actor, entry.via, entry.outcome) == (members[Role.OPERATOR], "API token deploy bot", "success")
    client.force_login(members[Role.ADMIN])
    assert "via API token deploy bot" in client.get(reverse("audit:list")).content.decode()


def test_pages_audit_without_a_via(client, members):
    client.force_login(members[Role.VIEWER])
    client.post(reverse("tokens:list"), {"description": "from the page"})
    assert AuditEvent.objects.get(verb="api_token.create").via == ""
