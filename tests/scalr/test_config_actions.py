"""Admin changes (DNS, variables, vhosts, deployments) and script execution; secrets stay out of sight."""

import pytest
from django.urls import reverse

from console.audit.models import AuditEvent
from console.teams.models import Role
from tests.scalr.conftest import make_connection, poll
from tests.scalr.test_farm_actions import ActingClient, last_action
from vendors.core.models import ActionRun
from vendors.scalr import models

pytestmark = pytest.mark.django_db
PEM_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-very-secret\n-----END RSA PRIVATE KEY-----"
PEM_CERT = "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----"


@pytest.fixture
def as_role(members, django_capture_on_commit_callbacks):
    """A fresh signed-in client per call: as_role(Role.ADMIN).post(...)."""
    from django.test import Client

    def login(role):
        client = Client()
        client.force_login(members[role])
        return ActingClient(client, django_capture_on_commit_callbacks)
    return login


@pytest.fixture
def v1(team, sim):
    connection = make_connection(team, sim, api="v1")
    poll(connection)
    return connection


def everything_stored(action: ActionRun) -> str:
    audit = AuditEvent.objects.filter(pk=action.audit_id).first()
    return f"{action.params} {action.summary} {action.message} {audit.message} {audit.detail}"


def test_global_variable_set_by_an_admin_keeps_the_value_out_of_the_records(as_role, v1, sim):
    env = v1.environments.get(external_id=1)
    url = reverse("scalr:variables")
    data = {"environment": env.pk, "target": "environment", "name": "API_TOKEN", "value": "tok-123-secret"}
    assert as_role(Role.OPERATOR).post(url, data).status_code == 403
    response = as_role(Role.ADMIN).post(url, data)
    assert response.status_code == 302
    action = last_action()
    assert action.status == "succeeded", action.message
    assert "tok-123-secret" not in everything_stored(action)
    assert not action.secret_payload.names()  # cleared once it ran
    assert any(v.name == "API_TOKEN" and v.value == "tok-123-secret" for v in sim.world.variables)
    page = as_role(Role.VIEWER).get(response["Location"]).content.decode()
    assert "API_TOKEN" in page and "API_TOKEN saved." in page


def test_dns_zone_create_record_add_and_remove(as_role, v1, sim):
    admin = as_role(Role.ADMIN)
    env = v1.environments.get(external_id=1)
    assert as_role(Role.VIEWER).get(reverse("scalr:dns-zone-create")).status_code == 403
    admin.post(reverse("scalr:dns-zone-create"), {"environment": env.pk, "domain_name": "shop.example.org"})
    assert last_action().status == "succeeded", last_action().message
    zone = models.DnsZone.objects.get(environment=env, name="shop.example.org")
    assert zone.status == "Pending create"

    add = reverse("scalr:dns-record-add", args=[zone.pk])
    assert as_role(Role.OPERATOR).post(add, {}).status_code == 403
    admin.post(add, {"type": "A", "name": "www", "value": "203.0.113.7", "ttl": 300})
    assert last_action().status == "succeeded", last_action().message
    page = admin.get(reverse("scalr:dns-zone", args=[zone.pk])).content.decode()
    assert "203.0.113.7" in page
    record = next(r for r in sim.world.zones["shop.example.org"].records if r.value == "203.0.113.7")
    response = admin.post(reverse("scalr:dns-record-remove", args=[zone.pk, record.id]))
    assert last_action().status == "succeeded"
    assert "203.0.113.7" not in admin.get(response["Location"]).content.decode().split("Record removed.")[1]


def test_invalid_record_is_refused_next_to_the_form(as_role, v1):
    zone = models.DnsZone.objects.get(environment__connection=v1, name="example.com")
    response = as_role(Role.ADMIN).post(reverse("scalr:dns-record-add", args=[zone.pk]),
                                        {"type": "A", "name": "www", "value": "", "ttl": 5})
    page = response.content.decode()
    assert response.status_code == 400 and "This field is required." in page
    assert "Ensure this value is greater than or equal to 60." in page


