"""The person behind the claims: groups, user name, an existing or disabled user."""

import pytest
from django.contrib.auth import get_user_model

from console.oidc.config import SignInRefused
from console.oidc.services import groups_from_claims, oidc_user_sign_in
from console.teams.models import Membership, Role, SsoGroupMapping
from tests.harness.factories import TeamFactory, UserFactory


@pytest.mark.parametrize(("claim", "groups"), [
    (["ops-admins", "ops-viewers"], ["ops-admins", "ops-viewers"]),
    ("ops-admins", ["ops-admins"]),
    (None, []),
    ({"ops-admins": True}, []),
    (["ops-admins", 7, "", None], ["ops-admins"]),
])
def test_groups_from_the_claim(claim, groups, settings):
    claims = {"sub": "1"} if claim is None else {"sub": "1", "groups": claim}
    assert groups_from_claims(claims) == groups
    settings.OIDC_GROUPS_CLAIM = "roles"
    assert groups_from_claims({"roles": ["x"], "groups": ["y"]}) == ["x"]


@pytest.mark.django_db
def test_an_existing_user_is_matched_by_the_username_claim(settings):
    platform = TeamFactory(name="Platform", slug="platform")
    SsoGroupMapping.objects.create(group="ops", team=platform, role=Role.OPERATOR)
    existing = UserFactory(username="bob", email="old@example.com")
    settings.OIDC_USERNAME_CLAIM = "upn"
    user = oidc_user_sign_in(claims={"sub": "x", "upn": "bob", "preferred_username": "robert",
                                     "email": "bob@example.com", "groups": ["ops"]})
    assert user.pk == existing.pk and user.email == "bob@example.com"
    assert user.has_usable_password()  # a local password the user had stays theirs
    assert Membership.objects.get(user=user).role == Role.OPERATOR
    assert not get_user_model().objects.filter(username="robert").exists()


@pytest.mark.django_db
def test_no_username_claim_or_a_disabled_user_is_refused():
    with pytest.raises(SignInRefused, match="no 'preferred_username' claim"):
        oidc_user_sign_in(claims={"sub": "x", "email": "a@example.com"})
    with pytest.raises(SignInRefused, match="longer than any user name"):
        oidc_user_sign_in(claims={"sub": "x", "preferred_username": "a" * 151})
    UserFactory(username="root", superuser=True)
    with pytest.raises(SignInRefused, match="'root' is a local superuser"):
        oidc_user_sign_in(claims={"sub": "x", "preferred_username": "root", "groups": []})
    UserFactory(username="carol", is_active=False)
    with pytest.raises(SignInRefused, match="account is disabled"):
        oidc_user_sign_in(claims={"sub": "x", "preferred_username": "carol", "groups": []})
