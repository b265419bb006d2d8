"""The Scalingo client against the simulator over real HTTP: auth, regions, pagination,
errors, retries, operations, logs and the resources a dashboard shows."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from tests.harness.waiting import wait_for
from tests.scalingo.scalingo_helpers import APP, FAST, api_requests, exchanges, make_sim, stop_soon

from console import redaction
from vendors.core import errors
from vendors.scalingo.client import OperationTimeout, ScalingoClient
from vendors.scalingo.records import ContainerType, Pagination, parse_time
from vendors.scalingo.simulator import DEFAULT_PASSWORD, DEFAULT_TOKEN, PARTNER_TOKEN


class Clock:
    """A hand-moved clock for the client's token-expiry arithmetic."""

    def __init__(self):
        self.now = datetime.now(timezone.utc).timestamp()

    def __call__(self):
        return self.now


# -- auth ------------------------------------------------------------------------------------------
def test_token_exchanged_once_and_sent_as_bearer(sim, client):
    client.apps()
    client.app(APP)
    client.formation(APP)
    assert exchanges(sim) == 1
    calls = api_requests(sim, "/apps")
    assert calls and all(r.header("Authorization").startswith("Bearer ") for r in calls)
    assert all(r.header("Accept") == "application/json" for r in calls)


def test_bearer_refreshed_five_minutes_before_expiry(sim):
    clock = Clock()
    with ScalingoClient(DEFAULT_TOKEN, auth_url=sim.url, clock=clock, **FAST) as client:
        client.apps()
        clock.now += 3600 - 301  # 301 s left: still good
        client.apps()
        assert exchanges(sim) == 1
        clock.now += 2  # 299 s left: exchange again before asking
        client.apps()
        assert exchanges(sim) == 2
        assert len(api_requests(sim, "/v1/apps")) == 3  # ahead of time: no call was refused and repeated


def test_short_lived_bearer_is_refreshed_ahead_of_each_call():
    simulator = make_sim(token_lifetime=200)  # under the 5-minute margin from the start
    try:
        with ScalingoClient(DEFAULT_TOKEN, auth_url=simulator.url, **FAST) as client:
            client.apps()
            client.apps()
        assert exchanges(simulator) == len(api_requests(simulator)) == 3  # regions, apps, apps
    finally:
        stop_soon(simulator)


def test_expired_bearer_is_refreshed_once_on_401(sim, client):
    client.apps()
    sim.control("expire_tokens", {})  # the cached bearer now answers 401 "token expired"
    assert [a.name for a in client.apps()] == [APP]
    assert exchanges(sim) == 2


def test_refresh_on_401_happens_only_once(sim, client):
    client.apps()
    sim.control("expire_tokens", {"count": 5})
    with pytest.raises(errors.AuthenticationError, match="token expired"):
        client.apps()
    assert exchanges(sim) == 2  # the first exchange, then one refresh, and no loop


def test_one_client_shared_by_threads_refreshes_once(sim, client):
    client.apps()
    sim.control("expire_tokens", {})
    with ThreadPoolExecutor(max_workers=8) as pool:
        apps = list(pool.map(lambda _: client.app(APP).name, range(16)))
    assert apps == [APP] * 16
    assert exchanges(sim) == 2  # every thread saw 401 on the old bearer; one exchange renewed it for all
    assert client.requests_made == len(sim.received)


def test_wrong_api_token_is_not_retried(sim):
    with ScalingoClient("tk-us-wrong-token-000000", auth_url=sim.url, **FAST) as client:
        with pytest.raises(errors.AuthenticationError, match="Invalid credentials") as caught:
            client.apps()
    assert caught.value.status == 401
    assert exchanges(sim) == 1


def test_legacy_sign_in_then_basic_auth(sim):
    client = ScalingoClient.sign_in("ops@example.com", DEFAULT_PASSWORD, api_url=sim.url, **FAST)
    assert [a.name for a in client.apps()] == [APP]
    assert client.whoami().email == "ops@example.com"
    calls = api_requests(sim, "/v1/apps")
    assert calls[-1].header("Authorization").startswith("Basic ")
    assert exchanges(sim) == 0
    with pytest.raises(errors.AuthenticationError):
        ScalingoClient.sign_in("ops@example.com", "wrong-password", api_url=sim.url, **FAST)
    client.close()