def test_vhost_with_ssl_keeps_key_and_certificate_write_only(as_role, v1, sim):
    admin = as_role(Role.ADMIN)
    role = models.FarmRole.objects.get(farm__connection=v1, farm__name="web-prod", alias="app")
    url = reverse("scalr:vhosts")
    bad = admin.post(url, {"farm_role": role.pk, "domain_name": "shop.example.com", "document_root": "/var/www",
                           "ssl": "on", "ssl_private_key": PEM_KEY, "ssl_certificate": ""})
    assert bad.status_code == 400 and "Required when SSL is enabled." in bad.content.decode()
    assert "very-secret" not in bad.content.decode()  # never echoed back
    admin.post(url, {"farm_role": role.pk, "domain_name": "shop.example.com", "document_root": "/var/www/shop",
                     "ssl": "on", "ssl_private_key": PEM_KEY, "ssl_certificate": PEM_CERT})
    action = last_action()
    assert action.status == "succeeded", action.message
    assert "very-secret" not in everything_stored(action)
    assert sim.world.vhosts["shop.example.com"].ssl
    assert models.ApacheVhost.objects.filter(environment__connection=v1, name="shop.example.com",
                                             ssl_enabled=True).exists()


def test_deployments_are_deprecated_on_scalr_5_and_work_on_4(as_role, team, sim):
    sim.control("set_version", {"scalr_version": "4.5"})
    connection = make_connection(team, sim, api="v1")
    poll(connection)
    admin = as_role(Role.ADMIN)
    app = models.DmApplication.objects.get(environment__connection=connection, environment__external_id=1)
    role = models.FarmRole.objects.get(farm__connection=connection, farm__name="web-prod", alias="app")
    admin.post(reverse("scalr:deployments"), {"application": app.pk, "farm_role": role.pk,
                                              "remote_path": "/var/www/app"})
    action = last_action()
    assert action.status == "succeeded", action.message
    assert action.message.startswith("Deployment tasks on 3 server(s)")
    sim.control("set_version", {"scalr_version": "5.11"})
    admin.post(reverse("scalr:deployments"), {"application": app.pk, "farm_role": role.pk,
                                              "remote_path": "/var/www/app"})
    assert last_action().message.startswith("Deployments feature was deprecated and no longer available.")


def test_script_execution_with_config_variables(as_role, v1, sim):
    operator = as_role(Role.OPERATOR)
    script = models.Script.objects.get(environment__connection=v1, environment__external_id=1,
                                       name="Deploy application")
    farm = models.Farm.objects.get(connection=v1, name="web-prod")
    url = reverse("scalr:script-execute", args=[script.pk]) + f"?farm={farm.pk}&revision=3"
    form = operator.get(url).content.decode()
    assert "%release%" in form and "%service_name%" in form
    assert as_role(Role.VIEWER).get(url).status_code == 403
    role = farm.farm_roles.get(alias="app")
    operator = as_role(Role.OPERATOR)
    response = operator.post(url, {"target": f"role:{role.pk}", "revision": 3, "timeout": 120,
                                   "var_release": "v2.4.1", "var_service_name": "shop"})
    assert response.status_code == 302
    action = last_action()
    assert action.status == "succeeded", action.message
    assert "v2.4.1" not in everything_stored(action)
    assert "release, service_name" in action.summary and "revision 3" in action.summary
    logs = [e.message for e in sim.world.logs[farm.external_id]]
    assert "Executing script 'Deploy application' (revision 3) with release=v2.4.1, service_name=shop" in logs


def test_apiv2_script_execution_has_no_variables(as_role, team, sim):
    connection = make_connection(team, sim, api="v2")
    poll(connection)
    script = models.Script.objects.get(environment__connection=connection, environment__external_id=1,
                                       name="Deploy application")
    farm = models.Farm.objects.get(connection=connection, name="web-prod")
    page = as_role(Role.OPERATOR).get(reverse("scalr:script-execute", args=[script.pk]) + f"?farm={farm.pk}")
    text = page.content.decode()
    assert "Script configuration variables are not available on APIv2" in text and 'name="var_release"' not in text
    as_role(Role.OPERATOR).post(reverse("scalr:script-execute", args=[script.pk]) + f"?farm={farm.pk}",
                                {"target": f"farm:{farm.pk}", "revision": 3, "timeout": 60})
    assert last_action().message == "Scalr started the script on 5 server(s)."
