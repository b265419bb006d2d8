"""The recorded exchanges in scalingo_examples.json, three ways: our parsers read every
recorded answer, our error mapping reads every recorded error, and the requests our client
sends carry the recorded method, path, query and body (checked on what the simulator got)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from tests.scalingo import scalingo_wire as wire
from tests.scalingo.scalingo_helpers import APP, FAST, make_sim, stop_soon

from vendors.core import errors
from vendors.scalingo.client import ScalingoClient, records, records_activity, records_resources
from vendors.scalingo.client.base import _jwt_expiry
from vendors.scalingo.simulator import DEFAULT_TOKEN

ROOTS = {
    "app": records.App, "apps": records.App, "operation": records.Operation, "stats": records.ContainerStat,
    "container_sizes": records.ContainerSize, "regions": records.Region, "user": records.User,
    "events": records_activity.Event, "deployment": records_activity.Deployment,
    "deployments": records_activity.Deployment, "variable": records_resources.Variable,
    "variables": records_resources.Variable, "addon": records_resources.Addon, "addons": records_resources.Addon,
    "addon_providers": records_resources.AddonProvider, "domain": records_resources.Domain,
    "domains": records_resources.Domain, "collaborator": records_resources.Collaborator,
    "collaborators": records_resources.Collaborator,
}
# Recorded answers the client has no method for (not needed by the dashboard).
NOT_READ = {"auth.tokens.create.201", "auth.tokens.list.200", "event_types.list.200", "addons.categories_guest",
            "features.metrics.200.recorded_2020", "features.metrics.200.docs", "logs.archives.200",
            "alerts.list.200", "notifiers.list.200", "metrics.recommended_value.200"}


def parse_answer(example: dict) -> list:
    """Run the client's parsers over one recorded success body; returns what they built."""
    body = example["response"].get("body")
    if isinstance(body, list):
        return [records.MetricPoint.from_json(point) for point in body]
    built = []
    for root, value in body.items():
        if root == "containers":
            parser = records.Container if ".ps." in example["id"] else records.ContainerType
        elif root == "meta":
            built.append(records.Pagination.from_json(value))
            continue
        else:
            parser = ROOTS.get(root)
        if parser is None or value is None:  # e.g. the root `variables: null` of an addon upgrade
            continue
        for item in value if isinstance(value, list) else [value]:
            built.append(parser.from_json(item))
    return built


def test_every_recorded_answer_parses(examples):
    read = set()
    for example in examples.values():
        response = example["response"]
        if response["status"] >= 300 or response.get("body") is None or example["id"] in NOT_READ:
            continue
        body = response["body"]
        if isinstance(body, dict) and set(body) & {"token", "logs_url", "authentication_token"}:
            read.add(example["id"])  # single values, checked below
            continue
        built = parse_answer(example)
        assert built and all(item is not None for item in built), example["id"]
        read.add(example["id"])
    successes = {i for i, e in examples.items() if e["response"]["status"] < 300 and e["response"].get("body")}
    assert successes - NOT_READ <= read


def test_recorded_app_fields(examples):
    running, new = [records.App.from_json(a) for a in examples["apps.list.200"]["response"]["body"]["apps"]]
    assert running.status == "running" and running.owner.email == "example@null.scalingo.com"
    assert running.last_deployed_at == datetime(2020, 5, 29, 12, 21, 51, 73000, tzinfo=timezone.utc)
    assert new.status == "new" and new.last_deployed_at is None and new.git_source is None
    docs = records.App.from_json(examples["apps.show.200.docs"]["response"]["body"]["app"])
    assert docs.created_at.utcoffset() == timedelta(hours=2) and docs.project_name == "example-project"


def test_recorded_pagination_spellings(examples):
    recorded = records.Pagination.from_json(examples["events.user.200"]["response"]["body"]["meta"])
    assert (recorded.current_page, recorded.next_page, recorded.prev_page) == (1, 2, None)
    assert (recorded.total_pages, recorded.total_count) == (16, 455)
    docs = records.Pagination.from_json(examples["deployments.list.200.docs"]["response"]["body"]["meta"])
    assert docs.prev_page is None and docs.total_pages == 1
    assert records.Pagination.from_json({"pagination": {"current_page": 4, "previous_page": 3}}).prev_page == 3
    assert records.Pagination.from_json({"pagination": {"current_page": 4, "prev_page": "3"}}).prev_page == 3


