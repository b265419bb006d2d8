"""People whose memberships came from their groups (LDAP or OpenID Connect sign-ins) get exactly
what people added by hand get: the whole permission matrix of the pages and of the API, and the
canary test, run again with the `members` fixture made by `sso_memberships_sync`."""

import pytest

from console.teams.models import Membership, Role, Source, SsoGroupMapping
from console.teams.sso import sso_memberships_sync
from tests.api.test_permissions import api_urls, test_api_permission_matrix  # noqa: F401 - run here again
from tests.core.test_canary import log_output, published, test_the_canary_surfaces_nowhere  # noqa: F401
from tests.core.test_permissions import test_permission_matrix, urls  # noqa: F401 - run here again
from tests.harness.factories import UserFactory


@pytest.fixture
def members(team, other_team):
    """One user per role in `team` and an admin of another team, each a member only through
    their groups, as a sign-in leaves them."""
    for role in (Role.VIEWER, Role.OPERATOR, Role.ADMIN):
        SsoGroupMapping.objects.create(group=f"ops-{role}s", team=team, role=role)
    SsoGroupMapping.objects.create(group="data-admins", team=other_team, role=Role.ADMIN)
    users = {}
    for who, groups in ((Role.VIEWER, ["ops-viewers", "staff"]), (Role.OPERATOR, ["ops-viewers", "ops-operators"]),
                        (Role.ADMIN, ["ops-admins"]), ("outsider", ["data-admins"])):
        users[who] = UserFactory(username=f"sso-{who}")
        sso_memberships_sync(user=users[who], groups=groups)
    assert set(Membership.objects.values_list("source", flat=True)) == {Source.SSO}
    return users
