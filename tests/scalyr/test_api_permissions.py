"""The API's permission matrix (tests/harness/api.py) over every `api:scalyr:` URL, and over each Scalyr
verb of POST /api/v1/actions/. The log query is a POST that only reads: a read-only token may send it
(tested in test_api.py), and it needs the explorer's query right (operators; viewers without a grant: 403)."""

import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.teams.models import Role
from tests.harness.api import ApiMatrix, ApiRow, api_scope
from tests.harness.factories import SavedQueryFactory
from tests.harness.fuzz import NASTY, fuzz_matrix, report

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


# -- no input answers 500 -------------------------------------------------------------------------
def test_no_query_string_breaks_a_scalyr_api_endpoint(api_urls, members):
    fuzzer = fuzz_matrix(Client(), MATRIX, api_urls, user=members[Role.ADMIN])
    assert not fuzzer.failures, report(fuzzer.failures)
    assert {"kind", "connection", "limit", "offset"} <= fuzzer.asked[api_urls["api:scalyr:saved-query-list"]]


def test_no_body_breaks_the_log_query_or_a_file_verb(api_urls, api_tokens, scalyr_connection):
    api, failures = Client(HTTP_AUTHORIZATION=f"Bearer {api_tokens[Role.ADMIN]}"), []
    keys = ["filter", "range", "start", "end", "order", "limit", "continuation_token", "path", "content",
            "expected_version"]
    value = st.one_of(st.sampled_from(NASTY), st.integers(), st.none(), st.booleans(), st.lists(st.text(max_size=5)),
                      st.sampled_from(["1h", "status == 502", "2026-05-01T10:00:00Z", "1800000000000", "newest"]))
    bodies = st.dictionaries(st.sampled_from(keys), value, max_size=5)

    def send(url: str, body, raw: bool = False) -> None:
        with transaction.atomic():
            answer = api.post(url, body if raw else json.dumps(body), content_type="application/json")
            transaction.set_rollback(True)
        if answer.status_code >= 500 and answer.status_code not in (502, 503) or \
                (answer.status_code >= 400 and not answer.json().get("message")):
            failures.append(f"{answer.status_code} for {url} {body!r:.200}: {answer.content[:200]!r}")

    @settings(max_examples=120, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(body=bodies, verb=st.sampled_from([None, *sorted(VERBS)]))
    def post(body, verb):
        if verb is None:
            send(api_urls["api:scalyr:query"], body)
        else:
            send(api_urls["api:action-list"], {"verb": verb, "target": str(scalyr_connection.pk), "params": body})

    post()
    for raw in ("", "[]", "null", '"x"', "{", "1e999999", '{"limit": 1e999}'):
        send(api_urls["api:scalyr:query"], raw, raw=True)
    assert not failures, "\n".join(failures[:10])
