"""The person behind a verified set of claims: their user, created at the first sign-in, and
their team memberships, set from the groups claim at every sign-in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from console.oidc.config import SignInRefused
from console.teams.sso import sso_memberships_sync

#: claims copied onto the user at each sign-in: claim -> user field
_PROFILE = {"email": "email", "given_name": "first_name", "family_name": "last_name"}


def groups_from_claims(claims: dict) -> list[str]:
    """The groups claim as a list of names; a missing claim is no group (Keycloak leaves it out
    for a person in none), a single string is one group."""
    groups = claims.get(settings.OIDC_GROUPS_CLAIM)
    if isinstance(groups, str):
        groups = [groups]
    if not isinstance(groups, list):
        return []
    return [group for group in groups if isinstance(group, str) and group]


def username_from_claims(claims: dict) -> str:
    claim = settings.OIDC_USERNAME_CLAIM
    username = claims.get(claim)
    if not isinstance(username, str) or not username.strip():
        raise SignInRefused(f"the provider sent no '{claim}' claim to name you by (OIDC_USERNAME_CLAIM).")
    if len(username) > get_user_model()._meta.get_field("username").max_length:
        raise SignInRefused(f"the '{claim}' claim is longer than any user name the console keeps.")
    return username.strip()


def oidc_user_sign_in(*, claims: dict):
    """The user named by the username claim (created without a password at the first sign-in),
    with the profile claims copied and the SSO memberships set from the groups claim. A local
    superuser of the same name is never taken over."""
    username = username_from_claims(claims)
    profile = {field: claims[claim][:150] for claim, field in _PROFILE.items() if isinstance(claims.get(claim), str)}
    with transaction.atomic():
        user, created = get_user_model().objects.get_or_create(username=username, defaults=profile)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        elif any(getattr(user, field) != value for field, value in profile.items()):
            for field, value in profile.items():
                setattr(user, field, value)
            user.save(update_fields=list(profile))
        if not created and user.is_superuser and user.has_usable_password():
            # as with LDAP: a local superuser signs in with its own password (the way in when the provider is down)
            raise SignInRefused(f"'{username}' is a local superuser of the console, who signs in with a password.")
        if not user.is_active:
            raise SignInRefused("your console account is disabled: ask an administrator of the console.")
        sso_memberships_sync(user=user, groups=groups_from_claims(claims))
    return user
