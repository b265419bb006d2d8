"""The simulator itself, spoken to with raw HTTP: routing, token kinds, GET forms, control, demo."""

from __future__ import annotations

import gzip
import json
import zlib

import httpx
import pytest

from vendors.scalyr.client import ScalyrClient
from vendors.scalyr.simulator import ScalyrSimulator

from tests.harness.waiting import wait_for

from .helpers import NOW, NS, READ_CONFIG, READ_LOGS, WRITE_CONFIG, WRITE_LOGS, at, control, emit

http = httpx.Client(timeout=10)


def post(sim, path, body=None, **kw):
    return http.post(f"{sim.url}{path}", json=body, **kw)


# (method path, body without token) for every method, with the token kinds it accepts
CALLS = {
    "query": {"queryType": "log", "startTime": "1h"},
    "numericQuery": {"queryType": "numeric", "startTime": "1h"},
    "facetQuery": {"queryType": "facet", "field": "status", "startTime": "1h"},
    "timeseriesQuery": {"queries": [{"startTime": "1h", "function": "count"}]},
    "powerQuery": {"query": "* | group count()"},
    "listFiles": {},
    "getFile": {"path": "/a"},
    "putFile": {"path": "/a", "content": "x"},
    "addEvents": {"session": "s-1", "events": []},
}
ACCEPTED = {
    READ_LOGS: {"query", "numericQuery", "facetQuery", "timeseriesQuery", "powerQuery"},
    READ_CONFIG: {"query", "numericQuery", "facetQuery", "timeseriesQuery", "powerQuery", "listFiles", "getFile"},
    WRITE_CONFIG: {"query", "numericQuery", "facetQuery", "timeseriesQuery", "powerQuery", "listFiles", "getFile",
                   "putFile"},
    WRITE_LOGS: {"addEvents"},
}


@pytest.mark.parametrize("token", list(ACCEPTED))
@pytest.mark.parametrize("method", list(CALLS))
def test_token_kinds_are_enforced(sim, method, token):
    answer = post(sim, f"/api/{method}", {"token": token, **CALLS[method]})
    body = answer.json()
    if method in ACCEPTED[token]:
        assert answer.status_code == 200 and body["status"].startswith("success"), body
    else:
        assert answer.status_code == 401
        assert body["status"] == "error/client/noPermission" and "permission" in body["message"]


@pytest.mark.parametrize("auth", [{}, {"token": "nope-nope"}])
def test_missing_or_unknown_token_is_401(sim, auth):
    answer = post(sim, "/api/facetQuery", {**auth, "queryType": "facet", "field": "x", "startTime": "1h"})
    assert answer.status_code == 401 and answer.json()["status"] == "error/client/noPermission"


def test_token_sources_bearer_body_url(sim):
    assert post(sim, "/api/listFiles", {}, headers={"Authorization": f"Bearer {READ_CONFIG}"}).status_code == 200
    assert http.get(f"{sim.url}/api/query", params={"token": READ_LOGS, "maxCount": "5"}).status_code == 200
    assert post(sim, "/api/listFiles", {}, params={"token": READ_CONFIG}).status_code == 200


def test_root_and_api_paths_are_the_same_method(sim):
    for path in ("/listFiles", "/api/listFiles", "/api/listFiles/"):
        assert post(sim, path, {"token": READ_CONFIG}).json() == {"status": "success", "paths": []}
    assert post(sim, "/api/nothing", {"token": READ_CONFIG}).status_code == 404
    assert http.get(f"{sim.url}/api/listFiles", params={"token": READ_CONFIG}).status_code == 405


def test_get_forms_of_the_query_methods(sim):
    emit(sim, {"ts": at(60), "attrs": {"message": "hello world", "uriPath": "/a", "latency": 5}})
    get = lambda path, **params: http.get(f"{sim.url}{path}", params={"token": READ_LOGS, **params}).json()  # noqa
    assert get("/api/query", queryType="log", maxCount="5", filter="hello world")["matches"][0]["message"] == \
        "hello world"
    assert get("/api/numericQuery", queryType="numeric", startTime="1h", buckets="60")["values"][-59] == 0
    assert len(get("/api/numericQuery", queryType="numeric", startTime="1h", buckets="60")["values"]) == 60
    assert get("/api/facetQuery", queryType="facet", field="uriPath", startTime="1h")["values"] == [
        {"value": "/a", "count": 1}]
    series = get("/api/timeseriesQuery", startTime="2h", endTime="0h", buckets="2", function="mean(latency)")
    assert series["results"][0]["values"] == [None, 5]
    assert get("/api/powerQuery", query="* | group n = count()")["values"] == [[1]]


def test_compressed_bodies(sim):
    body = json.dumps({"token": READ_CONFIG}).encode()
    for encoding, data in (("gzip", gzip.compress(body)), ("deflate", zlib.compress(body))):
        answer = http.post(f"{sim.url}/api/listFiles", content=data,
                           headers={"Content-Encoding": encoding, "Content-Type": "application/json"})
        assert answer.json()["status"] == "success"


