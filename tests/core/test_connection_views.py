"""Connections pages as an admin uses them: add, edit, secrets write-only, test, poll now, toggle, delete."""

import pytest
from django.urls import reverse

from console.audit.models import AuditEvent
from console.teams.models import Role
from tests.testvendor.models import Widget, WidgetConnection


@pytest.fixture
def admin_client(client, members):
    client.force_login(members[Role.ADMIN])
    return client


def form_data(team, url, **extra):
    return {"name": "widgets-new", "team": team.pk, "base_url": url, "poll_seconds": 60, "enabled": "on", **extra}


def test_add_connection_requires_the_secret_and_reports_next_to_the_field(admin_client, team, widgets):
    response = admin_client.post(reverse("core:connection-create", args=["widgets"]), form_data(team, widgets.url))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This secret is required." in page
    assert 'id="id_secret_token_error"' in page
    assert not WidgetConnection.objects.exists()


def test_add_connection_stores_the_secret_encrypted_and_audits_the_fact(admin_client, team, widgets):
    response = admin_client.post(reverse("core:connection-create", args=["widgets"]),
                                 form_data(team, widgets.url, secret_token=widgets.token))
    conn = WidgetConnection.objects.get(name="widgets-new")
    assert response["Location"] == reverse("core:connection-detail", args=["widgets", conn.pk])
    assert conn.secrets.get("token") == widgets.token
    event = AuditEvent.objects.get(verb="connection.create")
    assert event.detail["secrets_changed"] == ["token"]
    assert widgets.token not in str(event.detail) + event.message


def test_bad_fields_are_reported_next_to_them(admin_client, team, widgets):
    response = admin_client.post(reverse("core:connection-create", args=["widgets"]),
                                 form_data(team, "not a url", poll_seconds=3, secret_token="x" * 10))
    page = response.content.decode()
    assert "Enter a valid URL." in page
    assert "Ensure this value is greater than or equal to 10." in page


def test_edit_keeps_a_secret_left_blank_and_never_renders_it(admin_client, connection, widgets):
    url = reverse("core:connection-edit", args=["widgets", connection.pk])
    page = admin_client.get(url).content.decode()
    assert widgets.token not in page
    assert "Set. Leave blank to keep it." in page
    admin_client.post(url, form_data(connection.team, widgets.url, name="renamed"))
    conn = WidgetConnection.objects.get(pk=connection.pk)
    assert conn.name == "renamed" and conn.secrets.get("token") == widgets.token
    assert AuditEvent.objects.get(verb="connection.update").detail == {"fields": ["name"], "secrets_changed": []}


def test_clearing_a_required_secret_is_refused(admin_client, connection, widgets):
    url = reverse("core:connection-edit", args=["widgets", connection.pk])
    page = admin_client.post(url, form_data(connection.team, widgets.url, clear_token="on")).content.decode()
    assert "This secret is required." in page
    assert WidgetConnection.objects.get(pk=connection.pk).secrets.is_set("token")


def test_test_connection_shows_the_result_inline(admin_client, connection, widgets):
    url = reverse("core:connection-test", args=["widgets", connection.pk])
    ok = admin_client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Authenticated as account acme." in ok and "<html" not in ok
    widgets.token = "changed-elsewhere"
    failed = admin_client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert "The widget service refused the token." in failed


def test_poll_now_polls_and_the_detail_page_shows_health(admin_client, connection, widgets):
    admin_client.post(reverse("core:connection-poll", args=["widgets", connection.pk]))
    assert Widget.objects.filter(connection=connection).count() == 2  # eager Celery in these tests
    page = admin_client.get(reverse("core:connection-detail", args=["widgets", connection.pk])).content.decode()
    assert "● OK" in page and "2 widgets" in page


def test_disable_then_poll_now_is_refused(admin_client, connection):
    admin_client.post(reverse("core:connection-toggle", args=["widgets", connection.pk]))
    assert not WidgetConnection.objects.get(pk=connection.pk).enabled
    response = admin_client.post(reverse("core:connection-poll", args=["widgets", connection.pk]), follow=True)
    assert "This connection is disabled" in response.content.decode()
    assert AuditEvent.objects.filter(verb="connection.disable").exists()


