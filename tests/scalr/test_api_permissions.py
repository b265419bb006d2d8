"""The API's permission matrix (tests/harness/api.py) over every `api:scalr:` URL, and over each Scalr
verb of POST /api/v1/actions/ (no token 401, another team 404, read-only token 403, below the verb's
role 403; an allowed caller's action is queued: 202), against the Query API demo polled once."""

import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.teams.models import Role
from tests.harness.api import ApiMatrix, ApiRow, api_scope
from tests.harness.factories import ScalrConnectionFactory
from tests.harness.fuzz import NASTY, fuzz_matrix, report
from tests.scalr.conftest import poll
from vendors.scalr import models

pytestmark = pytest.mark.django_db

MATRIX = ApiMatrix([
    ApiRow("api:scalr:environment-list"),
    ApiRow("api:scalr:environment-detail", team_object=True),
    ApiRow("api:scalr:farm-list"),
    ApiRow("api:scalr:farm-detail", team_object=True),
    ApiRow("api:scalr:server-list"),
    ApiRow("api:scalr:server-detail", team_object=True),
    ApiRow("api:scalr:script-list"),
    ApiRow("api:scalr:script-detail", team_object=True),
    ApiRow("api:scalr:event-list"),
], scope=api_scope("api:scalr"))

#: each verb's least role, what it acts on (a key of `targets`), and params its page's form accepts;
#: the demo's Query API has retired deployments, so even an admin's deployment is refused (400)
VERBS = {
    "scalr.farm.launch": (Role.OPERATOR, "farm", {}),
    "scalr.farm.terminate": (Role.OPERATOR, "farm", {"keep_eip": True}),
    "scalr.farm.clone": (Role.OPERATOR, "farm", {}),
    "scalr.farm.lock": (Role.OPERATOR, "farm", {"comment": "matrix"}),
    "scalr.farm.unlock": (Role.OPERATOR, "farm", {}),
    "scalr.server.launch": (Role.OPERATOR, "farm-role", {"increase_max_instances": True}),
    "scalr.server.reboot": (Role.OPERATOR, "server", {}),
    "scalr.server.terminate": (Role.OPERATOR, "server", {"decrease_min_instances": False}),
    "scalr.server.suspend": (Role.OPERATOR, "server", {}),
    "scalr.server.resume": (Role.OPERATOR, "server", {}),
    "scalr.server.image": (Role.OPERATOR, "server", {"role_name": "matrix-image"}),
    "scalr.script.execute": (Role.OPERATOR, "script", {"target": "farm"}),
    "scalr.dns.zone_create": (Role.ADMIN, "environment", {"domain_name": "matrix.example.org"}),
    "scalr.dns.record_add": (Role.ADMIN, "zone", {"type": "A", "name": "m", "value": "192.0.2.1", "ttl": 300}),
    "scalr.dns.record_remove": (Role.ADMIN, "zone", {"record_id": "record"}),
    "scalr.app.deploy": (Role.ADMIN, "application", {"farm_role": "farm-role"}),
}
REFUSED_BY_SCALR = {"scalr.app.deploy": (400,)}
VERB_MATRICES = {verb: ApiMatrix([ApiRow("api:action-list", "post", role, team_object=True,
                                         allowed=REFUSED_BY_SCALR.get(verb, (202,)))],
                                 scope=api_scope("api:action-list"))
                 for verb, (role, _, _) in VERBS.items()}


def test_every_scalr_api_url_has_a_row():
    MATRIX.assert_covers_resolver()


def test_every_scalr_verb_has_a_matrix():
    from vendors.core.api import api_verbs

    assert set(VERBS) == {name for name in api_verbs() if name.startswith("scalr.")}


