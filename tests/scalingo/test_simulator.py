"""The simulator on the wire, checked with plain httpx (not our client) against the reference."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from tests.harness.waiting import wait_for
from tests.scalingo.scalingo_helpers import APP, make_sim, stop_soon

from vendors.scalingo.simulator import DEFAULT_TOKEN, PARTNER_TOKEN, ScalingoSimulator

REPO = Path(__file__).resolve().parents[2]


def bearer(url: str, token: str = DEFAULT_TOKEN) -> dict:
    answer = httpx.post(url + "/v1/tokens/exchange", auth=("", token))
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


@pytest.fixture
def http(sim):
    with httpx.Client(base_url=sim.url, headers=bearer(sim.url)) as client:
        yield client


def claims(jwt: str) -> dict:
    part = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# -- auth ------------------------------------------------------------------------------------------
def test_exchange_issues_an_hour_long_jwt(sim):
    jwt = bearer(sim.url)["Authorization"][7:]
    header = json.loads(base64.urlsafe_b64decode(jwt.split(".")[0] + "=="))
    body = claims(jwt)
    assert header["alg"] == "HS512" and body["iss"] == "Scalingo" and body["uuid"].startswith("us-")
    assert body["exp"] - body["iat"] == 3600
    wrong = httpx.post(sim.url + "/v1/tokens/exchange", auth=("", "tk-us-nope"))
    assert (wrong.status_code, wrong.json()) == (401, {"error": "Invalid credentials"})


def test_bearer_checks(sim):
    missing = httpx.get(sim.url + "/v1/apps")
    assert (missing.status_code, missing.json()) == (401, {"error": "authentication required"})
    good = bearer(sim.url)["Authorization"]
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    assert httpx.get(sim.url + "/v1/apps", headers={"Authorization": forged}).json() == {"error": "invalid token"}
    sim.control("expire_tokens", {})
    expired = httpx.get(sim.url + "/v1/apps", headers={"Authorization": good})
    assert (expired.status_code, expired.json()) == (401, {"error": "token expired"})
    sim.control("revoke_token", {"token": DEFAULT_TOKEN})
    assert httpx.post(sim.url + "/v1/tokens/exchange", auth=("", DEFAULT_TOKEN)).status_code == 401


def test_token_lifetime_is_configurable():
    simulator = make_sim(token_lifetime=0)
    try:
        headers = bearer(simulator.url)
        assert claims(headers["Authorization"][7:])["exp"] - claims(headers["Authorization"][7:])["iat"] == 0
        assert httpx.get(simulator.url + "/v1/apps", headers=headers).json() == {"error": "token expired"}
    finally:
        stop_soon(simulator)


def test_legacy_sign_in_and_basic_auth(sim):
    signed = httpx.post(sim.url + "/v1/users/sign_in",
                        json={"user": {"login": "ops@example.com", "password": "simulator-password"}})
    assert signed.status_code == 201 and signed.json()["user"]["email"] == "ops@example.com"
    token = signed.json()["authentication_token"]
    assert httpx.get(sim.url + "/v1/apps", auth=("", token)).status_code == 200
    bad = httpx.post(sim.url + "/v1/users/sign_in", content=b'{"user": {')
    assert bad.status_code == 400 and bad.json()["error"].startswith("There was a problem in the JSON you submitted")


def test_regions_point_back_at_the_simulator(sim, http):
    public = httpx.get(sim.url + "/v1/regions").json()["regions"]
    assert [r["name"] for r in public] == ["osc-fr1"] and public[0]["api"] == sim.url
    regions = {r["name"]: r for r in http.get("/v1/regions").json()["regions"]}
    assert regions["osc-secnum-fr1"]["api"] == sim.url + "/osc-secnum-fr1"
    assert regions["osc-fr1"]["default"] is True
    assert http.get("/v1/users/self").json()["user"]["email"] == "ops@example.com"


# -- conventions ---------------------------------------------------------------------------------
def test_pagination_meta_has_both_previous_keys(sim, http):
    for i in range(5):
        sim.control("event", {"app": APP, "type": "edit_app", "type_data": {"n": i}})
    first = http.get(f"/v1/apps/{APP}/events", params={"per_page": 3}).json()["meta"]["pagination"]
    assert first == {"current_page": 1, "prev_page": None, "previous_page": None, "next_page": 2,
                     "total_pages": 3, "total_count": 7}
    last = http.get(f"/v1/apps/{APP}/events", params={"per_page": 3, "page": 3}).json()
    assert last["meta"]["pagination"]["prev_page"] == last["meta"]["pagination"]["previous_page"] == 2
    assert last["meta"]["pagination"]["next_page"] is None and len(last["events"]) == 1


def test_rate_limit_is_per_token_and_plain_text():
    simulator = make_sim(rate_limit=60)
    try:
        with httpx.Client(base_url=simulator.url, headers=bearer(simulator.url)) as ops:
            answers = [ops.get("/v1/apps").status_code for _ in range(60)]  # + the exchange = 61
            limited = ops.get("/v1/apps")
        assert answers.count(200) == 59 and answers[-1] == 429
        assert limited.status_code == 429 and limited.text == "Retry later"
        assert "Retry-After" not in limited.headers and limited.headers["Content-Type"].startswith("text/plain")
        with httpx.Client(base_url=simulator.url, headers=bearer(simulator.url, PARTNER_TOKEN)) as partner:
            assert partner.get("/v1/apps").status_code == 200
    finally:
        stop_soon(simulator)


def test_errors_name_the_missing_resource(sim, http):
    for path, resource in [("/v1/apps/nope", "app"), (f"/v1/apps/{APP}/operations/nope", "operation"),
                           (f"/v1/apps/{APP}/deployments/nope", "deployment"),
                           (f"/v1/apps/{APP}/addons/nope", "addon"), (f"/v1/apps/{APP}/domains/nope", "domain"),
                           (f"/v1/apps/{APP}/collaborators/nope", "collaborator")]:
        answer = http.get(path)
        assert (answer.status_code, answer.json()) == (404, {"resource": resource, "error": "not found"}), path
    assert http.patch(f"/v1/apps/{APP}/variables/nope", json={"variable": {"value": "x"}}).json()["resource"] == \
        "variable"
    assert http.get(f"/v1/apps/{APP}/stats/cpu").json() == {"error": "'container' should be defined"}


def test_scale_limits(http):
    too_many = http.post(f"/v1/apps/{APP}/scale", json={"containers": [{"name": "web", "amount": 11}]})
    assert too_many.status_code == 422 and too_many.json() == {"errors": {"container-web-amount": [
        "can't scale over 10 containers, contact us at support@scalingo.com if you need more"]}}
    bad_size = http.post(f"/v1/apps/{APP}/scale", json={"containers": [{"name": "web", "amount": 1, "size": "XXL"}]})
    assert bad_size.status_code == 422 and "container-web-size" in bad_size.json()["errors"]
    unknown = http.post(f"/v1/apps/{APP}/scale", json={"containers": [{"name": "worker", "amount": 1}]})
    assert unknown.json() == {"resource": "container_type", "error": "not found"}


def test_restart_runs_an_operation(sim, http):
    answer = http.post(f"/v1/apps/{APP}/restart", json={"scope": ["web"]})
    assert answer.status_code == 202 and answer.content == b""
    assert answer.headers["Content-Type"].startswith("text/plain")
    location = answer.headers["Location"]
    assert location.startswith(f"{sim.url}/v1/apps/{APP}/operations/")
    seen = set()

    def finished():
        operation = http.get(location).json()["operation"]
        seen.add(operation["status"])
        return operation["status"] == "done"
    wait_for(finished)
    assert seen >= {"running", "done"} and http.get(f"/v1/apps/{APP}").json()["app"]["status"] == "running"
    event = http.get(f"/v1/apps/{APP}/events").json()["events"][0]
    assert event["type"] == "restart" and event["type_data"] == {"scope": ["web"], "reason": "user_restart"}
    assert http.post(f"/v1/apps/{APP}/restart", json={"scope": ["wrong"]}).json() == {
        "errors": {"scope": ["'wrong' \u2192 no such process type"]}}


def test_scale_runs_an_operation_and_records_amount_size(sim, http):
    answer = http.post(f"/v1/apps/{APP}/scale", json={"containers": [{"name": "web", "amount": 2, "size": "L"}]})
    assert answer.status_code == 202 and answer.json()["containers"][0] == {
        "name": "web", "command": "", "amount": 2, "size": "L", "app_id": sim.world.find_app(APP)["id"]}
    assert http.get(f"/v1/apps/{APP}").json()["app"]["status"] == "scaling"
    busy = http.post(f"/v1/apps/{APP}/restart")
    assert busy.status_code == 409 and "scaling" in busy.json()["error"]
    wait_for(lambda: http.get(answer.headers["Location"]).json()["operation"]["status"] == "done")
    assert [c["label"] for c in http.get(f"/v1/apps/{APP}/ps").json()["containers"]] == ["web-1", "web-2"]
    event = http.get(f"/v1/apps/{APP}/events").json()["events"][0]
    assert event["type_data"] == {"previous_containers": {"web": "1:S", "clock": "0:M"},
                                  "containers": {"web": "2:L", "clock": "0:M"}}


def test_updates_accept_patch_put_rooted_and_unrooted(http):
    assert http.patch(f"/v1/apps/{APP}", json={"app": {"force_https": True}}).json()["app"]["force_https"] is True
    assert http.put(f"/v1/apps/{APP}", json={"router_logs": True}).json()["app"]["router_logs"] is True
    assert http.put(f"/v1/apps/{APP}", json={"app": {"sticky_session": True}}).json()["app"]["sticky_session"]


def test_bulk_variable_delete_by_body_or_query(http):
    made = http.put(f"/v1/apps/{APP}/variables", json={"variables": [
        {"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}).json()["variables"]
    assert http.request("DELETE", f"/v1/apps/{APP}/variables",
                        json={"variable_ids": [made[0]["id"]]}).status_code == 204
    assert http.delete(f"/v1/apps/{APP}/variables", params={"variable_ids[]": [made[1]["id"]]}).status_code == 204
    assert http.get(f"/v1/apps/{APP}/variables").json() == {"variables": []}


def test_metrics_are_bare_arrays(http):
    series = http.get(f"/v1/apps/{APP}/stats/memory/web/1", params={"since": 1}).json()
    assert isinstance(series, list) and len(series) == 61 and set(series[0]) == {"time", "value"}
    assert len(http.get(f"/v1/apps/{APP}/stats/router", params={"last": "true"}).json()) == 1


def test_logs_dump_and_event_stream(sim, http):
    url = http.get(f"/v1/apps/{APP}/logs").json()["logs_url"]
    assert url.startswith(f"{sim.url}/apps/") and "token=" in url
    sim.control("log", {"app": APP, "source": "web-1", "lines": ["hello"]})
    dump = httpx.get(url + "&n=1")  # no Authorization: the URL is pre-authenticated
    assert dump.text.endswith("[web-1] hello\r\n") and dump.headers["Content-Type"].startswith("text/plain")
    assert httpx.get(url.split("?")[0] + "?token=wrong").status_code == 401
    threading.Timer(0.05, lambda: sim.control("log", {"app": APP, "source": "web-1", "lines": ["live"]})).start()
    stream = httpx.get(url + "&stream=true&n=0")
    assert stream.headers["Content-Type"] == "text/event-stream"
    frame = json.loads(stream.text.split("data: ", 1)[1].split("\n")[0])
    assert frame["event"] == frame["name"] == "log" and frame["log"].endswith("[web-1] live")
    quiet = httpx.get(url + "&stream=true&n=0")  # nothing new: a ping after stream_seconds
    assert json.loads(quiet.text[6:])["event"] == "ping"


def test_public_catalogues_need_no_auth(sim):
    assert len(httpx.get(sim.url + "/v1/features/container_sizes").json()["container_sizes"]) == 7
    assert httpx.get(sim.url + "/v1/addon_providers").json()["addon_providers"][0]["plans"]


# -- control, demo, bulk --------------------------------------------------------------------------
def test_control_actions_over_http(sim, http):
    crashed = httpx.post(sim.url + "/_sim/crash", json={"app": APP}).json()["app"]
    assert crashed["status"] == "crashed"
    assert {c["state"] for c in http.get(f"/v1/apps/{APP}/ps").json()["containers"]} == {"crashed"}
    assert http.get(f"/v1/apps/{APP}/events").json()["events"][0]["type"] == "crash"
    httpx.post(sim.url + "/_sim/recover", json={"app": APP})
    assert http.get(f"/v1/apps/{APP}").json()["app"]["status"] == "running"
    httpx.post(sim.url + "/_sim/set_app_status", json={"app": APP, "status": "stopped"})
    assert http.get(f"/v1/apps/{APP}").json()["app"]["status"] == "stopped"
    httpx.post(sim.url + "/_sim/add_app", json={"name": "added-by-control", "status": "new"})
    httpx.post(sim.url + "/_sim/remove_app", json={"app": APP})
    assert [a["name"] for a in http.get("/v1/apps").json()["apps"]] == ["added-by-control"]
    assert httpx.post(sim.url + "/_sim/crash", json={"app": "nope"}).status_code == 404
    assert httpx.post(sim.url + "/_sim/what").status_code == 404
    recorded = httpx.get(sim.url + "/_sim/requests").json()["requests"]
    assert recorded[-1]["path"] == "/v1/apps"


def test_demo_world():
    simulator = ScalingoSimulator.demo()
    world = simulator.world
    statuses = [a["status"] for a in world.apps.values()]
    assert len(statuses) >= 30
    assert {"running", "stopped", "crashed", "new", "restarting"} <= set(statuses)
    assert {a["_region"] for a in world.apps.values()} == {"osc-fr1", "osc-secnum-fr1"}
    assert {a["_owner"] for a in world.apps.values()} == {simulator.ops["id"], simulator.partner["id"]}
    for key in ("_addons", "_domains", "_collaborators", "_deployments", "_variables"):
        assert any(a[key] for a in world.apps.values()), key
    assert len(world.events) > 100
    restarting = next(a for a in world.apps.values() if a["status"] == "restarting")
    running = next(a for a in world.apps.values() if a["status"] == "running")
    stats = json.dumps(world.stats_json(running))
    lines = running["_log_seq"]
    for _ in range(3):
        simulator.tick()
    assert restarting["status"] == "running"
    assert json.dumps(world.stats_json(running)) != stats or running["_log_seq"] > lines


def test_bulk_apps_for_benchmarks():
    simulator = ScalingoSimulator(apps=500, rate_limit=None)
    url = simulator.serve()
    try:
        apps = httpx.get(url + "/v1/apps", headers=bearer(url)).json()["apps"]
        assert len(apps) == 375 and all(a["status"] == "running" for a in apps)  # a quarter is in secnum
    finally:
        stop_soon(simulator)


def test_concurrent_scales_are_consistent(sim, http):
    headers = dict(http.headers)
    codes = []
    sim.world.operation_seconds = 3600  # the first operation stays open however slowly the threads start
    start = threading.Barrier(6)

    def scale(amount):
        start.wait()
        answer = httpx.post(f"{sim.url}/v1/apps/{APP}/scale", headers=headers,
                            json={"containers": [{"name": "web", "amount": amount}]})
        codes.append(answer.status_code)
    threads = [threading.Thread(target=scale, args=(n,)) for n in range(2, 8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes.count(202) == 1 and codes.count(409) == 5  # one operation at a time


def test_command_line_demo():
    process = subprocess.Popen([sys.executable, "-m", "vendors.scalingo.simulator", "--port", "0", "--demo"],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        line = process.stdout.readline()
        assert "scalingo simulator listening on http://" in line
        url = line.rsplit(" ", 1)[1].strip()
        apps = httpx.get(url + "/v1/apps", headers=bearer(url), timeout=5).json()["apps"]
        assert len(apps) >= 20
    finally:
        process.terminate()
        process.wait(timeout=5)