def test_legacy_token_with_basic_auth(sim):
    with ScalingoClient(DEFAULT_TOKEN, legacy=True, api_url=sim.url, **FAST) as client:
        assert [a.name for a in client.apps()] == [APP]
    refused = make_sim(legacy_auth=False)
    try:
        with ScalingoClient(DEFAULT_TOKEN, legacy=True, api_url=refused.url, **FAST) as client:
            with pytest.raises(errors.AuthenticationError):
                client.apps()
    finally:
        stop_soon(refused)


def test_check_and_whoami(sim, client):
    user = client.check()
    assert user.email == "ops@example.com" and user.id.startswith("us-")
    assert client.api_url == sim.url


# -- regions -------------------------------------------------------------------------------------
def test_regions_resolve_to_their_own_api(sim):
    sim.control("add_app", {"name": "secure-vault-api", "region": "osc-secnum-fr1"})
    with ScalingoClient(DEFAULT_TOKEN, region="osc-secnum-fr1", auth_url=sim.url, **FAST) as client:
        assert {r.name for r in client.regions()} == {"osc-fr1", "osc-secnum-fr1"}
        assert [a.name for a in client.apps()] == ["secure-vault-api"]
        assert client.api_url == sim.url + "/osc-secnum-fr1"
    with ScalingoClient(DEFAULT_TOKEN, region="agora-fr1", auth_url=sim.url, **FAST) as client:
        with pytest.raises(errors.NotFound, match="agora-fr1"):
            client.apps()


def test_custom_api_url_with_or_without_v1(sim):
    for api_url in (sim.url, sim.url + "/v1", sim.url + "/v1/"):
        with ScalingoClient(DEFAULT_TOKEN, api_url=api_url, auth_url=sim.url + "/v1", **FAST) as client:
            assert [a.name for a in client.apps()] == [APP]
    assert not [r for r in sim.received if r.path == "/v1/regions"]


# -- pagination ------------------------------------------------------------------------------------
def test_iterates_every_page_of_events(sim, client):
    for i in range(23):  # with new_app and its first deployment: 25
        sim.control("event", {"app": APP, "type": "edit_app", "type_data": {"n": i}})
    page = client.events(APP, per_page=10)
    assert page.pagination.next_page == 2 and page.pagination.prev_page is None
    assert page.pagination.total_count == 25
    events = list(client.iter_events(APP, per_page=10))
    assert len(events) == 25 and len({e.id for e in events}) == 25
    assert len(api_requests(sim, "/events")) == 1 + 3
    last = client.events(APP, page=3, per_page=10)
    assert last.pagination.next_page is None and last.pagination.prev_page == 2


def test_iter_events_stops_at_since(sim, client):
    since = datetime.now(timezone.utc) - timedelta(minutes=1)  # the app and its deployment are older
    sim.control("event", {"app": APP, "type": "edit_app"})
    sim.control("event", {"app": APP, "type": "rename_app"})
    recent = list(client.iter_events(APP, since=since))
    assert [e.type for e in recent] == ["rename_app", "edit_app"]
    assert [e.type for e in client.iter_events()][-1] == "new_app"  # the user's feed, all pages


@pytest.mark.parametrize("previous_key", ["prev_page", "previous_page"])
def test_pagination_reads_either_previous_key(previous_key):
    pages = {
        1: {"current_page": 1, previous_key: None, "next_page": 2, "total_pages": 2, "total_count": 3},
        2: {"current_page": 2, previous_key: 1, "next_page": None, "total_pages": 2, "total_count": 3},
    }

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tokens/exchange"):
            return httpx.Response(200, json={"token": "header.e30.signature"})
        page = int(request.url.params.get("page", 1))
        items = [{"id": f"ev{page}{i}", "type": "restart", "created_at": "2020-05-29T13:27:56.095Z"}
                 for i in range(2 if page == 1 else 1)]
        return httpx.Response(200, json={"events": items, "meta": {"pagination": pages[page]}})

    with ScalingoClient("tk-us-mock-token-123", api_url="https://api.test", auth_url="https://auth.test",
                        transport=httpx.MockTransport(answer), **FAST) as client:
        assert client.events("app", page=2).pagination.prev_page == 1
        assert [e.id for e in client.iter_events("app")] == ["ev10", "ev11", "ev20"]


