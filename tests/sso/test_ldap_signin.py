"""Sign-in through the login form against a real slapd: groups become teams and roles, at every sign-in."""

import pytest
from django.urls import reverse

from console.audit.models import AuditEvent
from console.teams.models import Membership, Role, SsoGroupMapping
from tests.harness.factories import PASSWORD, FarmFactory, MembershipFactory, TeamFactory, UserFactory
from tests.sso.slapd import password_of

NO_TEAM = "You are not in any team yet"


@pytest.fixture
def platform(db):
    team = TeamFactory(name="platform", slug="platform")
    SsoGroupMapping.objects.create(group="ops-admins", team=team, role=Role.ADMIN)
    SsoGroupMapping.objects.create(group="ops-viewers", team=team, role=Role.VIEWER)
    return team


@pytest.fixture
def data(db):
    team = TeamFactory(name="data", slug="data")
    SsoGroupMapping.objects.create(group="data-team", team=team, role=Role.OPERATOR)
    return team


def sign_in(client, username, password, address="203.0.113.10"):
    client.logout()
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def memberships(username):
    return {(m.team.name, m.role, m.source) for m in Membership.objects.filter(user__username=username)}


def test_a_directory_admin_sees_the_team_then_loses_rights_as_the_directory_changes(client, directory, platform,
                                                                                      data):
    farm = FarmFactory(name="web-prod", environment__connection__team=platform)
    FarmFactory(name="warehouse", environment__connection__team=data)
    edit = reverse("core:connection-edit", args=["scalr", farm.connection.pk])

    response = sign_in(client, "alice", password_of("alice"))
    assert response.status_code == 302 and response["Location"] == reverse("overview:home")
    assert memberships("alice") == {("platform", "admin", "sso")}
    farms = client.get(reverse("scalr:farm-list")).content.decode()
    assert "web-prod" in farms and "warehouse" not in farms
    assert farm.connection.name in client.get(reverse("core:connection-list")).content.decode()
    assert client.get(edit).status_code == 200
    alice = Membership.objects.get(user__username="alice").user
    assert (alice.email, alice.first_name, alice.has_usable_password()) == ("alice@example.org", "Alice", False)

    directory.set_groups("alice", ["ops-viewers"])
    assert sign_in(client, "alice", password_of("alice")).status_code == 302
    assert memberships("alice") == {("platform", "viewer", "sso")}
    assert "web-prod" in client.get(reverse("scalr:farm-list")).content.decode()
    assert client.get(edit).status_code == 403

    directory.set_groups("alice", [])
    assert sign_in(client, "alice", password_of("alice")).status_code == 302
    assert memberships("alice") == set()
    assert NO_TEAM in client.get(reverse("overview:home")).content.decode()
    assert "web-prod" not in client.get(reverse("scalr:farm-list")).content.decode()

    trail = AuditEvent.objects.filter(actor_label="sso").order_by("pk")
    assert [(e.verb, e.target_label) for e in trail] == [
        ("member.add", "alice in platform (admin)"), ("member.role", "alice in platform (viewer)"),
        ("member.remove", "alice in platform (viewer)")]
    assert trail[0].detail["groups"] == ["ops-admins"]


def test_posix_groups_count_by_uid_and_two_groups_give_the_highest_role(client, directory, platform, data):
    assert sign_in(client, "dave", password_of("dave")).status_code == 302
    assert memberships("dave") == {("data", "operator", "sso")}

    directory.set_groups("dave", ["data-team", "ops-viewers", "ops-admins"])
    assert sign_in(client, "dave", password_of("dave")).status_code == 302
    assert memberships("dave") == {("data", "operator", "sso"), ("platform", "admin", "sso")}


def test_a_member_without_a_mapped_group_signs_in_to_the_no_access_page(client, directory, platform):
    response = sign_in(client, "carol", password_of("carol"))
    assert response.status_code == 302
    assert NO_TEAM in client.get(reverse("overview:home")).content.decode()


def test_a_membership_made_by_hand_stands_over_the_directory(client, directory, platform, data):
    sign_in(client, "alice", password_of("alice"))
    alice = Membership.objects.get(user__username="alice").user
    MembershipFactory(user=alice, team=data, role=Role.VIEWER)
    directory.set_groups("alice", ["data-team"])  # data-team would make her an operator of data

    sign_in(client, "alice", password_of("alice"))
    assert memberships("alice") == {("data", "viewer", "manual")}
    directory.set_groups("alice", [])
    sign_in(client, "alice", password_of("alice"))
    assert memberships("alice") == {("data", "viewer", "manual")}


def test_wrong_directory_passwords_count_toward_the_lockout(client, directory, platform):
    failures = [sign_in(client, "alice", "not-her-password") for _ in range(5)]
    assert [r.status_code for r in failures] == [200, 200, 200, 200, 429]
    assert "Please enter a correct username and password" in failures[0].content.decode()
    assert sign_in(client, "alice", password_of("alice")).status_code == 429
    assert memberships("alice") == set()
    assert sign_in(client, "alice", password_of("alice"), address="198.51.100.7").status_code == 302


def test_local_accounts_still_sign_in_beside_the_directory(client, directory):
    UserFactory(username="local-ops")
    assert sign_in(client, "local-ops", PASSWORD).status_code == 302


def test_a_directory_entry_never_takes_over_a_local_superuser(client, directory):
    UserFactory(username="alice", superuser=True)
    assert sign_in(client, "alice", password_of("alice")).status_code == 200
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_the_directory_being_down_refuses_its_people_and_not_local_superusers(client, slapd, db, settings):
    from tests.sso.conftest import directory_settings

    for name, value in directory_settings("ldap://127.0.0.1:9/").items():
        setattr(settings, name, value)
    UserFactory(username="root", superuser=True)
    response = sign_in(client, "alice", password_of("alice"))
    assert response.status_code == 200 and "Please enter a correct username and password" in response.content.decode()
    assert sign_in(client, "root", PASSWORD).status_code == 302


def test_without_a_group_search_base_memberships_are_left_as_they_are(client, slapd, db, settings, platform):
    from tests.sso.conftest import directory_settings

    for name, value in directory_settings(slapd.uri, group_search_base="").items():
        setattr(settings, name, value)
    slapd.reset()
    alice = UserFactory(username="alice")
    Membership.objects.create(user=alice, team=platform, role=Role.OPERATOR, source="sso")
    assert sign_in(client, "alice", password_of("alice")).status_code == 302
    assert memberships("alice") == {("platform", "operator", "sso")}