def test_request_validation(sim):
    def status(method, **body):
        answer = post(sim, f"/api/{method}", {"token": READ_LOGS, **body})
        return answer.status_code, answer.json()["status"], answer.json().get("message", "")

    assert status("query", queryType="numeric")[:2] == (400, "error/client/badParam")
    assert status("query", maxCount=5001)[0] == 400
    assert status("query", maxCount=0)[0] == 400
    assert status("query", startTime="the day after tomorrow")[2].startswith("could not parse startTime")
    assert status("numericQuery", queryType="numeric", filter="error") == (400, "error/client/badParam",
                                                                          "startTime is required")
    assert "'field'" in status("facetQuery", queryType="facet", startTime="1h")[2]
    assert status("facetQuery", field="x", startTime="1h", maxCount=1001)[0] == 400
    assert status("powerQuery")[2] == "missing required parameter 'query'"
    # the scalyr-tool sends "" for every flag it was not given: absent, not invalid
    assert status("query", queryType="log", filter="", startTime="", endTime="", pageMode="", columns="")[0] == 200
    bad_json = http.post(f"{sim.url}/api/query", content=b"{not json", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()["status"] == "error/client/badParam"


def test_always200_header_echoes_the_status(sim):
    answer = post(sim, "/api/facetQuery", {"token": "BAD_TOKEN", "queryType": "facet", "field": "XYZ",
                                           "startTime": "1h"}, headers={"errorStatus": "always200"})
    assert answer.status_code == 200
    assert answer.json()["status"] == "error/client/noPermission" and answer.json()["__status"] == 401


def test_rate_limit_fault_is_scalyrs_429(sim):
    control(sim, "faults", {"rate_limit": True, "count": 1})
    answer = post(sim, "/api/listFiles", {"token": READ_CONFIG})
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "0"
    assert answer.json()["status"] == "error/server/backoff"
    assert post(sim, "/api/listFiles", {"token": READ_CONFIG}).status_code == 200


def test_ingestion_methods_feed_queries(sim, client):
    add = post(sim, "/addEvents", {"token": WRITE_LOGS, "session": "s-42", "sessionInfo": {"serverHost": "lambda-1"},
                                   "logs": [{"id": "L1", "attrs": {"container": "api"}}],
                                   "events": [{"ts": str(at(5)), "sev": 5, "log": "L1",
                                               "attrs": {"message": "payment failed", "orderId": 42}}]})
    assert add.json()["status"] == "success" and add.json()["bytesCharged"] > 0
    upload = http.post(f"{sim.url}/api/uploadLogs", content=b"line one\r\nline two\n",
                       params={"token": WRITE_LOGS, "host": "batch-1", "logfile": "/x.log", "server-region": "eu"})
    assert upload.json() == {"status": "success"}
    assert post(sim, "/addEvents", {"token": WRITE_LOGS, "threads": []}).status_code == 400
    assert post(sim, "/addEvents", {}).status_code == 401
    [event] = client.query("$serverHost == 'lambda-1'", start="1h").events
    assert (event.severity, event.attributes) == (5, {"container": "api", "orderId": 42})
    lines = client.query("$region == 'eu' $logfile == '/x.log'", start="1h").events
    assert [e.message for e in lines] == ["line one", "line two"]


def test_clock_control_and_generated_stream(sim, client):
    state = control(sim, "set_rate", {"events_per_second": 5})
    assert state["frozen"] and int(state["now"]) == NOW * NS
    control(sim, "advance", {"seconds": 60})
    assert 150 < control(sim, "state")["events"] < 450
    hosts = {v.value for v in client.facet_query("serverHost", start="2m").values}
    assert {"web-1.prod.internal", "api-1.prod.internal"} <= hosts
    assert client.query("status >= 100", start="2m", max_count=1).events[0].attributes["method"] in ("GET", "POST")
    control(sim, "set_clock", {"time": "2027-01-15T09:00:00Z"})
    assert int(control(sim, "state")["now"]) == (NOW + 3600) * NS
    control(sim, "clear")
    assert control(sim, "state")["events"] == 0
    assert http.post(f"{sim.url}/_sim/emit", json={"events": [{"ts": "not a time"}]}).status_code == 400
    assert http.post(f"{sim.url}/_sim/unknown", json={}).status_code == 404


def test_memory_is_bounded():
    simulator = ScalyrSimulator(now=NOW, max_events=1000)
    for i in range(1500):
        simulator.emit({"message": f"m{i}", "n": i}, ts=at(2000 - i))
    assert len(simulator.store) == 1000
    assert simulator.store.events[0].attrs["n"] == 500


def test_demo_streams_events_by_itself():
    simulator = ScalyrSimulator.demo()
    simulator.tick_seconds = 0.05
    tokens = ScalyrSimulator.DEMO_TOKENS
    simulator.serve(auto_tick=True)
    try:
        with ScalyrClient(simulator.url, read_logs_token=tokens["read_logs"],
                          read_config_token=tokens["read_config"]) as scalyr:
            hosts = {v.value for v in scalyr.facet_query("serverHost", start="6h").values}
            assert {"web-1.prod.internal", "web-2.prod.internal", "api-1.prod.internal"} <= hosts
            apps = {v.value: v.count for v in scalyr.facet_query("app", start="6h").values}
            assert set(apps) == {"shop-api", "billing"}
            requests = scalyr.numeric_query("$dataset == 'accesslog'", start="6h", function="count").values[0]
            errors_5xx = scalyr.numeric_query("status >= 500", start="6h", function="count").values[0]
            assert 0.005 < errors_5xx / requests < 0.08  # 2%, and 8% during the recurring incidents
            # An incident is under way when the demo starts: the last 5 minutes are over the demo chart's 20.
            assert scalyr.numeric_query("status >= 500", start="5m", function="count").values[0] > 20
            assert "/dashboards/Shop API" in scalyr.list_files()
            newest = scalyr.query(max_count=1).events[0].timestamp_ns
            wait_for(lambda: scalyr.query(max_count=1).events[0].timestamp_ns > newest)
    finally:
        simulator.stop()
