"""Config file pages: list and view with a Read Config token; admin edits guarded by expectedVersion."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from console.audit.models import AuditEvent
from console.teams.models import Role

from .conftest import _scalyr_connection
from .helpers import READ_CONFIG, READ_LOGS, make_client


@pytest.fixture
def scalyr(live_sim):
    with make_client(live_sim) as client:
        client.put_file("/dashboards/Shop API", '{"graphs":[{"label":"5xx","filter":"status >= 500"}]}')
        client.put_file("/parsers/custom", "// a comment\n{ formats: [] }")
        yield client


def url(name, connection, path=None):
    base = reverse(name, args=[connection.pk])
    return f"{base}?path={path}" if path else base


def test_a_viewer_lists_and_reads_files_pretty_printed(web, members, scalyr_connection, scalyr):
    web.force_login(members[Role.VIEWER])
    listing = web.get(url("scalyr:files", scalyr_connection)).content.decode()
    assert "/dashboards/Shop API" in listing and "/parsers/custom" in listing
    assert "Editing configuration files needs the admin role" in listing
    page = html.unescape(web.get(url("scalyr:file", scalyr_connection, "/dashboards/Shop API")).content.decode())
    assert '"graphs": [\n    {\n      "label": "5xx"' in page and "Version 1" in page
    relaxed = html.unescape(web.get(url("scalyr:file", scalyr_connection, "/parsers/custom")).content.decode())
    assert "// a comment\n{ formats: [] }" in relaxed and "not strict JSON" in relaxed
    assert web.get(url("scalyr:file", scalyr_connection, "/nope")).status_code == 404


def test_without_a_config_token_the_pages_say_why(web, members, team, live_sim):
    logs_only = _scalyr_connection("logs-only", team, live_sim, read_logs_token=READ_LOGS)
    web.force_login(members[Role.ADMIN])
    page = web.get(url("scalyr:files", logs_only)).content.decode()
    assert "no Read Config or Write Config token" in page
    assert "no Write Config token" in web.get(url("scalyr:file-edit", logs_only)).content.decode()


def test_a_read_config_token_alone_cannot_edit(web, members, team, live_sim, scalyr):
    read_only = _scalyr_connection("read-only", team, live_sim, read_config_token=READ_CONFIG)
    web.force_login(members[Role.ADMIN])
    page = web.get(url("scalyr:file", read_only, "/dashboards/Shop API")).content.decode()
    assert "Version 1" in page and "no Write Config token" in page
    response = web.post(url("scalyr:file-edit", read_only), {"path": "/x", "content": "{}", "expected_version": ""})
    assert response.status_code == 403


def test_an_admin_edits_a_file_and_the_write_is_audited(web, members, scalyr_connection, scalyr):
    web.force_login(members[Role.ADMIN])
    form = web.get(url("scalyr:file-edit", scalyr_connection, "/dashboards/Shop API")).content.decode()
    assert 'name="expected_version" value="1"' in form
    response = web.post(url("scalyr:file-edit", scalyr_connection), {
        "path": "/dashboards/Shop API", "content": '{"graphs": []}', "expected_version": "1"})
    assert response.status_code == 302
    assert scalyr.get_file("/dashboards/Shop API").content == '{"graphs": []}'
    event = AuditEvent.objects.get(verb="scalyr.file.update")
    assert event.outcome == "success" and event.target_label == "logs-prod:/dashboards/Shop API"
    assert event.detail["expected_version"] == 1 and event.actor == members[Role.ADMIN]


def test_a_conflict_shows_both_versions_and_keeps_the_typed_text(web, members, scalyr_connection, scalyr):
    web.force_login(members[Role.ADMIN])
    scalyr.put_file("/dashboards/Shop API", '{"graphs": ["theirs"]}', expected_version=1)
    typed = '{"graphs": ["mine, typed with care"]}'
    response = web.post(url("scalyr:file-edit", scalyr_connection), {
        "path": "/dashboards/Shop API", "content": typed, "expected_version": "1"})
    page = html.unescape(response.content.decode())
    assert response.status_code == 409
    assert "Someone else changed this file while you were editing it." in page
    assert f">\n{typed}</textarea>" in page or f">{typed}</textarea>" in page
    assert '{"graphs": ["theirs"]}' in page
    assert 'name="expected_version" value="2"' in page  # saving again replaces theirs, knowingly
    assert scalyr.get_file("/dashboards/Shop API").content == '{"graphs": ["theirs"]}'
    failed = AuditEvent.objects.get(verb="scalyr.file.update")
    assert failed.outcome == "failure" and failed.detail["error"] == "error/client/versionMismatch"


def test_creating_a_file_never_overwrites_one_that_appeared_meanwhile(web, members, scalyr_connection, scalyr):
    web.force_login(members[Role.ADMIN])
    response = web.post(url("scalyr:file-edit", scalyr_connection), {
        "path": "/alerts", "content": '{"alerts": []}', "expected_version": "", "creating": "1"})
    assert response.status_code == 302 and scalyr.get_file("/alerts").version == 1
    again = web.post(url("scalyr:file-edit", scalyr_connection), {
        "path": "/alerts", "content": '{"alerts": ["x"]}', "expected_version": "", "creating": "1"})
    assert again.status_code == 409 and "A file already exists at /alerts" in again.content.decode()
    assert scalyr.get_file("/alerts").content == '{"alerts": []}'


def test_delete_needs_the_version_that_was_seen(web, members, scalyr_connection, scalyr):
    web.force_login(members[Role.ADMIN])
    scalyr.put_file("/dashboards/Shop API", "{}", expected_version=1)
    stale = web.post(reverse("scalyr:file-delete", args=[scalyr_connection.pk]),
                     {"path": "/dashboards/Shop API", "expected_version": "1"}, follow=True)
    assert "nothing was deleted" in stale.content.decode()
    assert scalyr.get_file("/dashboards/Shop API").version == 2
    web.post(reverse("scalyr:file-delete", args=[scalyr_connection.pk]),
             {"path": "/dashboards/Shop API", "expected_version": "2"})
    assert "/dashboards/Shop API" not in scalyr.list_files()
    outcomes = list(AuditEvent.objects.filter(verb="scalyr.file.delete").order_by("pk").values_list("outcome",
                                                                                                     flat=True))
    assert outcomes == ["failure", "success"]