@pytest.fixture
def targets(team, sim):
    connection = ScalrConnectionFactory(team=team, base_url=sim.url, api="v1")
    assert poll(connection).status == "ok"
    farm = models.Farm.objects.get(connection=connection, name="web-prod")
    record = next(r for r in sim.world.zones["example.com"].records if not r.is_system)
    environment = farm.environment
    application = models.DmApplication.objects.create(environment=environment, external_id=1, name="matrix-app")
    return {
        "farm": farm.pk, "farm-role": farm.farm_roles.first().pk, "server": farm.servers.first().pk,
        "script": models.Script.objects.filter(environment=environment).first().pk, "environment": environment.pk,
        "zone": models.DnsZone.objects.get(environment__connection=connection, name="example.com").pk,
        "application": application.pk, "record": record.id,
    }


@pytest.fixture
def api_urls(targets):
    details = {"api:scalr:environment-detail": "environment", "api:scalr:farm-detail": "farm",
               "api:scalr:server-detail": "server", "api:scalr:script-detail": "script"}
    urls = {name: reverse(name, args=[targets[details[name]]] if name in details else []) for name in MATRIX.names}
    urls["api:action-list"] = reverse("api:action-list")
    return urls


@pytest.mark.parametrize(("row", "who"), MATRIX.cells())
def test_api_permission_matrix(api_urls, api_tokens, row, who):
    MATRIX.check(Client(), row, who, urls=api_urls, tokens=api_tokens)


def verb_body(verb: str, targets: dict) -> dict:
    _, target, params = VERBS[verb]
    params = {name: targets[value] if value in targets else value for name, value in params.items()}
    if verb == "scalr.script.execute":
        params["target"] = f"farm:{targets['farm']}"
    return {"verb": verb, "target": str(targets[target]), "params": params}


@pytest.mark.parametrize(("verb", "who"), [pytest.param(verb, who, id=f"{verb}-{who}") for verb, matrix in
                                           VERB_MATRICES.items() for _, who in (c.values for c in matrix.cells())])
def test_each_verb_through_the_matrix(api_urls, api_tokens, targets, verb, who):
    matrix = VERB_MATRICES[verb]
    row = matrix.rows[0]
    body = ApiRow(row.name, row.method, row.minimum, row.team_object, allowed=row.allowed,
                  data=verb_body(verb, targets))
    matrix.check(Client(), body, who, urls=api_urls, tokens=api_tokens)


# -- no input answers 500 -------------------------------------------------------------------------
def test_no_query_breaks_a_scalr_api_endpoint(api_urls, members):
    fuzzer = fuzz_matrix(Client(), MATRIX, api_urls, user=members[Role.ADMIN])
    assert not fuzzer.failures, report(fuzzer.failures)
    assert {"status", "sort", "q", "team", "environment", "connection", "limit", "offset"} <= \
        fuzzer.asked[api_urls["api:scalr:farm-list"]]
    assert {"farm", "server", "type", "since", "before"} <= fuzzer.asked[api_urls["api:scalr:event-list"]]


#: any JSON value (as tests/api/test_fuzz.py sends to POST actions/)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.sampled_from(NASTY)
                    | st.text(max_size=30), lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=8)
PARAMS = ["comment", "unlock_permission", "force", "keep_eip", "name", "hard", "role_name", "target", "revision",
          "timeout", "blocking", "variables", "domain_name", "farm", "type", "value", "ttl", "priority", "record_id",
          "farm_role", "remote_path", "x"]


def test_no_params_break_a_scalr_verb(api_tokens, targets):
    api, failures = Client(HTTP_AUTHORIZATION=f"Bearer {api_tokens[Role.ADMIN]}"), []
    params = st.one_of(JSON, st.dictionaries(st.sampled_from(PARAMS), JSON, max_size=4))

    @settings(max_examples=150, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(verb=st.sampled_from(sorted(VERBS)), params=params)
    def post(verb, params):
        body = {**verb_body(verb, targets), "params": params}
        with transaction.atomic():
            answer = api.post(reverse("api:action-list"), json.dumps(body), content_type="application/json")
            transaction.set_rollback(True)
        if answer.status_code >= 500 and answer.status_code != 502 or \
                (answer.status_code >= 400 and not answer.json().get("message")):
            failures.append(f"{answer.status_code} for {verb} {params!r:.200}")

    post()
    assert not failures, "\n".join(failures[:10])
