"""Which directory groups a person is in, whatever kind of group entry the directory keeps."""

from __future__ import annotations

from django_auth_ldap.config import LDAPGroupType
from ldap.filter import escape_filter_chars


class AnyMemberGroupType(LDAPGroupType):
    """Groups naming the person's DN in `member` (groupOfNames, Active Directory) or `uniqueMember`
    (groupOfUniqueNames), or their uid in `memberUid` (posixGroup). A posixGroup that is only the
    person's primary group (gidNumber) does not count: list them in memberUid."""

    def user_groups(self, ldap_user, group_search):
        dn = escape_filter_chars(ldap_user.dn)
        terms = [f"(member={dn})", f"(uniqueMember={dn})"]
        uid = (ldap_user.attrs.get("uid") or [None])[0]
        if uid:
            terms.append(f"(memberUid={escape_filter_chars(uid)})")
        search = group_search.search_with_additional_term_string(f"(|{''.join(terms)})")
        return search.execute(ldap_user.connection)
