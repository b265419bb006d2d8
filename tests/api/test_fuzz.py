"""No input makes the API answer 500 or HTML: every query parameter of every endpoint
(tests/harness/fuzz.py discovers them), and JSON bodies of every shape for POST actions/."""

import json

from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.teams.models import Role
from console.tokens.services import token_create
from tests.api.test_permissions import MATRIX, api_urls  # noqa: F401 - `api_urls`: the matrix's objects
from tests.harness.fuzz import NASTY, fuzz_matrix, report
from vendors.core.api import api_verbs

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.sampled_from(NASTY)
                    | st.text(max_size=30), lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=8)


def test_no_query_breaks_an_api_endpoint(client, api_urls, members):  # noqa: F811
    fuzzer = fuzz_matrix(client, MATRIX, api_urls, user=members[Role.ADMIN])
    assert not fuzzer.failures, report(fuzzer.failures)
    assert {"vendor", "health", "team", "limit", "offset"} <= fuzzer.asked[api_urls["api:connection-list"]]


def test_no_body_breaks_the_action_endpoint(client, api_urls, members):  # noqa: F811
    _, plain = token_create(user=members[Role.ADMIN], description="fuzzer", write=True)
    url, failures = reverse("api:action-list"), []
    verbs = st.sampled_from([*api_verbs(), *NASTY])
    targets = st.one_of(st.just(api_urls["widget"]), st.sampled_from(NASTY), JSON)

    def post(body: str) -> None:
        with transaction.atomic():
            answer = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {plain}")
            transaction.set_rollback(True)
        ok = answer.status_code < 500 and "json" in answer["Content-Type"]
        if ok and answer.status_code >= 400:
            ok = bool(answer.json().get("message"))
        if not ok:
            failures.append(f"{answer.status_code} {answer['Content-Type']} for {body[:200]!r}")

    @settings(max_examples=60, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(verb=verbs, target=targets, params=JSON)
    def shaped(verb, target, params):
        post(json.dumps({"verb": verb, "target": target, "params": params}))

    @settings(max_examples=20, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=JSON)
    def anything(body):
        post(json.dumps(body))

    shaped()
    anything()
    for body in ("", "{", "null", "[]", '{"verb": "widgets.restart"}', "\x00", "1e999999"):
        post(body)
    assert not failures, "\n".join(failures[:10])