def test_pagination_stops_on_clamped_next_page():
    """go-utils services clamp next_page to the last page instead of null."""
    def answer(request):
        if request.url.path.endswith("/tokens/exchange"):
            return httpx.Response(200, json={"token": "header.e30.signature"})
        meta = {"pagination": {"current_page": 1, "prev_page": 1, "next_page": 1, "total_pages": 1,
                               "total_count": 1, "per_page": 20}}
        return httpx.Response(200, json={"deployments": [{"id": "d1", "status": "success"}], "meta": meta})

    with ScalingoClient("tk-us-mock-token-123", api_url="https://api.test", auth_url="https://auth.test",
                        transport=httpx.MockTransport(answer), **FAST) as client:
        assert [d.id for d in client.iter_deployments("app")] == ["d1"]
    assert Pagination.from_json(None).current_page == 1


# -- errors, retries ---------------------------------------------------------------------------------
def test_vendor_error_shapes_over_http(sim, client):
    with pytest.raises(errors.NotFound) as missing:
        client.app("no-such-app")
    assert str(missing.value) == "app not found" and missing.value.details["resource"] == "app"
    with pytest.raises(errors.InvalidRequest) as too_many:
        client.scale(APP, [{"name": "web", "amount": 11}])
    assert "can't scale over 10 containers, contact us at support@scalingo.com" in str(too_many.value)
    assert too_many.value.status == 422
    assert too_many.value.details == {"container-web-amount": [
        "can't scale over 10 containers, contact us at support@scalingo.com if you need more"]}
    with pytest.raises(errors.InvalidRequest, match="'XXXL' is not a valid container size") as bad_size:
        client.scale(APP, [{"name": "web", "amount": 2, "size": "XXXL"}])
    assert "container-web-size" in bad_size.value.details
    with pytest.raises(errors.NotFound) as no_type:
        client.scale(APP, [{"name": "worker", "amount": 1}])
    assert no_type.value.details["resource"] == "container_type"
    with pytest.raises(errors.InvalidRequest, match="'container' should be defined"):
        client.metric(APP, "cpu")
    with pytest.raises(errors.InvalidRequest, match="no such process type"):
        client.restart(APP, ["wrong"])
    sim.control("payment_required", {"on": True})
    with pytest.raises(errors.VendorForbids, match="verify your account") as payment:
        client.create_app("my-new-app")
    assert payment.value.status == 402 and payment.value.details["url"] == "https://my.scalingo.com/apps/billing"


def test_rate_limit_fault_is_retried_with_backoff(sim, client):
    client.apps()
    sim.faults.update(rate_limit=True, count=2)
    assert [a.name for a in client.apps()] == [APP]
    assert len(api_requests(sim, "/v1/apps")) == 1 + 3


def test_rate_limit_exhausted_raises_rate_limited(sim):
    with ScalingoClient(DEFAULT_TOKEN, auth_url=sim.url, max_attempts=2, **FAST) as client:
        client.apps()
        sim.faults.update(rate_limit=True)
        with pytest.raises(errors.RateLimited, match="Retry later") as caught:
            client.apps()
    assert caught.value.status == 429


def test_the_60_per_minute_limit_is_waited_out():
    simulator = make_sim(rate_limit=4, rate_window=0.3)
    try:
        with ScalingoClient(DEFAULT_TOKEN, auth_url=simulator.url, max_attempts=12, **FAST) as client:
            for _ in range(6):
                client.apps()
            assert client.requests_made > 7  # some answers were 429 and were tried again
        assert client.requests_made == len(simulator.received)
    finally:
        stop_soon(simulator)


def test_server_errors_are_retried_then_reported(sim, client):
    client.apps()
    sim.faults.update(status=503, count=2)
    assert client.apps()
    sim.faults.update(status=500)
    with pytest.raises(errors.VendorUnavailable, match="simulated failure") as caught:
        client.apps()
    assert caught.value.status == 500


def test_malformed_json_is_a_protocol_error(sim, client):
    client.apps()
    sim.faults.update(malformed=True, count=-1)
    with pytest.raises(errors.ProtocolError, match="not valid JSON"):
        client.apps()
    sim.faults.update(malformed=True, count=1)  # once: read again
    assert client.apps()


def test_unrooted_answer_is_a_protocol_error():
    def answer(request):
        if request.url.path.endswith("/tokens/exchange"):
            return httpx.Response(200, json={"token": "header.e30.signature"})
        return httpx.Response(200, json=[{"id": "x"}])

    with ScalingoClient("tk-us-mock-token-123", api_url="https://api.test", auth_url="https://auth.test",
                        transport=httpx.MockTransport(answer), **FAST) as client:
        with pytest.raises(errors.ProtocolError, match="'apps'"):
            client.apps()


