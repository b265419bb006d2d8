"""Sign-in with the company directory (django-auth-ldap): its groups set the person's SSO memberships.

Loaded by Django's authentication only when LDAP_SERVER_URI is set (dashboard/settings.py).
"""

from __future__ import annotations

import logging

import ldap
from django_auth_ldap.backend import LDAPBackend

from console import redaction
from console.teams.sso import sso_memberships_sync

logger = logging.getLogger(__name__)


class DirectoryBackend(LDAPBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        redaction.register(self.settings.BIND_PASSWORD)
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_or_build_user(self, username, ldap_user):
        """A directory entry never takes over a local superuser of the same name: that account
        signs in with its own password (and stays the way in when the directory is down)."""
        user, built = super().get_or_build_user(username, ldap_user)
        if not built and user.is_superuser and user.has_usable_password():
            raise ldap_user.AuthenticationFailed("a local superuser has this name")
        return user, built

    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None or self.settings.GROUP_SEARCH is None:
            return user
        try:
            groups = sorted(ldap_user.group_names)
        except ldap.LDAPError as exc:  # unknown groups: refuse rather than keep roles the directory may have taken away
            logger.warning("Sign-in of %s refused: the directory's group search failed: %s",
                           user.get_username(), type(exc).__name__)
            return None
        sso_memberships_sync(user=user, groups=groups)
        return user
