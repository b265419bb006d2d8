"""Adding a Scalr connection: the web form and `manage.py provision` (DESIGN.md's example keys)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from console.audit.models import AuditEvent
from console.teams.models import Role
from tests.scalr.conftest import poll
from vendors.core import registry
from vendors.core.provisioning import provision
from vendors.scalr.forms import ScalrConnectionForm
from vendors.scalr.models import ScalrConnection
from vendors.scalr.simulator import DEMO_V1_KEY_ID, DEMO_V1_SECRET, DEMO_V2_KEY_ID, DEMO_V2_SECRET

pytestmark = pytest.mark.django_db

DESIGN_EXAMPLE = """
teams:
  - name: platform
connections:
  - vendor: scalr
    name: scalr-prod
    team: platform
    url: {url}
    api: v2
    key_id_env: SCALR_KEY_ID
    secret_env: SCALR_SECRET
    env_ids: [1, 5]
    poll_seconds: 60
  - vendor: scalr
    name: scalr-legacy
    team: platform
    url: {url}
    api: v1
    key_id_env: SCALR_V1_KEY_ID
    secret_env: SCALR_V1_SECRET
"""


def test_the_design_example_provisions_both_generations_and_is_idempotent(tmp_path, sim, monkeypatch):
    for name, value in {"SCALR_KEY_ID": DEMO_V2_KEY_ID, "SCALR_SECRET": DEMO_V2_SECRET,
                        "SCALR_V1_KEY_ID": DEMO_V1_KEY_ID, "SCALR_V1_SECRET": DEMO_V1_SECRET}.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "console.yaml"
    path.write_text(DESIGN_EXAMPLE.format(url=sim.url))
    call_command("provision", str(path))
    prod = ScalrConnection.objects.get(name="scalr-prod")
    assert prod.settings == {"api": "v2", "env_ids": [1, 5], "hourly_limit": 10_000}
    assert prod.secrets.get("key_id") == DEMO_V2_KEY_ID and prod.secrets.get("secret") == DEMO_V2_SECRET
    assert prod.secrets.is_set("callback_token")
    legacy = ScalrConnection.objects.get(name="scalr-legacy")
    assert legacy.api == "v1" and legacy.settings["env_ids"] == []
    audits = AuditEvent.objects.count()
    call_command("provision", str(path))
    assert AuditEvent.objects.count() == audits
    assert poll(legacy).status == "ok"
    assert poll(prod).status == "ok"
    assert list(prod.environments.values_list("external_id", flat=True)) == [1]  # 5 does not exist


def test_the_demo_entries_are_valid(sim):
    from console.teams.models import Team

    Team.objects.create(name="demo", slug="demo")
    entries = registry.get("scalr").demo.connections(sim.url)
    provision({"connections": entries}, environ={}, inline_secrets=True)
    assert {c.api for c in ScalrConnection.objects.all()} == {"v1", "v2"}
    for connection in ScalrConnection.objects.all():
        assert poll(connection).status == "ok", connection.last_error


def test_the_web_form_keeps_secrets_write_only(web, members, team, sim):
    web.force_login(members[Role.ADMIN])
    url = reverse("core:connection-create", args=["scalr"])
    form = web.get(url).content.decode()
    assert "API key ID" in form and "Secret key" in form and "API generation" in form
    response = web.post(url, {"name": "scalr-web", "team": team.pk, "base_url": sim.url, "poll_seconds": 60,
                              "enabled": "on", "api": "v1", "env_ids": "2, 1", "hourly_limit": "",
                              "secret_key_id": DEMO_V1_KEY_ID, "secret_secret": DEMO_V1_SECRET})
    assert response.status_code == 302, response.content.decode()[:2000]
    connection = ScalrConnection.objects.get(name="scalr-web")
    assert connection.settings == {"api": "v1", "env_ids": [1, 2], "hourly_limit": 10_000}
    edit = web.get(reverse("core:connection-edit", args=["scalr", connection.pk])).content.decode()
    assert DEMO_V1_SECRET not in edit and DEMO_V1_KEY_ID not in edit and 'value="1, 2"' in edit
    test = web.post(reverse("core:connection-test", args=["scalr", connection.pk])).content.decode()
    assert "Authenticated on Query API" in test


def test_bad_values_are_refused_with_the_field(team):
    form = ScalrConnectionForm({"name": "x", "team": team.pk, "base_url": "", "poll_seconds": 60, "api": "v3",
                                "env_ids": "one", "secret_key_id": "k"}, teams=None)
    assert not form.is_valid()
    assert set(form.errors) >= {"base_url", "api", "env_ids", "secret_secret"}


def test_a_wrong_key_fails_the_check_in_scalrs_words(web, members, team, sim):
    from tests.scalr.conftest import make_connection

    connection = make_connection(team, sim, api="v2")
    connection.secrets.set("secret", "d3Jvbmctc2VjcmV0LWtleQ==")
    connection.save()
    assert poll(connection).status == "failed"
    assert connection.health == "failing"
    print(connection.last_error)
    assert "signature" in connection.last_error.lower() and "request id" in connection.last_error