def test_delete_removes_the_connection_and_its_data(admin_client, connection, widgets):
    admin_client.post(reverse("core:connection-poll", args=["widgets", connection.pk]))
    detail = admin_client.get(reverse("core:connection-detail", args=["widgets", connection.pk])).content.decode()
    assert 'data-confirm="Delete the connection' in detail  # the confirmation dialog
    admin_client.post(reverse("core:connection-delete", args=["widgets", connection.pk]))
    assert not WidgetConnection.objects.exists() and not Widget.objects.exists()
    assert AuditEvent.objects.filter(verb="connection.delete", target_label="widgets-prod").exists()


def test_connection_list_filters_by_health(admin_client, connection, widgets):
    admin_client.post(reverse("core:connection-poll", args=["widgets", connection.pk]))
    assert connection.name in admin_client.get(reverse("core:connection-list") + "?health=ok").content.decode()
    assert connection.name not in admin_client.get(reverse("core:connection-list") + "?health=failing").content.decode()


def test_team_admin_manages_members(admin_client, team, members):
    viewer = members[Role.VIEWER]
    url = reverse("teams:detail", args=[team.slug])
    membership = team.memberships.get(user=viewer)
    admin_client.post(reverse("teams:member-role", args=[team.slug, membership.pk]), {"role": "operator"})
    membership.refresh_from_db()
    assert membership.role == Role.OPERATOR
    page = admin_client.post(url, {"username": "nobody", "role": "viewer"}).content.decode()
    assert "No active user has this username." in page
    admin_client.post(url, {"username": members["outsider"].username, "role": "viewer"})
    assert team.memberships.filter(user=members["outsider"], role=Role.VIEWER).exists()
    admin_client.post(reverse("teams:member-remove", args=[team.slug, membership.pk]))
    assert not team.memberships.filter(user=viewer).exists()
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"member.role", "member.add", "member.remove"} <= verbs


def test_the_last_admin_cannot_leave(admin_client, team, members):
    own = team.memberships.get(user=members[Role.ADMIN])
    response = admin_client.post(reverse("teams:member-remove", args=[team.slug, own.pk]), follow=True)
    assert "A team needs at least one admin" in response.content.decode()
    assert team.memberships.filter(pk=own.pk).exists()


def test_audit_page_filters(admin_client, connection, other_connection, members):
    admin_client.post(reverse("core:connection-toggle", args=["widgets", connection.pk]))
    admin_client.post(reverse("core:connection-test", args=["widgets", connection.pk]))
    page = admin_client.get(reverse("audit:list") + "?verb=connection.disable").content.decode()
    assert "connection.disable" in page and "connection.test" not in page
    # entries of another team are never shown
    from console.audit.services import audit_record
    audit_record(actor=members["outsider"], verb="connection.secret-team", target=other_connection,
                 team=other_connection.team)
    assert "connection.secret-team" not in admin_client.get(reverse("audit:list")).content.decode()


def test_only_superusers_create_teams(client, members, db):
    client.force_login(members[Role.ADMIN])
    assert client.post(reverse("teams:list"), {"name": "Ops", "slug": "ops"}).status_code == 403
    from tests.conftest import make_user

    root = make_user("root", superuser=True)
    client.force_login(root)
    page = client.post(reverse("teams:list"), {"name": "Ops", "slug": "bad slug!"}).content.decode()
    assert "Enter a valid “slug”" in page
    response = client.post(reverse("teams:list"), {"name": "Ops", "slug": "ops"})
    assert response["Location"] == reverse("teams:detail", args=["ops"])
    from console.teams.models import Membership
    assert Membership.objects.get(team__slug="ops").user == root
    assert AuditEvent.objects.filter(verb="team.create").exists()


