"""django-auth-ldap's settings from the console's LDAP_* variables (README "Sign-in").

Imported by dashboard/settings.py only when LDAP_SERVER_URI is set, so the console runs
without python-ldap (which needs libldap2-dev to build) when no directory is configured.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from console import redaction

#: the group entries the group search looks at: groupOfNames, groupOfUniqueNames, posixGroup,
#: and Active Directory's group
GROUP_CLASSES = ("(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup)"
                 "(objectClass=group))")
TIMEOUT_SECONDS = 10  # a directory that does not answer fails the sign-in, it does not hang the page


def auth_ldap_settings(*, server_uri: str, bind_dn: str, bind_password: str, user_search_base: str,
                       user_filter: str, group_search_base: str, start_tls: bool) -> dict:
    """The AUTH_LDAP_* settings: users found under `user_search_base` with `user_filter`, their
    groups (by cn) under `group_search_base`."""
    try:
        import ldap
        from django_auth_ldap.config import LDAPSearch
    except ImportError:
        raise ImproperlyConfigured(
            "LDAP_SERVER_URI is set but django-auth-ldap is not installed: "
            "pip install -r requirements-ldap.txt (it builds python-ldap: apt-get install libldap2-dev libsasl2-dev)"
        ) from None
    if not user_search_base:
        raise ImproperlyConfigured("LDAP_SERVER_URI is set: LDAP_USER_SEARCH_BASE must name where users are.")
    if "%(user)s" not in user_filter:
        raise ImproperlyConfigured(f"LDAP_USER_FILTER must contain %(user)s, the name typed: {user_filter!r}.")
    redaction.register(bind_password)
    values = {
        "AUTH_LDAP_SERVER_URI": server_uri,
        "AUTH_LDAP_BIND_DN": bind_dn,
        "AUTH_LDAP_BIND_PASSWORD": bind_password,
        "AUTH_LDAP_START_TLS": start_tls,
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(user_search_base, ldap.SCOPE_SUBTREE, user_filter),
        "AUTH_LDAP_USER_ATTR_MAP": {"first_name": "givenName", "last_name": "sn", "email": "mail"},
        "AUTH_LDAP_CONNECTION_OPTIONS": {ldap.OPT_NETWORK_TIMEOUT: TIMEOUT_SECONDS, ldap.OPT_TIMEOUT: TIMEOUT_SECONDS,
                                         ldap.OPT_REFERRALS: 0},
        "AUTH_LDAP_GROUP_SEARCH": None,
        "AUTH_LDAP_GROUP_TYPE": None,
    }
    if group_search_base:
        from console.teams.ldap_groups import AnyMemberGroupType

        values["AUTH_LDAP_GROUP_SEARCH"] = LDAPSearch(group_search_base, ldap.SCOPE_SUBTREE, GROUP_CLASSES)
        values["AUTH_LDAP_GROUP_TYPE"] = AnyMemberGroupType(name_attr="cn")
    return values
