"""The recorded exchanges of scalyr_examples.json, from both sides.

The file is a copy of the project's shared vendor-apis/scalyr_examples.json, kept here so
the suite runs from a plain clone.

1. The client sends exactly the recorded request fields for the same call, and parses the
   recorded response (or raises the typed error it stands for).
2. The simulator, fed the recorded request verbatim, answers the recorded HTTP code and a
   body of the recorded shape (keys and JSON types; `status` exactly).
"""

from __future__ import annotations

import gzip
import json
import math
import re
from pathlib import Path

import httpx
import pytest

from vendors.core import errors
from vendors.scalyr.client import ScalyrClient
from vendors.scalyr.client.records import TimeseriesQuery
from vendors.scalyr.simulator import ScalyrSimulator
from vendors.scalyr.simulator.params import Params

FIXTURES = json.loads((Path(__file__).parent / "scalyr_examples.json").read_text())
EXAMPLES = FIXTURES["examples"]
SHAPES = FIXTURES["meta"]["shapes"]
CLIENT_METHODS = {"query", "numericQuery", "facetQuery", "timeseriesQuery", "powerQuery", "listFiles", "getFile",
                  "putFile", "*"}
#: fields a recorded client sends that ours deliberately does not (the server ignores them, scalyr.md §6.4, §6.6)
NOT_SENT = {"timeseriesQuery.cli": "queries[].queryType", "powerQuery.cli": "queryType"}


def exchanges(example: dict) -> list[tuple[dict | None, dict]]:
    if "steps" in example:
        return [(step["request"], step["response"]) for step in example["steps"]]
    return [(example.get("request"), example["response"])]


def http_code(recorded) -> int:
    if isinstance(recorded, int):
        return recorded
    return 500 if str(recorded).startswith("5") else 400  # "4xx", "non-200 (undocumented)", ...


def response_body(response: dict) -> dict | None:
    return response.get("body", response.get("body_example"))


# -- 1. the client --------------------------------------------------------------------------------
def call_client(client: ScalyrClient, method: str, body: dict | None, response: dict):
    """The client call a recorded request stands for; a default call for response-only examples."""
    b = {key: value for key, value in (body or {}).items() if value != ""}
    times = {"start": b.get("startTime"), "end": b.get("endTime")}
    if method in ("query", "*"):
        return client.query(b.get("filter", ""), max_count=b.get("maxCount"), page_mode=b.get("pageMode"),
                            columns=b.get("columns"), priority=b.get("priority"),
                            continuation_token=b.get("continuationToken"), **times)
    if method == "numericQuery":
        return client.numeric_query(b.get("filter", ""), function=b.get("function"), buckets=b.get("buckets"),
                                    priority=b.get("priority"), **times)
    if method == "facetQuery":
        return client.facet_query(b.get("field", "f"), b.get("filter", ""), max_count=b.get("maxCount"),
                                  priority=b.get("priority"), **{**times, "start": times["start"] or "1h"})
    if method == "timeseriesQuery":
        queries = [{k: v for k, v in q.items() if v != ""} for q in b.get("queries", [])] or [
            {"startTime": "1h"} for _ in response_body(response)["results"]]
        return client.timeseries_query([
            TimeseriesQuery(start=q["startTime"], end=q.get("endTime"), filter=q.get("filter", ""),
                            function=q.get("function"), buckets=q.get("buckets", 1), priority=q.get("priority"),
                            create_summaries=q.get("createSummaries", True),
                            only_use_summaries=q.get("onlyUseSummaries", False)) for q in queries])
    if method == "powerQuery":
        return client.power_query(b.get("query", "x"), priority=b.get("priority"), **times)
    if method == "listFiles":
        return client.list_files()
    if method == "getFile":
        return client.get_file(b["path"], expected_version=b.get("expectedVersion"))
    return client.put_file(b["path"], b.get("content"), delete=b.get("deleteFile", False),
                           expected_version=b.get("expectedVersion"))


def without_empty(body: dict) -> dict:
    """A request body with "" (scalyr-tool's "not given") dropped, also inside `queries`."""
    cleaned = {key: value for key, value in body.items() if value != ""}
    if "queries" in cleaned:
        cleaned["queries"] = [without_empty(q) for q in cleaned["queries"]]
    return cleaned


def expected_request_body(example_id: str, body: dict) -> dict:
    expected = without_empty(body)
    if NOT_SENT.get(example_id) == "queryType":
        expected.pop("queryType")
    if NOT_SENT.get(example_id) == "queries[].queryType":
        expected["queries"] = [{k: v for k, v in q.items() if k != "queryType"} for q in expected["queries"]]
    return expected


def expected_error(body: dict):
    status = body.get("status", "")
    for prefix, error in (("success/noSuchFile", errors.NotFound), ("success", None),
                          ("error/client/noPermission", errors.AuthenticationError),
                          ("error/client/versionMismatch", errors.Conflict), ("error/client", errors.InvalidRequest),
                          ("error/server/backoff", errors.RateLimited), ("error/server", errors.VendorUnavailable)):
        if status.startswith(prefix):
            return error
    raise AssertionError(f"unexpected status {status}")