def test_htmx_fragments_but_whole_pages_for_boosted_and_history_restores(admin_client, connection):
    url = reverse("core:connection-list")
    fragment = admin_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="connection-rows"' in fragment and "<html" not in fragment
    for extra in ({"HTTP_HX_BOOSTED": "true"}, {"HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}):
        page = admin_client.get(url, HTTP_HX_REQUEST="true", **extra).content.decode()
        assert "<html" in page, extra  # Back with htmx's history cache off must get the whole page


def test_pages_say_they_vary_with_hx_request_and_fragments_are_never_cached(client, members, connection):
    """Back, Forward and reloads use the browser's cache: a fragment must never stand in for the page."""
    from console.teams.models import Role
    from django.urls import reverse

    client.force_login(members[Role.VIEWER])
    page = client.get(reverse("core:connection-list"))
    assert "HX-Request" in page["Vary"] and "no-store" not in page.get("Cache-Control", "")
    fragment = client.get(reverse("core:connection-list"), HTTP_HX_REQUEST="true")
    assert "HX-Request" in fragment["Vary"] and "no-store" in fragment["Cache-Control"]


def test_the_connection_page_names_settings_as_the_form_does(client, members, team):
    """Labelled settings ("API generation", "Environment IDs"), never internal keys or the console's flags."""
    from console.teams.models import Role
    from django.urls import reverse
    from vendors.scalr.models import ScalrConnection

    connection = ScalrConnection.objects.create(name="scalr-prod", team=team, base_url="https://scalr.example",
                                                settings={"api": "v1", "env_ids": [1, 5], "hourly_limit": 2400,
                                                          "demo_seeded": True})
    client.force_login(members[Role.VIEWER])
    page = client.get(reverse("core:connection-detail", args=["scalr", connection.pk])).content.decode()
    assert "<dt>API generation</dt><dd>Query API (legacy, version 2.3.0)</dd>" in page
    assert "<dt>Environment IDs</dt><dd>1, 5</dd>" in page
    assert "2400" in page
    for raw in ("Env_ids", "Hourly_limit", "Demo_seeded", "<dt>Api</dt>"):
        assert raw not in page


@pytest.mark.parametrize("role, shown", [("viewer", False), ("operator", False), ("admin", True)])
def test_the_audit_link_is_shown_only_to_whom_it_opens(client, members, role, shown):
    from django.urls import reverse

    from console.teams.models import Role

    user = members[Role(role)]
    client.force_login(user)
    page = client.get(reverse("core:connection-list")).content.decode()
    assert (f'href="{reverse("audit:list")}"' in page) is shown
    assert client.get(reverse("audit:list")).status_code == (200 if shown else 403)


@pytest.mark.parametrize("value, message", [
    ("0", "Ensure this value is greater than or equal to 10."),
    ("9", "Ensure this value is greater than or equal to 10."),
    ("999999999", "Ensure this value is less than or equal to 86400."),
    ("abc", "Enter a whole number."),
    ("", "This field is required."),
])
def test_a_poll_interval_out_of_its_bounds_is_refused_next_to_the_field(admin_client, team, widgets, value, message):
    response = admin_client.post(reverse("core:connection-create", args=["widgets"]),
                                 form_data(team, widgets.url, poll_seconds=value, secret_token="x" * 10))
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert 'id="id_poll_seconds_error"' in page
    assert 'value="widgets-new"' in page  # what was typed is kept
    assert not WidgetConnection.objects.exists()


def test_the_browser_and_the_server_state_the_same_poll_interval_bounds(admin_client):
    """One bound, stated once: the input's min and max are the ones the server enforces."""
    page = admin_client.get(reverse("core:connection-create", args=["widgets"])).content.decode()
    assert 'name="poll_seconds" value="60" min="10" max="86400"' in page
    assert "Between 10 and 86,400 seconds (a day)." in page


def test_an_edit_is_audited_in_words_never_in_python_list_text(admin_client, connection, widgets):
    admin_client.post(reverse("core:connection-edit", args=["widgets", connection.pk]),
                      {"name": "widgets-renamed", "team": connection.team_id, "base_url": connection.base_url,
                       "poll_seconds": 120, "enabled": "on", "secret_token": "a-new-token-123"})
    event = AuditEvent.objects.get(verb="connection.update")
    assert event.message == "Changed name and poll interval (seconds); replaced or cleared the API token."
    page = admin_client.get(reverse("audit:list")).content.decode()
    assert "Changed name and poll interval (seconds); replaced or cleared the API token." in page
    assert "fields: name, poll seconds; secrets changed: token" in page
    assert "[" not in page.split('id="audit-table"')[1].split("</table>")[0]


def test_the_connection_list_pages_every_vendor_together_and_loses_none(admin_client, team, widgets):
    from tests.harness.factories import ScalingoConnectionFactory, WidgetConnectionFactory

    names = {WidgetConnectionFactory(team=team).name for _ in range(20)}
    names |= {ScalingoConnectionFactory(team=team).name for _ in range(10)}
    listed = []
    for page in (1, 2):
        response = admin_client.get(reverse("core:connection-list") + f"?page={page}")
        listed.append([c.name for c in response.context["connections"]])
    assert [len(rows) for rows in listed] == [25, 5]
    assert set(listed[0] + listed[1]) == names  # every connection once, across vendors and pages
    never = admin_client.get(reverse("core:connection-list") + "?health=never&page=2")
    assert never.status_code == 200 and len(never.context["connections"]) == 5  # filtered (never polled), then paged
