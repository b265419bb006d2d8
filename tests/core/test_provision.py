"""`manage.py provision`: idempotent, secrets from the environment, clear errors, all or nothing."""

import pytest
from django.core.management import CommandError, call_command

from console.audit.models import AuditEvent
from console.teams.models import Team
from tests.testvendor.models import WidgetConnection

TOKEN = "prov-token-7f3a9c2e"


def write(tmp_path, text):
    path = tmp_path / "console.yaml"
    path.write_text(text)
    return str(path)


GOOD = """
teams:
  - name: platform
connections:
  - vendor: widgets
    name: widgets-prod
    team: platform
    url: {url}
    token_env: WIDGET_TOKEN
    poll_seconds: 30
"""


@pytest.fixture
def env(monkeypatch, widgets):
    monkeypatch.setenv("WIDGET_TOKEN", TOKEN)
    return widgets


def test_provision_creates_then_changes_nothing(db, tmp_path, env):
    path = write(tmp_path, GOOD.format(url=env.url))
    call_command("provision", path)
    conn = WidgetConnection.objects.get(name="widgets-prod")
    assert conn.team.name == "platform" and conn.poll_seconds == 30 and conn.enabled
    assert conn.secrets.get("token") == TOKEN
    raw_before = conn.secrets.tokens()
    audits = AuditEvent.objects.count()

    call_command("provision", path)

    again = WidgetConnection.objects.get(name="widgets-prod")
    assert again.secrets.tokens() == raw_before and again.updated_at == conn.updated_at
    assert AuditEvent.objects.count() == audits


def test_provision_updates_a_changed_field_and_secret(db, tmp_path, env, monkeypatch):
    call_command("provision", write(tmp_path, GOOD.format(url=env.url)))
    monkeypatch.setenv("WIDGET_TOKEN", "prov-token-rotated")
    call_command("provision", write(tmp_path, GOOD.format(url=env.url).replace("30", "120")))
    conn = WidgetConnection.objects.get(name="widgets-prod")
    assert conn.poll_seconds == 120 and conn.secrets.get("token") == "prov-token-rotated"
    event = AuditEvent.objects.filter(verb="connection.update").get()
    assert event.actor_label == "provision"
    assert event.detail["secrets_changed"] == ["token"] and "prov-token" not in str(event.detail)


@pytest.mark.parametrize("text,message", [
    (GOOD.replace("url: {url}", "url: not-a-url"), "connections[0] (widgets-prod): field 'url': Enter a valid URL."),
    (GOOD.replace("WIDGET_TOKEN", "MISSING_VAR"), "field 'token_env' names the environment variable MISSING_VAR"),
    (GOOD.replace("vendor: widgets", "vendor: nope"), "field 'vendor': unknown vendor 'nope'"),
    (GOOD.replace("team: platform", "team: ghosts"), "field 'team': no team named 'ghosts'"),
    (GOOD.replace("poll_seconds: 30", "poll_seconds: 30\n    colour: red"), "unknown keys colour"),
    (GOOD.replace("poll_seconds: 30", "poll_seconds: 2"), "field 'poll_seconds': Ensure this value is greater"),
    (GOOD.replace("    token_env: WIDGET_TOKEN\n", "    token: inline-secret-in-file\n"), "unknown keys token"),
    ("connections: [", "is not valid YAML"),
])
def test_bad_input_names_the_entry_and_field_and_changes_nothing(db, tmp_path, env, text, message):
    with pytest.raises(CommandError) as caught:
        call_command("provision", write(tmp_path, text.format(url=env.url) if "{url}" in text else text))
    assert message in str(caught.value)
    assert "Nothing was changed." in str(caught.value)
    assert not Team.objects.exists() and not WidgetConnection.objects.exists()


def test_a_missing_secret_on_creation_is_refused(db, tmp_path, env):
    text = GOOD.format(url=env.url).replace("    token_env: WIDGET_TOKEN\n", "")
    with pytest.raises(CommandError, match="field 'token_env': This secret is required."):
        call_command("provision", write(tmp_path, text))


def test_poll_command_waits_and_fails_loudly(db, tmp_path, env, capsys, monkeypatch):
    monkeypatch.setenv("WIDGET_TOKEN", env.token)
    call_command("provision", write(tmp_path, GOOD.format(url=env.url)))
    call_command("poll", "--connection", "widgets-prod", "--wait")
    assert "poll succeeded" in capsys.readouterr().out
    env.faults.update(status=500)
    with pytest.raises(CommandError, match="1 poll"):
        call_command("poll", "--connection", "widgets-prod", "--wait")
    assert f"HTTP 500 from {env.url.removeprefix('http://')} (text/plain, 17 B)" in capsys.readouterr().err
    with pytest.raises(CommandError, match="No connection is named"):
        call_command("poll", "--connection", "nope")