def check_parsed(method: str, body: dict, result) -> None:
    if method == "query":
        matches = body["matches"]
        assert [e.timestamp_ns for e in result.events] == [int(m["timestamp"]) for m in matches]
        assert [e.message for e in result.events] == [m.get("message") for m in matches]
        assert [e.severity for e in result.events] == [m.get("severity") for m in matches]
        assert [e.attributes for e in result.events] == [m.get("attributes", m.get("fields", {})) for m in matches]
        assert [e.server for e in result.events] == [body["sessions"].get(m.get("session"), {}) for m in matches]
        assert result.continuation_token == body.get("continuationToken")
        assert result.execution_time_ms == body["executionTime"]
    elif method == "numericQuery":
        assert result.values == tuple(body["values"]) and result.execution_time_ms == body["executionTime"]
    elif method == "facetQuery":
        assert [(v.value, v.count) for v in result.values] == [(v["value"], v["count"]) for v in body["values"]]
        assert result.match_count == body["matchCount"]
    elif method == "timeseriesQuery":
        assert [s.values for s in result.series] == [tuple(r["values"]) for r in body["results"]]
        assert [s.found_existing_series for s in result.series] == [r["foundExistingSeries"] for r in body["results"]]
        assert result.execution_time_ms == body["executionTime"]
    elif method == "powerQuery":
        specials = {"+infinity": math.inf, "-infinity": -math.inf}
        assert result.columns == tuple(c["name"] for c in body["columns"])
        assert result.matching_events == body["matchingEvents"] and result.warnings == tuple(body["warnings"])
        for row, recorded in zip(result.rows, body["values"], strict=True):
            for cell, raw in zip(row, recorded, strict=True):
                if isinstance(raw, dict) and raw["special"] == "NaN":
                    assert math.isnan(cell)
                else:
                    assert cell == (specials[raw["special"]] if isinstance(raw, dict) else raw)
    elif method == "listFiles":
        assert result == tuple(body["paths"])
    elif method == "getFile":
        assert (result.version, result.content, result.unchanged) == (
            body["version"], body.get("content"), body["status"] == "success/unchanged")
        assert result.mod_date.timestamp() * 1000 == body["modDate"]
    elif method == "putFile":
        assert result is None


# The client only POSTs: the GET-form examples are for the simulator.
CLIENT_CASES = [(example, i) for example in EXAMPLES if example["method"] in CLIENT_METHODS
                for i, (request, _) in enumerate(exchanges(example)) if request is None or request["verb"] == "POST"]


@pytest.mark.parametrize("example, step", CLIENT_CASES,
                         ids=[f"{e['id']}#{i}" if "steps" in e else e["id"] for e, i in CLIENT_CASES])
def test_client_matches_recording(example, step):
    request, response = exchanges(example)[step]
    body = (request or {}).get("body")
    headers = (request or {}).get("headers", {})
    bearer = "Authorization" in headers
    token = headers["Authorization"].split(" ", 1)[1] if bearer else (body or {}).get("token", "READ_LOGS_TOKEN")
    recorded = response_body(response)
    shape_only = recorded is None  # the example records the request and only the response's shape
    if shape_only:
        recorded = {"status": "success"}
    sent = []

    def answer(outgoing: httpx.Request) -> httpx.Response:
        sent.append(outgoing)
        return httpx.Response(http_code(response["http_status"]), json=recorded,
                              headers=response.get("headers", {}))

    with ScalyrClient("us", read_logs_token=token, read_config_token=token, write_config_token=token, bearer=bearer,
                      always200=headers.get("errorStatus") == "always200", transport=httpx.MockTransport(answer),
                      max_attempts=2, backoff_initial=0.001, max_retry_seconds=0.05) as client:
        error = expected_error(recorded)
        if error:
            with pytest.raises(error):
                call_client(client, example["method"], body, response)
        else:
            result = call_client(client, example["method"], body, response)
            if not shape_only:
                check_parsed(example["method"], recorded, result)
    if request is None:
        return
    outgoing = sent[0]
    assert outgoing.method == "POST" and outgoing.url.path.split("/")[-1] == request["path"].split("/")[-1]
    assert outgoing.headers["Content-Type"] == "application/json"
    for name in ("Authorization", "errorStatus"):
        assert outgoing.headers.get(name) == headers.get(name)
    assert without_empty(json.loads(outgoing.content)) == expected_request_body(example["id"], body)


# -- 2. the simulator -------------------------------------------------------------------------
FIXTURE_NOW = 1_700_003_600
FIXTURE_TOKENS = {"read_logs_tokens": ["READ_LOGS_TOKEN", "XXX", "YYY"], "read_config_tokens": ["READ_CONFIG_TOKEN"],
                  "write_config_tokens": ["WRITE_CONFIG_TOKEN"], "write_logs_tokens": ["WRITE_LOGS_TOKEN", "xxx"]}