def test_timeout_is_vendor_unavailable(sim):
    with ScalingoClient(DEFAULT_TOKEN, auth_url=sim.url, timeout=httpx.Timeout(0.2), max_attempts=2,
                        **FAST) as client:
        client.apps()
        sim.faults.update(timeout=1.0, count=2)
        with pytest.raises(errors.VendorUnavailable, match="did not answer in time"):
            client.apps()


def test_requests_are_counted(sim, client):
    client.apps()
    client.app(APP)
    client.stats(APP)
    assert client.requests_made == len(sim.received) == 5  # exchange, regions, 3 calls


# -- operations ------------------------------------------------------------------------------------
def test_scale_is_followed_to_done(sim, client):
    result = client.scale(APP, [ContainerType("web", 3, "M")])
    assert result.operation_url.startswith(sim.url + f"/v1/apps/{APP}/operations/")
    assert {c.name: (c.amount, c.size) for c in result.formation} == {"web": (3, "M"), "clock": (0, "M")}
    assert client.app(APP).status == "scaling"
    operation = client.wait_operation(result.operation_url, poll_interval=0.01, timeout=5)
    assert operation.status == "done" and operation.type == "scale" and operation.finished_at
    assert client.app(APP).status == "running"
    assert [(c.label, c.state, c.size) for c in client.ps(APP)] == [
        ("web-1", "running", "M"), ("web-2", "running", "M"), ("web-3", "running", "M")]
    scale = next(client.iter_events(APP))
    assert scale.type == "scale" and scale.formation_change["web"] == ("1:S", "3:M")


def test_scale_refused_while_busy(sim, client):
    client.scale(APP, [("web", 2)])
    with pytest.raises(errors.Conflict, match="scaling"):
        client.restart(APP)


def test_scale_before_first_deployment_has_no_operation(sim, client):
    sim.control("add_app", {"name": "never-deployed", "status": "new"})
    result = client.scale("never-deployed", [("web", 2)])
    assert result.operation_url is None and result.formation[0].amount == 2


def test_restart_is_followed_to_done(sim, client):
    location = client.restart(APP, ["web"])
    assert client.app(APP).status == "restarting"
    operation = client.wait_operation(location, poll_interval=0.01, timeout=5)
    assert (operation.status, operation.type) == ("done", "restart")
    event = next(client.iter_events(APP))
    assert event.type == "restart" and event.type_data == {"scope": ["web"], "reason": "user_restart"}


def test_failed_operation_is_returned_with_its_error(sim, client):
    sim.control("fail_operations", {"count": 1})
    operation = client.wait_operation(client.restart(APP), poll_interval=0.01, timeout=5)
    assert operation.status == "error" and "failed to restart" in operation.error


def test_operation_deadline(sim):
    slow = make_sim(operation_seconds=60)
    try:
        with ScalingoClient(DEFAULT_TOKEN, auth_url=slow.url, **FAST) as client:
            location = client.restart(APP)
            with pytest.raises(OperationTimeout, match="still pending"):
                client.wait_operation(location, poll_interval=0.01, timeout=0.05)
    finally:
        stop_soon(slow)


def test_foreign_operation_location_is_asked_of_our_own_host(sim, client):
    location = client.restart(APP)
    foreign = "https://elsewhere.example" + location[len(sim.url):]
    assert client.operation_at(foreign).type == "restart"
    with pytest.raises(errors.ProtocolError):
        client.operation_at("https://elsewhere.example/nothing")


def test_crash_is_visible_to_the_client(sim, client):
    sim.control("crash", {"app": APP})
    assert client.app(APP).status == "crashed"
    assert {c.state for c in client.ps(APP)} == {"crashed"}
    crash = next(client.iter_events(APP))
    assert crash.type == "crash" and crash.type_data["container_type"] == "web"
    sim.control("recover", {"app": APP})
    assert client.app(APP).status == "running"