def test_recorded_scale_event_and_operation(examples):
    scale = records_activity.Event.from_json(examples["events.app.200"]["response"]["body"]["events"][0])
    assert scale.type == "scale" and scale.formation_change["web"] == ("3:S", "1:S")
    failed = records.Operation.from_json(examples["operations.show.200.error"]["response"]["body"]["operation"])
    assert failed.finished and failed.status == "error" and failed.error == "container web-1 failed to restart"
    running = records.Operation.from_json(examples["operations.show.200"]["response"]["body"]["operation"])
    assert not running.finished and running.finished_at is None


def test_recorded_single_values(examples):
    jwt = examples["auth.tokens.exchange.200"]["response"]["body"]["token"]
    assert _jwt_expiry(jwt) == 1590757528  # iat + 3600
    assert _jwt_expiry("your-bearer-token") is None  # the docs' placeholder: we fall back to an hour
    dump = examples["logs.dump.n2.200"]["response"]["text"]
    first, second = [records_activity.LogLine.parse(line) for line in dump.splitlines()]
    assert first.source == "web-2" and first.message == "" and first.time.utcoffset() == timedelta(hours=2)
    assert second.source == "manager" and second.message.startswith("container [web-2]")
    docs = [records_activity.LogLine.parse(line)
            for line in examples["logs.dump.docs"]["response"]["text"].splitlines()]
    assert len(docs) == 10 and all(line.time and line.source in ("web-1", "web-2") for line in docs)


def test_recorded_addon_and_deployment(examples):
    addon = records_resources.Addon.from_json(examples["addons.find_200"]["response"]["body"]["addon"])
    assert addon.logo_url == "https://cdn.scalingo.com/addons/Scalingo_Postgresql.svg"
    assert addon.plan_name == "postgresql-sandbox" and addon.status == "provisioning"
    deployment = records_activity.Deployment.from_json(
        examples["deployments.show.200"]["response"]["body"]["deployment"])
    assert deployment.finished and deployment.duration == 92 and deployment.finished_at.tzinfo is not None
    assert deployment.output_url.endswith("/output")


# -- recorded errors -----------------------------------------------------------------------------
EXPECTED_ERRORS = {400: errors.InvalidRequest, 401: errors.AuthenticationError, 402: errors.VendorForbids,
                   404: errors.NotFound, 409: errors.Conflict, 422: errors.InvalidRequest, 429: errors.RateLimited,
                   500: errors.VendorUnavailable}


def test_every_recorded_error_maps_to_a_typed_error(examples):
    mapper = ScalingoClient("tk-us-offline-test-token", api_url="https://api.example.test")
    seen = 0
    for example in examples.values():
        response = example["response"]
        status = response["status"]
        if status < 400:
            continue
        sent = example["request"]
        request = httpx.Request(sent["method"], "https://api.example.test/v1" + sent["path"])
        answer = (httpx.Response(status, headers=response["headers"], json=response["body"], request=request)
                  if "body" in response else
                  httpx.Response(status, headers=response["headers"], text=response["text"], request=request))
        error = mapper.error_from_response(answer)
        assert type(error) is EXPECTED_ERRORS[status], example["id"]
        assert error.status == status
        body = response.get("body") or {}
        if "errors" in body:
            assert error.details == body["errors"]
            for messages in body["errors"].values():
                assert all(message in str(error) for message in messages)
        elif "error" in body:
            assert body["error"] in str(error)
        else:
            assert response["text"] in str(error)
        if "resource" in body:
            assert error.details["resource"] == body["resource"] and body["resource"] in str(error)
        if "url" in body:
            assert error.details["url"] == body["url"]
        seen += 1
    assert seen >= 25
    mapper.close()


# -- the requests we send --------------------------------------------------------------------------
RECORDED_APP_IDS = ("5ed10d73884fef000f5e5024", "5ed10967884fef000f5e4fff", "5ed10ae7f112e2000f9f93be",
                    "5ed12f4c884fef000f5e5047", "5ed0fe5d884fef000f5e4fd1")
SOME_APP_ID = "5ed12fa6f112e2000f9f93f7"  # the recorded "some-example-app"