@pytest.fixture(scope="module")
def fixture_sim():
    simulator = ScalyrSimulator(now=FIXTURE_NOW, **FIXTURE_TOKENS)
    simulator.scopes["xxx"].add("config_read")  # listFiles.docs_response_verbatim uses the addEvents doc's "xxx"
    simulator.serve()
    yield simulator
    simulator.stop()


def seed(simulator: ScalyrSimulator) -> None:
    """The world the recorded requests assume: events in their windows, /dashboards/Foo at version 7."""
    with simulator.lock:
        _seed(simulator)


def _seed(simulator: ScalyrSimulator) -> None:
    simulator.control("reset", {"now": FIXTURE_NOW})
    for i, name in enumerate("ABC"):
        simulator.emit({"message": f"error {name}"}, ts=(1_700_000_001 + i) * 10**9, severity=5, host="web-1")
    access = [("/index.html", 200), ("/index.html", 304), ("/login", 200), ("/old-page", 404), ("/index.html", 500)]
    for i, (path, status) in enumerate(access):
        simulator.emit({"message": f"GET {path} {status}", "dataset": "accesslog", "uriPath": path, "status": status,
                        "bytes": 100 * (i + 1), "latency": 10.0 * (i + 1)},
                       ts=(1_700_000_050 - i * 300) * 10**9, host="host100")
    simulator.emit({"message": "GET /api/orders 503", "status": 503}, ts=1_773_151_500 * 10**9, severity=5,
                   host="web-1")
    for i in range(7):
        simulator.files.put_file(Params({"path": "/dashboards/Foo", "content": f"{{ v: {i} }}"}), 1_700_000_000_000)
    simulator.summaries.by_id["XXX"] = ("", "count")


def send(simulator: ScalyrSimulator, request: dict, continuation: str | None) -> httpx.Response:
    headers = dict(request["headers"])
    if "body_text" in request:
        content = request["body_text"].encode()
    elif "body_before_gzip" in request:
        content = gzip.compress(json.dumps(request["body_before_gzip"]).encode())
    elif request.get("body") is not None:
        body = dict(request["body"])
        if "continuationToken" in body:
            body["continuationToken"] = continuation  # the recorded token is a placeholder
        content = json.dumps(body).encode()
    else:
        content = None
    return httpx.request(request["verb"], simulator.url + request["path"], content=content, headers=headers)


def same_shape(expected, actual, where: str = "body") -> None:
    if expected is None or actual is None:
        return  # null stands where a number is undefined
    if isinstance(expected, str) and expected.startswith("<"):
        return  # a placeholder of meta.shapes ("<number|null> x buckets")
    if isinstance(expected, bool) or isinstance(actual, bool):
        assert isinstance(actual, bool) == isinstance(expected, bool), where
    elif isinstance(expected, (int, float)):
        assert isinstance(actual, (int, float)), f"{where}: {actual!r} is not a number"
    elif isinstance(expected, str):
        assert isinstance(actual, str), f"{where}: {actual!r} is not a string"
    elif isinstance(expected, list):
        assert isinstance(actual, list), where
        if expected and actual:
            same_shape(expected[0], actual[0], where + "[0]")
    elif isinstance(expected, dict):
        assert isinstance(actual, dict), where
        if where.endswith(("sessions", "attributes", "fields")):
            return  # keyed by session id / field name
        optional = {"rateLimit", "message"} | ({"continuationToken"} if not actual.get("matches") else set())
        for key, value in expected.items():
            assert key in actual or key in optional, f"{where}: missing {key!r} in {sorted(actual)}"
            if key in actual:
                same_shape(value, actual[key], f"{where}.{key}")


SIM_CASES = [e for e in EXAMPLES if any(request for request, _ in exchanges(e))]


@pytest.mark.parametrize("example", SIM_CASES, ids=[e["id"] for e in SIM_CASES])
def test_simulator_answers_recorded_request(fixture_sim, example):
    seed(fixture_sim)
    if example["id"] == "error.backoff_429":
        fixture_sim.faults.update(rate_limit=True, count=1)
    continuation = None
    for request, response in exchanges(example):
        answer = send(fixture_sim, request, continuation)
        recorded_code = response.get("http_status")
        if isinstance(recorded_code, int):
            assert answer.status_code == recorded_code, answer.text
        else:
            assert answer.status_code != 200
        body = answer.json()
        continuation = body.get("continuationToken")
        expected = response_body(response)
        if expected is None:
            shape = response["shape"].split(" ")[0]
            expected = SHAPES[shape]
            counted = re.search(r"(\d+) values", response["shape"])  # "numeric_success (60 values)"
            if counted:
                count = int(counted.group(1))
                values = body["values"] if shape == "numeric_success" else body["results"][0]["values"]
                assert len(values) == count
        assert body["status"] == expected["status"], body
        same_shape(expected, body)
