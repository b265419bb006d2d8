"""The permission matrix over every URL: anonymous, another team's member, viewer, operator, admin.

Every URL of the project must have a row, here or in its vendor's matrix (tests check both
against the URL resolver), so a new page cannot ship without one. The helper is
tests/harness/permissions.py.
"""

import importlib

import pytest
from django.urls import reverse

from console.teams.models import Role
from console.tokens.services import token_create
from tests.harness.factories import ActionRunFactory, AlertFactory, ChannelFactory
from tests.harness.factories import AppFactory, ScalingoConnectionFactory
from tests.harness.permissions import Matrix, Row, namespace
from tests.harness.threads import off_the_event_loop
from vendors.core import registry
from vendors.core.alerts.models import Delivery

OPEN = {"login", "health", "metrics"}
OPEN |= {"oidc:authenticate", "oidc:callback"}  # the way in, before any login: tests/oidc/test_views.py
IGNORED = namespace("admin", "api")  # the admin site: its own permissions; the API: tests/api/test_permissions.py
VENDORS = namespace(*(spec.name for spec in registry.vendors()))  # each vendor keeps its own matrix
#: what the incident page's rows ask for: its objects exist only once `urls` made them
INCIDENT = {"at": "2026-12-07T14:02:00Z"}
MATRIX = Matrix([
    Row("overview:home"),
    Row("overview:timeline"),
    Row("overview:search"),
    Row("logout", "post", minimum=None),
    Row("core:connection-list"),
    Row("core:connection-detail", team_object=True),
    Row("core:connection-create", minimum=Role.ADMIN),
    Row("core:connection-edit", minimum=Role.ADMIN, team_object=True),
    Row("core:connection-delete", "post", Role.ADMIN, team_object=True),
    Row("core:connection-toggle", "post", Role.ADMIN, team_object=True),
    Row("core:connection-poll", "post", Role.ADMIN, team_object=True),
    Row("core:connection-test", "post", Role.ADMIN, team_object=True),
    Row("teams:list"),
    Row("teams:detail", team_object=True),
    Row("teams:member-role", "post", Role.ADMIN, team_object=True, data={"role": "operator"}),
    Row("teams:member-remove", "post", Role.ADMIN, team_object=True),
    Row("audit:list", minimum=Role.ADMIN),
    Row("tokens:list"),
    # a person's own token, not a team's: its owner revokes it (302), anyone else finds nothing (404);
    # tests/api/test_tokens.py checks who gets which
    Row("tokens:revoke", "post", allowed=(302, 404)),
    Row("core:action-status", team_object=True),
    Row("alerts:list"),
    Row("alerts:detail", team_object=True),
    Row("alerts:acknowledge", "post", Role.OPERATOR, team_object=True),
    Row("alerts:silence", "post", Role.OPERATOR, team_object=True, data={"duration": "4h"}),
    Row("alerts:unsilence", "post", Role.OPERATOR, team_object=True),
    Row("alerts:note", "post", Role.OPERATOR, team_object=True, data={"text": "Looking at it."}),
    Row("alerts:channel-list"),
    Row("alerts:channel-create", minimum=Role.ADMIN),
    Row("alerts:channel-detail", team_object=True),
    Row("alerts:channel-edit", minimum=Role.ADMIN, team_object=True),
    Row("alerts:channel-delete", "post", Role.ADMIN, team_object=True),
    Row("alerts:channel-test", "post", Role.ADMIN, team_object=True),
    Row("alerts:delivery-status", team_object=True),
    # around an app of the team (INCIDENT, filled by `urls`): another team's member gets 404
    Row("incidents:page", team_object=True, data=INCIDENT),
    Row("incidents:suspects", team_object=True, data=INCIDENT),
], scope=lambda name: not IGNORED(name) and not VENDORS(name), open=OPEN)


def test_every_url_has_a_row_in_the_matrix():
    MATRIX.assert_covers_resolver()


@pytest.mark.parametrize("vendor", [spec.name for spec in registry.vendors() if spec.urls])
def test_every_vendor_url_goes_through_a_matrix(vendor):
    """Each vendor's pages are declared in tests/<vendor>/test_permissions.py, against the resolver."""
    matrix = importlib.import_module(f"tests.{vendor}.test_permissions").MATRIX
    assert all(matrix.scope(row.name) and row.name.startswith(f"{vendor}:") for row in matrix)
    matrix.assert_covers_resolver()


@pytest.fixture
def urls(connection, members, team):
    viewer_membership = team.memberships.get(user=members[Role.VIEWER])
    action = ActionRunFactory(connection=connection, actor=members[Role.OPERATOR], verb="widgets.poke")
    alert = AlertFactory(connection=connection)
    channel = ChannelFactory(team=team)
    delivery = Delivery.objects.create(channel=channel, alert=alert, event="firing", state="sent")
    kwargs = {
        "core:connection-detail": {"vendor": "widgets", "pk": connection.pk},
        "core:connection-edit": {"vendor": "widgets", "pk": connection.pk},
        "core:connection-delete": {"vendor": "widgets", "pk": connection.pk},
        "core:connection-toggle": {"vendor": "widgets", "pk": connection.pk},
        "core:connection-poll": {"vendor": "widgets", "pk": connection.pk},
        "core:connection-test": {"vendor": "widgets", "pk": connection.pk},
        "core:connection-create": {"vendor": "widgets"},
        "teams:detail": {"slug": team.slug},
        "core:action-status": {"pk": action.pk},
        "tokens:revoke": {"pk": token_create(user=members[Role.VIEWER], description="viewer's script")[0].pk},
        **{name: {"pk": alert.pk} for name in ("alerts:detail", "alerts:acknowledge", "alerts:silence",
                                                  "alerts:unsilence", "alerts:note")},
        **{name: {"pk": channel.pk} for name in ("alerts:channel-detail", "alerts:channel-edit",
                                                    "alerts:channel-delete", "alerts:channel-test")},
        "alerts:delivery-status": {"pk": delivery.pk},
        "teams:member-role": {"slug": team.slug, "pk": viewer_membership.pk},
        "teams:member-remove": {"slug": team.slug, "pk": viewer_membership.pk},
    }
    INCIDENT["around"] = f"scalingo.app:{AppFactory(connection=ScalingoConnectionFactory(team=team)).pk}"
    return {name: reverse(name, kwargs=kwargs.get(name)) for name in MATRIX.names}


@pytest.mark.parametrize(("row", "who"), MATRIX.cells())
def test_permission_matrix(client, urls, members, row, who):
    MATRIX.check(client, row, who, urls=urls, members=members)


def test_another_teams_connection_is_absent_from_lists(client, members, connection, other_connection):
    client.force_login(members[Role.VIEWER])
    page = client.get(reverse("core:connection-list")).content.decode()
    assert connection.name in page and other_connection.name not in page
    home = client.get(reverse("overview:home")).content.decode()
    assert other_connection.name not in home


def test_health_and_metrics_are_reachable_without_login(client, db):
    assert client.get(reverse("metrics")).status_code == 200
    health = off_the_event_loop(client.get, reverse("health"), HTTP_ACCEPT="application/json")
    assert health.status_code in (200, 503)  # 503 names the failing check; never a login redirect