class World:
    """The simulator, a client, and the ids we map the recorded ones to."""

    def __init__(self):
        self.sim = make_sim()
        self.client = ScalingoClient(DEFAULT_TOKEN, auth_url=self.sim.url, **FAST)
        self.sim.control("add_app", {"name": "some-example-app", "status": "new"})
        self.sim.world.add_user("user@example.com", "leo", "example-secret")
        self.app_id = self.sim.world.find_app(APP)["id"]
        self.some_id = self.sim.world.find_app("some-example-app")["id"]
        self.ids: dict[str, str] = {}

    def substitute(self, text: str) -> str:
        for recorded in RECORDED_APP_IDS:
            text = text.replace(recorded, self.app_id)
        text = text.replace(SOME_APP_ID, self.some_id).replace("/apps/example-app/", f"/apps/{APP}/")
        for recorded, ours in self.ids.items():
            text = text.replace(recorded, ours)
        return text


def _expect(error_type, call):
    with pytest.raises(error_type):
        call()


def _remember(world, recorded: str, ours: str):
    world.ids[recorded] = ours


def _plans(world):
    providers = {p.id: p for p in wire.addon_providers(world.client)}
    plans = {p.name: p.id for p in providers["postgresql"].plans}
    _remember(world, "5d1e03873e6b3b000eefa827", plans["postgresql-sandbox"])
    _remember(world, "5d1e03af3e6b3b000eefa82a", plans["postgresql-starter-512"])


def _deploy_then_list(world):
    deployment = wire.deploy(world.client, world.app_id, "https://example.test/src.tar.gz")
    _remember(world, "cabf82f2-1cb1-46d4-b09e-bfb6fe09bc18", deployment.id)
    assert deployment.id in [d.id for d in world.client.deployments(APP).items]


def _rename_back_then_delete(world):
    wire.rename_app(world.client, world.some_id, "some-example-app", current_name="other-example-app")
    wire.delete_app(world.client, world.some_id, current_name="some-example-app")


def _scale_and_wait(world):
    result = world.client.scale(APP, [{"name": "web", "amount": 3}])
    wire.finished_operation(world.client, result.operation_url)


def _restart_and_wait(world):
    location = world.client.restart(APP, ["web"])
    operation = wire.finished_operation(world.client, location)
    _remember(world, "5ed11f2c884fef000f5e502e", operation.id)


def _create_variable(world):
    _remember(world, "5ed10d74f112e2000f9f93d8", wire.create_variable(world.client, world.app_id, "name", "value").id)


def _bulk_delete(world):
    ids = [v.id for v in world.client.variables(world.app_id) if v.name.startswith("name") and v.name != "name"]
    for recorded, ours in zip(["5ed10d75f112e2000f9f93db", "5ed10d75f112e2000f9f93dc", "5ed10d75f112e2000f9f93dd",
                               "5ed10d75f112e2000f9f93de"], ids):
        _remember(world, recorded, ours)
    wire.delete_variables(world.client, world.app_id, ids)


def _provision(world):
    addon = wire.provision_addon(world.client, world.app_id, "postgresql", world.ids["5d1e03873e6b3b000eefa827"])
    _remember(world, "ad-6733873b-1628-4b8e-8e74-c30f1c3f3b63", addon.id)


def _payment_required(world):
    world.sim.control("payment_required", {"on": True})
    try:
        _expect(errors.VendorForbids, lambda: wire.create_app(world.client, "my-new-app"))
    finally:
        world.sim.control("payment_required", {"on": False})


