"""LDAP_BIND_PASSWORD surfaces nowhere: not in a page, a log record or log line, or the test's output."""

import io
import json
import logging
import sys

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.views.debug import technical_500_response

from console.audit.models import AuditEvent
from console.redaction import RedactingFilter
from console.teams.models import Role, SsoGroupMapping
from tests.harness.factories import PASSWORD, TeamFactory, UserFactory
from tests.sso.conftest import BIND_CANARY, directory_settings
from tests.sso.slapd import password_of

#: a bind password the directory refuses, so the refusal's own log lines are checked too
REFUSED_CANARY = "canary-ldap-refused-8b2d4e6f0a"


@pytest.fixture
def log_output():
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, RedactingFilter) for f in h.filters))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_the_bind_password_surfaces_nowhere(client, directory, caplog, capfd, log_output):
    caplog.set_level(logging.DEBUG)
    team = TeamFactory(name="platform", slug="platform")
    SsoGroupMapping.objects.create(group="ops-admins", team=team, role=Role.ADMIN)
    pages = []

    def sign_in(username, password, address="203.0.113.30"):
        client.logout()
        response = client.post(reverse("login"), {"username": username, "password": password},
                               REMOTE_ADDR=address, follow=True)
        pages.append(response.content.decode())

    sign_in("alice", password_of("alice"))
    for url in (reverse("overview:home"), reverse("teams:list"), reverse("teams:detail", args=[team.slug]),
                reverse("audit:list")):
        pages.append(client.get(url).content.decode())
    for _ in range(5):
        sign_in("alice", "wrong", address="203.0.113.31")  # the last ones meet the lockout page
    sign_in("nobody", "wrong")
    with override_settings(**directory_settings(directory.uri, bind_password=REFUSED_CANARY)):
        sign_in("bob", password_of("bob"))

    UserFactory(username="root", superuser=True)
    sign_in("root", PASSWORD)
    alice = UserFactory._meta.get_model_class().objects.get(username="alice")
    for url in (reverse("admin:auth_user_changelist"), reverse("admin:auth_user_change", args=[alice.pk])):
        pages.append(client.get(url).content.decode())

    # the DEBUG error page: settings and the environment, as runserver hands it to the request
    request = RequestFactory().get("/", LDAP_BIND_PASSWORD=BIND_CANARY)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        pages.append(technical_500_response(request, *sys.exc_info()).content.decode())
    assert "AUTH_LDAP_BIND_PASSWORD" in pages[-1] and "LDAP_BIND_PASSWORD" in pages[-1]

    records = "\n".join(r.getMessage() + str(r.exc_text or "") for r in caplog.records)
    output = capfd.readouterr()
    for canary in (BIND_CANARY, REFUSED_CANARY):
        assert all(canary not in page for page in pages)
        assert canary not in records
        assert canary not in log_output.getvalue()
        assert canary not in output.out + output.err
        assert canary not in json.dumps(list(AuditEvent.objects.values()), default=str)
    assert "Binding as cn=console" in records  # the directory's debug log really ran
    assert any("INVALID_CREDENTIALS" in r.getMessage() for r in caplog.records)  # the refused bind was logged
    assert sum("ops-admins" in page or "alice in platform" in page for page in pages) >= 1