# -- stats, metrics, deployments --------------------------------------------------------------------
def test_stats_and_series_move(sim, client):
    before = client.stats(APP)
    assert [s.id for s in before] == ["web-1"] and before[0].memory_limit == 268435456
    for _ in range(5):
        sim.tick()
    assert client.stats(APP) != before
    series = client.cpu(APP, "web", since_hours=1)
    assert len(series) == 61 and series[0].value is None and series[-1].time.tzinfo is not None
    assert len(client.memory(APP, "web", last=True)) == 1
    assert client.router(APP, status_code="5XX")[-1].value is not None
    sim.control("add_app", {"name": "brand-new-app", "status": "new"})
    assert client.router("brand-new-app") == []  # 404 "no metrics found" means no data yet
    with pytest.raises(errors.NotFound):
        client.cpu("no-such-app", "web")


def test_deployment_followed_to_success_with_output(sim, client):
    deployment = client.deploy(APP, "https://example.test/archive.tar.gz", git_ref="v2")
    assert not deployment.finished and deployment.git_ref == "v2"
    done = wait_for(lambda: (d := client.deployment(APP, deployment.id)).finished and d)
    assert done.status == "success" and done.output_url.endswith(f"/deployments/{deployment.id}/output")
    output = client.deployment_output(APP, deployment.id)
    assert "<-- Start deployment of example-running-application -->" in output
    page = client.deployments(APP, per_page=1)
    assert page.items[0].id == deployment.id and page.pagination.total_count == 2
    assert [d.id for d in client.iter_deployments(APP, per_page=1)][0] == deployment.id


# -- logs ---------------------------------------------------------------------------------------------
def test_logs_dump_and_filter(sim, client):
    sim.control("log", {"app": APP, "source": "web-1", "lines": ["GET / 200", "GET /health 200"]})
    sim.control("log", {"app": APP, "source": "worker-1", "lines": ["job done"]})
    lines = client.logs(APP, n=2)
    assert [(l.source, l.message) for l in lines] == [("web-1", "GET /health 200"), ("worker-1", "job done")]
    assert lines[0].time.tzinfo is not None
    assert [l.message for l in client.logs(APP, n=10, filter="worker")] == ["job done"]
    sim.control("add_app", {"name": "silent-app", "status": "new"})
    assert client.logs("silent-app") == []  # 204: no logs yet


def test_tail_follows_new_lines(sim, client):
    sim.control("log", {"app": APP, "source": "web-1", "lines": ["before"]})
    stop = threading.Event()
    seen = []

    def writer():
        wait_for(lambda: seen)  # the dump has been read
        for i in range(3):
            sim.control("log", {"app": APP, "source": "web-1", "lines": [f"live {i}"]})

    thread = threading.Thread(target=writer)
    thread.start()
    for line in client.tail_logs(APP, n=1, stop=stop, timeout=10):
        seen.append(line.message)
        if line.message == "live 2":
            break
    thread.join()
    assert seen == ["before", "live 0", "live 1", "live 2"]


def test_tail_gets_a_new_url_when_its_token_expires(sim, client):
    sim.control("log", {"app": APP, "source": "web-1", "lines": ["first"]})
    tail = client.tail_logs(APP, n=1, timeout=10)
    assert next(tail).message == "first"
    sim.log_tokens.clear()  # the logs URL's token is no longer accepted
    sim.control("log", {"app": APP, "source": "web-1", "lines": ["second", "third"]})
    assert [next(tail).message, next(tail).message] == ["second", "third"]  # caught up, nothing twice
    tail.close()
    assert len(api_requests(sim, "/logs")) >= 4  # URL, dump, refused stream, new URL, catch-up


# -- variables, addons, domains, collaborators --------------------------------------------------------
def test_variables_crud_and_bulk(sim, client):
    created = client.create_variable(APP, "DATABASE_URL", "postgres://db")
    alias = client.create_variable(APP, "DB", "$DATABASE_URL")
    assert {v.name: v.value for v in client.variables(APP, aliases=False)}["DB"] == "postgres://db"
    assert client.update_variable(APP, created.id, "postgres://other").value == "postgres://other"
    client.set_variables(APP, {"A": "1", "B": "2"})
    assert {v.name for v in client.variables(APP)} == {"DATABASE_URL", "DB", "A", "B"}
    client.delete_variable(APP, alias.id)
    client.delete_variables(APP, [v.id for v in client.variables(APP) if v.name in ("A", "B")])
    assert [v.name for v in client.variables(APP)] == ["DATABASE_URL"]
    with pytest.raises(errors.InvalidRequest) as blank:
        client.create_variable(APP, "", "")
    assert blank.value.details == {"name": ["can't be blank", "must start with a letter"], "value": ["can't be blank"]}