CASES = [  # in order: later cases use what earlier ones created
    ("auth.regions.list.200", lambda w: w.client.regions()),
    ("auth.users.self.200", lambda w: w.client.whoami()),
    ("apps.list.200", lambda w: w.client.apps()),
    ("apps.show.200", lambda w: w.client.app(w.some_id)),
    ("apps.show.404", lambda w: _expect(errors.NotFound, lambda: w.client.app("wrong-id"))),
    ("errors.404.app", lambda w: _expect(errors.NotFound, lambda: w.client.app("123"))),
    ("apps.create.422", lambda w: _expect(errors.InvalidRequest, lambda: wire.create_app(w.client, "wrong---"))),
    ("apps.create.422.invalid_name", lambda w: _expect(errors.InvalidRequest,
                                                       lambda: wire.create_app(w.client, "AnotherApp"))),
    ("apps.create.402", _payment_required),
    ("apps.update.200", lambda w: wire.update_app(w.client, w.some_id, force_https=True)),
    ("apps.update.404.stack", lambda w: _expect(errors.NotFound,
                                                lambda: wire.update_app(w.client, w.some_id,
                                                                        stack_id="stack-not-found"))),
    ("apps.rename.422", lambda w: _expect(errors.InvalidRequest, lambda: wire.rename_app(
        w.client, w.some_id, "some-example-app--", current_name="some-example-app"))),
    ("apps.rename.200", lambda w: wire.rename_app(w.client, w.some_id, "other-example-app",
                                                  current_name="some-example-app")),
    ("apps.create.201.dry_run", lambda w: wire.create_app(w.client, "some-example-app", dry_run=True)),
    ("apps.destroy.422", lambda w: _expect(errors.InvalidRequest, lambda: wire.delete_app(
        w.client, w.some_id, current_name="some-example-app-wrong"))),
    ("containers.types.200", lambda w: w.client.formation(APP)),
    ("containers.scale.422", lambda w: _expect(errors.InvalidRequest,
                                               lambda: w.client.scale(APP, [{"name": "web", "amount": 11}]))),
    ("containers.scale.202", _scale_and_wait),
    ("containers.restart.422", lambda w: _expect(errors.InvalidRequest, lambda: w.client.restart(APP, ["wrong"]))),
    ("containers.restart.202", _restart_and_wait),
    ("operations.show.200", lambda w: w.client.operation(APP, w.ids["5ed11f2c884fef000f5e502e"])),
    ("operations.show.404", lambda w: _expect(errors.NotFound, lambda: w.client.operation(APP, "not-found"))),
    ("containers.ps.200", lambda w: w.client.ps(APP)),
    ("container_sizes.list.200", lambda w: wire.container_sizes(w.client)),
    ("stats.realtime.200", lambda w: w.client.stats(APP)),
    ("metrics.cpu.web.200", lambda w: w.client.cpu(APP, "web")),
    ("metrics.cpu.400", lambda w: _expect(errors.InvalidRequest, lambda: w.client.metric(APP, "cpu"))),
    ("metrics.router.404", lambda w: w.client.router(APP)),
    ("events.app.200", lambda w: w.client.events(APP)),
    ("events.user.200", lambda w: w.client.events()),
    ("deployments.create.200", lambda w: wire.deploy(w.client, APP, "https://github.com/Scalingo/sample-go-martini/"
                                                                    "archive/master.tar.gz", git_ref="v0.0.2")),
    ("deployments.list.200", _deploy_then_list),
    ("deployments.show.200", lambda w: wire.deployment(w.client, APP, w.ids["cabf82f2-1cb1-46d4-b09e-bfb6fe09bc18"])),
    ("deployments.show.404", lambda w: _expect(errors.NotFound, lambda: wire.deployment(w.client, APP, "not-found"))),
    ("deployments.output.200", lambda w: w.client.deployment_output(
        APP, w.ids["cabf82f2-1cb1-46d4-b09e-bfb6fe09bc18"])),
    ("logs.url.200", lambda w: w.client.logs_url(w.some_id)),
    ("logs.dump.n2.200", lambda w: w.client.logs(w.app_id, n=2)),
    ("logs.dump.docs", lambda w: w.client.logs(APP, n=10)),
    ("variables.create_201", _create_variable),
    ("variables.for_200", lambda w: w.client.variables(w.app_id)),
    ("variables.bulk_update_200", lambda w: w.client.set_variables(
        w.app_id, {"name1": "value1", "name2": "value2", "name3": "value3", "name4": "value4"})),
    ("variables.update_200", lambda w: wire.update_variable(w.client, w.app_id, w.ids["5ed10d74f112e2000f9f93d8"],
                                                            "newvalue")),
    ("variables.update_404", lambda w: _expect(errors.NotFound, lambda: wire.update_variable(
        w.client, w.app_id, "not-found", "newvalue"))),
    ("variables.destroy_204", lambda w: w.client.delete_variable(w.app_id, w.ids["5ed10d74f112e2000f9f93d8"])),
    ("variables.destroy_404", lambda w: _expect(errors.NotFound, lambda: w.client.delete_variable(w.app_id,
                                                                                                  "not-found"))),
    ("variables.bulk_destroy_204", _bulk_delete),
    ("addons.providers_guest", _plans),
    ("addons.provision_400", lambda w: _expect(errors.InvalidRequest,
                                               lambda: wire.provision_addon(w.client, w.app_id, "postgresql", ""))),
    ("addons.provision_201", _provision),
    ("addons.for_200", lambda w: w.client.addons(w.app_id)),
    ("addons.find_200", lambda w: wire.addon(w.client, w.app_id, w.ids["ad-6733873b-1628-4b8e-8e74-c30f1c3f3b63"])),
    ("addons.find_404", lambda w: _expect(errors.NotFound, lambda: wire.addon(w.client, w.app_id, "wrong-addon-id"))),
    ("addons.update_200", lambda w: wire.upgrade_addon(
        w.client, w.app_id, w.ids["ad-6733873b-1628-4b8e-8e74-c30f1c3f3b63"], w.ids["5d1e03af3e6b3b000eefa82a"])),
    ("addons.update_404", lambda w: _expect(errors.NotFound, lambda: wire.upgrade_addon(
        w.client, w.app_id, w.ids["ad-6733873b-1628-4b8e-8e74-c30f1c3f3b63"], "wrong-plan-id"))),
    ("addons.destroy_204", lambda w: wire.delete_addon(w.client, w.app_id,
                                                       w.ids["ad-6733873b-1628-4b8e-8e74-c30f1c3f3b63"])),
    ("domains.create.201", lambda w: wire.add_domain(w.client, w.app_id, "somedomain.scalingo.com")),
    ("domains.list.200", lambda w: w.client.domains(APP)),
    ("collaborators.invite.201", lambda w: wire.invite_collaborator(w.client, w.app_id,
                                                                    "collaborator@null.scalingo.com")),
    ("collaborators.list.200", lambda w: w.client.collaborators(w.app_id)),
    ("apps.destroy.204", _rename_back_then_delete),
    ("apps.create.201", lambda w: wire.create_app(w.client, "some-example-app")),
]


