"""The API's permission matrix (tests/harness/api.py) over every `api:scalingo:` URL, and over each
Scalingo verb of POST /api/v1/actions/ (no token 401, another team 404, read-only token 403, below the
verb's role 403; an allowed caller's action is queued: 202)."""

import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.teams.models import Role
from tests.harness.api import ApiMatrix, ApiRow, api_scope
from tests.harness.factories import AppFactory, ContainerTypeFactory, DeploymentFactory, ScalingoConnectionFactory
from tests.harness.fuzz import NASTY, fuzz_matrix, report

MATRIX = ApiMatrix([
    ApiRow("api:scalingo:app-list"),
    ApiRow("api:scalingo:app-detail", team_object=True),
    ApiRow("api:scalingo:app-events", team_object=True),
    ApiRow("api:scalingo:app-deployments", team_object=True),
], scope=api_scope("api:scalingo"))

#: each verb's least role, and params its page's form accepts
VERBS = {
    "scalingo.app.scale": (Role.OPERATOR, {"containers": [{"name": "web", "amount": 2}]}),
    "scalingo.app.restart": (Role.OPERATOR, {"scope": ["web"]}),
    "scalingo.variable.set": (Role.ADMIN, {"name": "MATRIX", "value": "1"}),
    "scalingo.variable.bulk": (Role.ADMIN, {"text": "MATRIX=1"}),
    "scalingo.variable.delete": (Role.ADMIN, {"name": "MATRIX"}),
}
#: any JSON value (as tests/api/test_fuzz.py sends to POST actions/)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.sampled_from(NASTY)
                    | st.text(max_size=30), lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=8)
VERB_MATRICES = {verb: ApiMatrix([ApiRow("api:action-list", "post", role, team_object=True, allowed=(202,))],
                                 scope=api_scope("api:action-list"))
                 for verb, (role, _) in VERBS.items()}


def test_every_scalingo_api_url_has_a_row():
    MATRIX.assert_covers_resolver()


@pytest.fixture
def app(team, fresh_budgets):
    app = AppFactory(connection=ScalingoConnectionFactory(team=team), name="matrix-app")
    ContainerTypeFactory(app=app, name="web", amount=1, size="M")
    DeploymentFactory(app=app)
    return app


@pytest.fixture
def api_urls(app):
    urls = {name: reverse(name, args=[] if name.endswith("-list") else [app.pk]) for name in MATRIX.names}
    urls["api:action-list"] = reverse("api:action-list")
    return urls


@pytest.mark.parametrize(("row", "who"), MATRIX.cells())
def test_api_permission_matrix(api_urls, api_tokens, row, who):
    MATRIX.check(Client(), row, who, urls=api_urls, tokens=api_tokens)


@pytest.mark.parametrize(("verb", "who"), [pytest.param(verb, who, id=f"{verb}-{who}") for verb, matrix in
                                           VERB_MATRICES.items() for _, who in (c.values for c in matrix.cells())])
def test_each_verb_through_the_matrix(api_urls, api_tokens, app, verb, who):
    matrix = VERB_MATRICES[verb]
    row = matrix.rows[0]
    body = ApiRow(row.name, row.method, row.minimum, row.team_object, allowed=row.allowed,
                  data={"verb": verb, "target": str(app.pk), "params": VERBS[verb][1]})
    matrix.check(Client(), body, who, urls=api_urls, tokens=api_tokens)


# -- no input answers 500 -------------------------------------------------------------------------
def test_no_query_breaks_a_scalingo_api_endpoint(api_urls, members):
    fuzzer = fuzz_matrix(Client(), MATRIX, api_urls, user=members[Role.ADMIN])
    assert not fuzzer.failures, report(fuzzer.failures)
    assert {"status", "sort", "q", "team", "region", "connection", "limit", "offset"} <= \
        fuzzer.asked[api_urls["api:scalingo:app-list"]]


def test_no_params_break_a_scalingo_verb(api_tokens, app):
    api, failures = Client(HTTP_AUTHORIZATION=f"Bearer {api_tokens[Role.ADMIN]}"), []
    line = st.dictionaries(st.sampled_from(["name", "amount", "size", "x"]), JSON, max_size=4)
    params = st.one_of(JSON, st.fixed_dictionaries({"containers": st.lists(line, max_size=3) | JSON}),
                       st.dictionaries(st.sampled_from(["scope", "name", "value", "text", "containers"]), JSON,
                                       max_size=3))

    @settings(max_examples=150, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(verb=st.sampled_from(sorted(VERBS)), params=params)
    def post(verb, params):
        with transaction.atomic():
            answer = api.post(reverse("api:action-list"), json.dumps({"verb": verb, "target": str(app.pk),
                                                                      "params": params}),
                              content_type="application/json")
            transaction.set_rollback(True)
        if answer.status_code >= 500 or (answer.status_code >= 400 and not answer.json().get("message")):
            failures.append(f"{answer.status_code} for {verb} {params!r:.200}")

    post()
    assert not failures, "\n".join(failures[:10])
