"""The permission matrix over every `scalyr:` URL.

Anonymous users go to the login page; another team's member gets 404 for anything that
names an object; within the team each role gets what the issue gives it. Querying logs is
its own right: operators and admins by default, viewers only once a team admin grants it.
The helper that checks each cell is tests/harness/permissions.py.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from console.teams.models import Role
from tests.harness.factories import SavedQueryFactory
from tests.harness.permissions import ROLES, Matrix, Row, namespace
from vendors.scalyr.models import SavedQuery, TeamQueryPolicy

from .helpers import make_client

#: querying logs: operators and admins by default; viewers too once a team admin grants it
QUERY = {"scalyr:explorer", "scalyr:histogram", "scalyr:facets", "scalyr:tail", "scalyr:chart", "scalyr:saved-open"}
WINDOW = "?ws=1&we=2"
#: the incident page's error rate is asked around a saved chart of the team (`urls` names it)
INCIDENT = {}
MATRIX = Matrix([
    Row("scalyr:home"),  # names no object: nothing to hide from other teams
    Row("scalyr:policy", "post", Role.ADMIN, team_object=True, data={"viewers_may_query": "1"}),
    Row("scalyr:explorer", minimum=Role.OPERATOR, team_object=True),
    Row("scalyr:histogram", minimum=Role.OPERATOR, team_object=True, query=WINDOW),
    Row("scalyr:facets", minimum=Role.OPERATOR, team_object=True, query=WINDOW),
    Row("scalyr:tail", minimum=Role.OPERATOR, team_object=True, query="?since=1&started=99999999999999"),
    Row("scalyr:chart", minimum=Role.OPERATOR, team_object=True),
    Row("scalyr:saved-create", "post", Role.OPERATOR, team_object=True,
        data={"name": "errors", "kind": "explorer", "state": "filter=error"}),
    Row("scalyr:saved-open", minimum=Role.OPERATOR, team_object=True),
    Row("scalyr:saved-detail", team_object=True),
    Row("scalyr:saved-edit", minimum=Role.OPERATOR, team_object=True),
    Row("scalyr:saved-pin", "post", Role.OPERATOR, team_object=True, data={"pinned": "1"}),
    Row("scalyr:saved-delete", "post", Role.OPERATOR, team_object=True),
    Row("scalyr:files", team_object=True),
    Row("scalyr:file", team_object=True, query="?path=/alerts"),
    Row("scalyr:file-edit", minimum=Role.ADMIN, team_object=True, query="?path=/alerts"),
    Row("scalyr:file-delete", "post", Role.ADMIN, team_object=True, data={"path": "/alerts", "expected_version": "1"}),
    # the incident page's error rate around a saved chart: a viewer without the query right is told why (200)
    Row("scalyr:incident-errors", team_object=True, data=INCIDENT),
], scope=namespace("scalyr"))
#: the same pages once the team lets its viewers query
VIEWERS_MAY_QUERY = MATRIX.lowered(QUERY, Role.VIEWER)


def test_every_scalyr_url_has_a_row():
    MATRIX.assert_covers_resolver()


@pytest.fixture
def saved(scalyr_connection):
    return SavedQueryFactory(connection=scalyr_connection, name="5xx", kind=SavedQuery.Kind.CHART,
                             state={"filter": "status >= 500"})


@pytest.fixture
def urls(scalyr_connection, saved, team, live_sim):
    with make_client(live_sim) as scalyr:
        scalyr.put_file("/alerts", '{"alerts": []}')
    kwargs = {name: {"pk": scalyr_connection.pk} for name in MATRIX.names}
    kwargs["scalyr:home"] = {}
    kwargs["scalyr:policy"] = {"slug": team.slug}
    kwargs["scalyr:incident-errors"] = {}
    for name in ("scalyr:saved-open", "scalyr:saved-detail", "scalyr:saved-edit", "scalyr:saved-pin",
                 "scalyr:saved-delete"):
        kwargs[name] = {"pk": saved.pk}
    INCIDENT["around"] = f"scalyr.chart:{saved.pk}"
    return {name: reverse(name, kwargs=kwargs[name]) for name in MATRIX.names}


@pytest.mark.parametrize(("row", "who"), MATRIX.cells())
def test_permission_matrix(web, urls, members, row, who):
    MATRIX.check(web, row, who, urls=urls, members=members)


@pytest.mark.parametrize(("row", "who"), VIEWERS_MAY_QUERY.cells(ROLES))
def test_permission_matrix_when_viewers_may_query(web, urls, members, team, row, who):
    TeamQueryPolicy.objects.create(team=team, viewers_may_query=True)
    VIEWERS_MAY_QUERY.check(web, row, who, urls=urls, members=members)


def test_the_home_page_lists_only_the_teams_connections(web, members, scalyr_connection, other_scalyr_connection):
    web.force_login(members[Role.VIEWER])
    page = web.get(reverse("scalyr:home")).content.decode()
    assert scalyr_connection.name in page and other_scalyr_connection.name not in page
    assert "Querying logs needs the operator role" in page