def test_requests_match_recordings(examples):
    """One test walks the cases in order (later ones use what earlier ones made), so it
    stays correct under pytest-xdist; it reports every case that failed, not just the first."""
    world = World()
    failures = []
    try:
        for example_id, call in CASES:
            try:
                check_request(world, examples[example_id], call)
            except Exception as problem:  # noqa: BLE001 - collected and reported below
                failures.append(f"{example_id}: {type(problem).__name__}: {problem}")
    finally:
        world.client.close()
        stop_soon(world.sim)
    assert not failures, "\n".join(failures)


def check_request(world: World, example: dict, call) -> None:
    recorded = example["request"]
    before = len(world.sim.received)
    call(world)
    path = world.substitute(recorded["path"])
    prefix = "/v1"
    if recorded["base"] == "logs":  # the logs host names apps by id (the docs' example shows a name)
        prefix, path = "", path.replace(APP, world.app_id)
    sent = [r for r in list(world.sim.received)[before:] if r.method == recorded["method"] and r.path == prefix + path]
    assert sent, f"no {recorded['method']} {prefix}{path} among {[r.path for r in world.sim.received][before:]}"
    request = sent[-1]
    if recorded["body"] is None:
        assert request.method != "POST" or not request.body or request.body in (b"{}",)
    else:
        assert json.loads(request.body) == json.loads(world.substitute(json.dumps(recorded["body"])))
    for name, value in (recorded.get("query") or {}).items():
        if name == "token":
            assert request.query.get("token"), "the logs URL's token must be passed on"
            continue
        expected = [world.substitute(v) for v in value] if isinstance(value, list) else [world.substitute(value)]
        assert request.query.get(name) == expected, name
    for header, value in recorded["headers"].items():
        if header == "X-Dry-Run":
            assert request.header(header) == value
        if header == "Authorization" and recorded["base"] != "logs":
            assert request.header("Authorization").startswith("Bearer ")


def test_exchange_request_matches_recording(sim, examples):
    recorded = examples["auth.tokens.exchange.200"]["request"]
    with ScalingoClient(DEFAULT_TOKEN, auth_url=sim.url, **FAST) as client:
        client.apps()
    exchange = next(r for r in sim.received if r.path == "/v1" + recorded["path"])
    assert exchange.method == recorded["method"] and exchange.body == b""
    assert exchange.header("Authorization") == httpx.BasicAuth("", DEFAULT_TOKEN)._auth_header
    assert exchange.header("Content-Length") in (None, "0")


def test_legacy_sign_in_matches_recording(sim, examples):
    recorded = examples["legacy.users.sign_in.201"]
    sim.world.add_user("user@example.com", "leo", "example-secret")
    answer = httpx.post(sim.url + "/v1/users/sign_in", json=recorded["request"]["body"])
    sign_in = next(r for r in sim.received if r.path == "/v1/users/sign_in")
    assert sign_in.method == "POST" and json.loads(sign_in.body) == recorded["request"]["body"]
    assert answer.status_code == recorded["response"]["status"] and answer.json()["authentication_token"]