def test_addons_domains_collaborators(sim, client):
    provider = next(p for p in client.addon_providers() if p.id == "redis")
    addon = client.provision_addon(APP, "redis", provider.plans[0].id)
    assert addon.status == "provisioning" and addon.logo_url.startswith("https://")
    assert wait_for(lambda: client.addon(APP, addon.id).status == "running")
    assert client.upgrade_addon(APP, addon.id, provider.plans[1].id).plan_id == provider.plans[1].id
    domain = client.add_domain(APP, "www.example.com", canonical=True)
    assert [d.name for d in client.domains(APP)] == ["www.example.com"] and domain.canonical
    collaborator = client.invite_collaborator(APP, "dev@example.com")
    assert collaborator.status == "pending" and collaborator.username == "n/a"
    assert [c.email for c in client.collaborators(APP)] == ["dev@example.com"]
    client.delete_addon(APP, addon.id)
    client.delete_domain(APP, domain.id)
    client.delete_collaborator(APP, collaborator.id)
    assert client.addons(APP) == [] and client.domains(APP) == [] and client.collaborators(APP) == []
    assert {e.type for e in client.iter_events(APP)} >= {"new_addon", "upgrade_addon", "delete_addon", "new_domain",
                                                         "delete_domain", "new_collaborator", "delete_collaborator"}


def test_other_users_apps_stay_hidden(sim, client):
    sim.control("add_app", {"name": "partner-secret", "owner": "partner@example.com"})
    assert "partner-secret" not in [a.name for a in client.apps()]
    with pytest.raises(errors.NotFound):
        client.app("partner-secret")
    with ScalingoClient(PARTNER_TOKEN, auth_url=sim.url, **FAST) as partner:
        assert [a.name for a in partner.apps()] == ["partner-secret"]


# -- secrets -----------------------------------------------------------------------------------------
def test_tokens_never_reach_errors_or_logs(sim, caplog):
    caplog.set_level(logging.DEBUG)
    texts = []
    with ScalingoClient(DEFAULT_TOKEN, auth_url=sim.url, **FAST) as client:
        client.apps()
        bearer = client._bearer
        url = client.logs_url(APP)
        sim.control("expire_tokens", {"count": 3})
        for call in (client.apps, lambda: client.app("missing"), lambda: client.scale(APP, [("web", 11)])):
            try:
                call()
            except errors.VendorError as exc:
                texts += [str(exc), repr(exc)]
        sim.faults.update(status=500)
        try:
            client.logs(APP)
        except errors.VendorError as exc:
            texts += [str(exc), repr(exc)]
    with ScalingoClient("tk-us-wrong-token-000000", auth_url=sim.url, **FAST) as wrong:
        try:
            wrong.apps()
        except errors.VendorError as exc:
            texts += [str(exc), repr(exc)]
    assert len(texts) >= 8
    token = url.split("token=")[1].split("&")[0]
    for secret in (DEFAULT_TOKEN, bearer, url, token, "tk-us-wrong-token-000000"):
        assert all(secret not in text for text in texts)
        assert secret not in caplog.text
        assert redaction.redact(f"x {secret} y") == f"x {redaction.MASK} y"


# -- dates ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("2020-05-29T15:52:07.096Z", datetime(2020, 5, 29, 15, 52, 7, 96000, tzinfo=timezone.utc)),
    ("2015-01-13T09:20:31.123+01:00", datetime(2015, 1, 13, 8, 20, 31, 123000, tzinfo=timezone.utc)),
    ("2020-05-29T12:23:25.688+00:00", datetime(2020, 5, 29, 12, 23, 25, 688000, tzinfo=timezone.utc)),
    ("2018-03-20T14:56:06.27014439Z", datetime(2018, 3, 20, 14, 56, 6, 270144, tzinfo=timezone.utc)),
    ("2020-05-30T10:36:00Z", datetime(2020, 5, 30, 10, 36, tzinfo=timezone.utc)),
    ("2020-05-29T14:37:22.946268588+0200", datetime(2020, 5, 29, 12, 37, 22, 946268, tzinfo=timezone.utc)),
])
def test_dates_are_read_leniently(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", [None, "", "not a date", "0001-01-01T00:00:00Z", 12])
def test_unreadable_or_zero_dates_are_none(text):
    assert parse_time(text) is None
