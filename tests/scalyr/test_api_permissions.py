"""The API's permission matrix (tests/harness/api.py) over every `api:scalyr:` URL, and over each Scalyr
verb of POST /api/v1/actions/. The log query is a POST that only reads: a read-only token may send it
(tested in test_api.py), and it needs the explorer's query right (operators; viewers without a grant: 403)."""

import pytest
from django.test import Client
from django.urls import reverse

from console.teams.models import Role
from tests.harness.api import ApiMatrix, ApiRow, api_scope
from tests.harness.factories import SavedQueryFactory

from .helpers import make_client

MATRIX = ApiMatrix([
    ApiRow("api:scalyr:saved-query-list"),
    ApiRow("api:scalyr:saved-query-detail", team_object=True),
    ApiRow("api:scalyr:query", "post", Role.OPERATOR, team_object=True, reads=True, data={"range": "15m"}),
], scope=api_scope("api:scalyr"))

#: params the editor's form accepts; the write is refused by Scalyr or not, the answer is the settled action
VERBS = {
    "scalyr.file.create": {"path": "/matrix/new", "content": "{}"},
    "scalyr.file.update": {"path": "/matrix/old", "content": "{}", "expected_version": 1},
    "scalyr.file.delete": {"path": "/matrix/old", "expected_version": 1},
}
VERB_MATRIX = ApiMatrix([ApiRow("api:action-list", "post", Role.ADMIN, team_object=True, allowed=(202,))],
                        scope=api_scope("api:action-list"))


def test_every_scalyr_api_url_has_a_row():
    MATRIX.assert_covers_resolver()


@pytest.fixture
def api_urls(scalyr_connection, live_sim):
    saved = SavedQueryFactory(connection=scalyr_connection)
    with make_client(live_sim) as scalyr:
        scalyr.put_file("/matrix/old", "{}")
    args = {"api:scalyr:saved-query-detail": [saved.pk], "api:scalyr:query": [scalyr_connection.pk]}
    urls = {name: reverse(name, args=args.get(name, [])) for name in MATRIX.names}
    urls["api:action-list"] = reverse("api:action-list")
    return urls


@pytest.mark.parametrize(("row", "who"), MATRIX.cells())
def test_api_permission_matrix(api_urls, api_tokens, row, who):
    MATRIX.check(Client(), row, who, urls=api_urls, tokens=api_tokens)


@pytest.mark.parametrize(("verb", "who"), [pytest.param(verb, who, id=f"{verb}-{who}") for verb in VERBS
                                           for _, who in (cell.values for cell in VERB_MATRIX.cells())])
def test_each_verb_through_the_matrix(api_urls, api_tokens, scalyr_connection, verb, who):
    row = VERB_MATRIX.rows[0]
    body = ApiRow(row.name, row.method, row.minimum, row.team_object, allowed=row.allowed,
                  data={"verb": verb, "target": str(scalyr_connection.pk), "params": VERBS[verb]})
    VERB_MATRIX.check(Client(), body, who, urls=api_urls, tokens=api_tokens)
