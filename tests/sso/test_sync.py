"""Sign-in memberships from groups: console/teams/sso.py's rules."""

import pytest

from console.audit.models import AuditEvent
from console.teams.models import Membership, Role, Source, SsoGroupMapping
from console.teams.sso import sso_memberships_sync
from tests.harness.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform():
    return TeamFactory(name="platform", slug="platform")


@pytest.fixture
def data():
    return TeamFactory(name="data", slug="data")


@pytest.fixture
def mappings(platform, data):
    SsoGroupMapping.objects.create(group="ops-admins", team=platform, role=Role.ADMIN)
    SsoGroupMapping.objects.create(group="ops-viewers", team=platform, role=Role.VIEWER)
    SsoGroupMapping.objects.create(group="ops-operators", team=platform, role=Role.OPERATOR)
    SsoGroupMapping.objects.create(group="data-team", team=data, role=Role.OPERATOR)


def roles(user):
    return {(m.team.name, m.role, m.source) for m in Membership.objects.filter(user=user)}


def sso_audit():
    return list(AuditEvent.objects.filter(actor_label="sso").order_by("pk").values_list("verb", "target_label"))


def test_groups_add_change_and_remove_memberships(mappings):
    user = UserFactory(username="alice")
    sso_memberships_sync(user=user, groups=["ops-admins", "data-team", "unmapped"])
    assert roles(user) == {("platform", "admin", "sso"), ("data", "operator", "sso")}

    sso_memberships_sync(user=user, groups=["ops-viewers"])
    assert roles(user) == {("platform", "viewer", "sso")}

    sso_memberships_sync(user=user, groups=[])
    assert roles(user) == set()
    assert sso_audit() == [
        ("member.add", "alice in data (operator)"), ("member.add", "alice in platform (admin)"),
        ("member.role", "alice in platform (viewer)"), ("member.remove", "alice in data (operator)"),
        ("member.remove", "alice in platform (viewer)"),
    ]
    assert AuditEvent.objects.filter(actor__isnull=False).count() == 0


def test_highest_role_wins_whatever_the_order(mappings):
    user = UserFactory()
    sso_memberships_sync(user=user, groups=["ops-viewers", "ops-admins", "ops-operators"])
    assert roles(user) == {("platform", "admin", "sso")}
    sso_memberships_sync(user=user, groups=["ops-operators", "ops-viewers"])
    assert roles(user) == {("platform", "operator", "sso")}
    event = AuditEvent.objects.filter(verb="member.role").get()
    assert event.detail == {"from": "admin", "to": "operator", "groups": ["ops-operators", "ops-viewers"]}


def test_sync_is_idempotent(mappings):
    user = UserFactory()
    sso_memberships_sync(user=user, groups=["ops-admins", "data-team"])
    before = AuditEvent.objects.count()
    sso_memberships_sync(user=user, groups=["data-team", "ops-admins"])
    assert AuditEvent.objects.count() == before
    assert roles(user) == {("platform", "admin", "sso"), ("data", "operator", "sso")}


def test_manual_memberships_are_kept_and_stand_over_the_groups(mappings, platform, data):
    user = UserFactory()
    MembershipFactory(user=user, team=platform, role=Role.VIEWER)
    other = TeamFactory(name="other")
    MembershipFactory(user=user, team=other, role=Role.OPERATOR)

    sso_memberships_sync(user=user, groups=["ops-admins"])
    assert roles(user) == {("platform", "viewer", "manual"), ("other", "operator", "manual")}
    sso_memberships_sync(user=user, groups=[])
    assert roles(user) == {("platform", "viewer", "manual"), ("other", "operator", "manual")}
    assert sso_audit() == []

    Membership.objects.get(user=user, team=platform).delete()
    sso_memberships_sync(user=user, groups=["ops-admins"])
    assert roles(user) == {("platform", "admin", "sso"), ("other", "operator", "manual")}


def test_a_sign_in_may_remove_the_last_admin(mappings, platform):
    user = UserFactory()
    sso_memberships_sync(user=user, groups=["ops-admins"])
    sso_memberships_sync(user=user, groups=["ops-viewers"])
    assert Membership.objects.get(user=user).role == Role.VIEWER
    assert not platform.memberships.filter(role=Role.ADMIN).exists()


def test_memberships_of_other_people_are_untouched(mappings, platform):
    alice, bob = UserFactory(), UserFactory()
    sso_memberships_sync(user=bob, groups=["ops-admins"])
    sso_memberships_sync(user=alice, groups=[])
    assert Membership.objects.filter(user=bob, source=Source.SSO).count() == 1


def test_the_team_page_marks_memberships_from_groups(client, mappings, platform):
    from django.urls import reverse

    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    sso_memberships_sync(user=alice, groups=["ops-admins"])
    MembershipFactory(user=bob, team=platform, role=Role.VIEWER)
    client.force_login(alice)
    page = client.get(reverse("teams:detail", args=[platform.slug])).content.decode()
    assert page.count(">from their groups<") == 1
    assert page.index("alice") < page.index(">from their groups<") < page.index("bob")
