"""The client against the simulator over real HTTP: queries, paging, stats, retries, tokens."""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from vendors.core import errors
from vendors.scalyr.client import REGIONS, MissingToken, ScalyrClient, is_relative, time_param
from vendors.scalyr.client.records import TimeseriesQuery

from .helpers import (ALL_TOKENS, NOW, READ_CONFIG, READ_LOGS, WRITE_CONFIG, WRITE_LOGS, at, control, emit,
                                   make_client)

HOUR = 3600


# -- query -------------------------------------------------------------------------------------
def test_query_returns_events_with_their_session_fields(sim, client):
    emit(sim, {"ts": at(60), "host": "web-1.prod.internal", "severity": 5,
               "attrs": {"message": "GET /cart 500", "status": 500, "uriPath": "/cart"}})
    page = client.query("status == 500", start=NOW - HOUR, end=NOW)
    [event] = page.events
    assert event.timestamp_ns == at(60)
    assert event.timestamp == datetime.fromtimestamp(NOW - 60, tz=timezone.utc)
    assert (event.message, event.severity, event.severity_name) == ("GET /cart 500", 5, "error")
    assert event.attributes == {"status": 500, "uriPath": "/cart"}
    assert event.server_host == "web-1.prod.internal"
    assert event.server["serverIP"] and event.session in page.sessions
    assert page.execution_time_ms is not None and page.continuation_token


def test_relative_times_resolve_against_the_servers_clock(sim, client):
    emit(sim, {"ts": at(30 * 60), "attrs": {"message": "half an hour ago"}},
         {"ts": at(3 * HOUR), "attrs": {"message": "three hours ago"}})
    assert [e.message for e in client.query(start="1h").events] == ["half an hour ago"]
    assert [e.message for e in client.query(start=timedelta(hours=4), end="2h").events] == ["three hours ago"]
    # no times at all: the last 24 hours, tail mode
    assert len(client.query().events) == 2


def test_head_and_tail_pages_are_both_oldest_first(sim, client):
    emit(sim, *({"ts": at(100 - i), "attrs": {"message": f"line {i}"}} for i in range(10)))
    head = client.query(start=NOW - HOUR, end=NOW, max_count=3, page_mode="head")
    tail = client.query(start=NOW - HOUR, end=NOW, max_count=3, page_mode="tail")
    assert [e.message for e in head.events] == ["line 0", "line 1", "line 2"]
    assert [e.message for e in tail.events] == ["line 7", "line 8", "line 9"]


def test_columns_keep_only_listed_fields(sim, client):
    emit(sim, {"ts": at(10), "severity": 4, "attrs": {"message": "slow", "latency": 900, "uriPath": "/x"}})
    [event] = client.query(start="1h", columns=["timestamp", "severity", "latency"]).events
    assert event.timestamp_ns == at(10) and event.severity == 4
    assert event.message is None and event.thread is None
    assert event.attributes == {"latency": 900}


def test_priority_is_validated_by_the_server(sim, client):
    assert client.query(start="1h", priority="high").events == ()
    with pytest.raises(errors.InvalidRequest, match="priority"):
        client.query(start="1h", priority="urgent")


def test_paging_reads_each_event_exactly_once_in_order(sim, client):
    """1,234 matching events (plus noise, and ties on timestamps) read in pages of 100."""
    batch = []
    for i in range(1234):
        ts = at(2 * HOUR) + (i // 3) * 1_000_000  # three events share each timestamp
        batch.append({"ts": ts, "host": f"web-{i % 2 + 1}", "attrs": {"message": f"match {i}", "n": i}})
        if i % 5 == 0:
            batch.append({"ts": ts, "attrs": {"message": f"noise {i}"}})
    emit(sim, *batch)
    pages = list(client.query_pages("match", start=NOW - 3 * HOUR, end=NOW, page_size=100))
    assert [len(p.events) for p in pages] == [100] * 12 + [34]
    seen = [e.attributes["n"] for p in pages for e in p.events]
    assert sorted(seen) == list(range(1234)) and len(set(seen)) == 1234
    keys = [(e.timestamp_ns, e.session) for p in pages for e in p.events]
    assert keys == sorted(keys)
    first_250 = client.query_all("match", start=NOW - 3 * HOUR, end=NOW, page_size=100, limit=250)
    assert [e.attributes["n"] for e in first_250] == seen[:250]


def test_tail_paging_walks_backwards(sim, client):
    emit(sim, *({"ts": at(1000 - i), "attrs": {"message": f"m{i}", "n": i}} for i in range(250)))
    pages = list(client.query_pages(start=NOW - HOUR, end=NOW, page_size=100, page_mode="tail"))
    assert [p.events[0].attributes["n"] for p in pages] == [150, 50, 0]
    newest_first = [e.attributes["n"] for e in client.query_all(start=NOW - HOUR, end=NOW, page_size=100,
                                                                page_mode="tail")]
    assert newest_first == list(range(249, -1, -1))


def test_paging_needs_absolute_times(client):
    with pytest.raises(ValueError, match="absolute"):
        next(client.query_pages(start="24h", end=NOW))


def test_continuation_token_is_bound_to_its_query(sim, client):
    emit(sim, *({"ts": at(100 - i), "attrs": {"message": f"error {i}"}} for i in range(5)))
    first = client.query("error", start=NOW - HOUR, end=NOW, max_count=2)
    with pytest.raises(errors.InvalidRequest, match="does not belong"):
        client.query("other", start=NOW - HOUR, end=NOW, max_count=2, continuation_token=first.continuation_token)
    with pytest.raises(errors.InvalidRequest, match="invalid continuationToken"):
        client.query("error", start=NOW - HOUR, end=NOW, continuation_token="not-a-token")


def test_relative_range_that_drifts_invalidates_the_token(sim, client):
    emit(sim, *({"ts": at(300 - i), "attrs": {"message": "tick"}} for i in range(5)))
    first = client.query("tick", start="10m", max_count=2, page_mode="head")
    control(sim, "advance", {"seconds": 600})
    with pytest.raises(errors.InvalidRequest, match="time range"):
        client.query("tick", start="10m", max_count=2, page_mode="head", continuation_token=first.continuation_token)


# -- numbers ---------------------------------------------------------------------------------
def test_numeric_query_functions(sim, client):
    # bucket 0 ([NOW-40, NOW-20)): latencies 10, 20, 30; bucket 1: nothing
    emit(sim, *({"ts": at(35 - i), "attrs": {"message": "req", "latency": v}} for i, v in enumerate((10, 20, 30))))
    window = {"start": NOW - 40, "end": NOW, "buckets": 2}
    assert client.numeric_query("req", function="count", **window).values == (3, 0)
    assert client.numeric_query("req", **window).values == (3 / 20, 0)  # rate by default
    assert client.numeric_query("req", function="mean(latency)", **window).values == (20, None)
    assert client.numeric_query("req", function="latency", **window).values == (20, None)
    assert client.numeric_query("req", function="min(latency)", **window).values == (10, None)
    assert client.numeric_query("req", function="max(latency)", **window).values == (30, None)
    assert client.numeric_query("req", function="sum(latency)", **window).values == (60, 0)
    assert client.numeric_query("req", function="sumPerSecond(latency)", **window).values == (3, 0)
    assert client.numeric_query("req", function="median(latency)", **window).values == (20, None)
    assert client.numeric_query("req", function="p90(latency)", **window).values == (28, None)
    assert client.numeric_query("req", function="p(latency, 50)", **window).values == (20, None)
    with pytest.raises(errors.InvalidRequest, match="fraction"):
        client.numeric_query("req", function="fraction(status >= 500)", **window)
    with pytest.raises(errors.InvalidRequest, match="unknown function"):
        client.numeric_query("req", function="stddev(latency)", **window)
    with pytest.raises(errors.InvalidRequest, match="buckets"):
        client.numeric_query("req", function="count", start=NOW - 40, buckets=5001)


def test_facet_query_ranks_values_and_keeps_their_type(sim, client):
    emit(sim, *({"ts": at(50 - i), "attrs": {"message": "r", "status": s}} for i, s in
                enumerate([200] * 5 + [404] * 2 + [500])), {"ts": at(5), "attrs": {"message": "no status"}})
    result = client.facet_query("status", start="1h")
    assert [(v.value, v.count) for v in result.values] == [(200, 5), (404, 2), (500, 1)]
    assert result.match_count == 9
    assert len(client.facet_query("status", start="1h", max_count=1).values) == 1
    assert client.facet_query("status", "status >= 400", start="1h").match_count == 3


def test_timeseries_query_batches_and_creates_summaries(sim, client):
    emit(sim, *({"ts": at(50 - i), "severity": 5 if i % 2 else 3, "attrs": {"message": "x", "latency": i}}
                for i in range(10)))
    queries = [TimeseriesQuery(start=NOW - 60, end=NOW, function="count", buckets=2),
               TimeseriesQuery(start=NOW - 60, end=NOW, filter="severity >= 5", function="max(latency)", buckets=2)]
    first = client.timeseries_query(queries)
    assert [s.values for s in first.series] == [(10, 0), (9, None)]
    assert [s.found_existing_series for s in first.series] == [False, False]
    again = client.timeseries_query(queries)
    assert [s.found_existing_series for s in again.series] == [True, True]
    summaries_only = client.timeseries_query([TimeseriesQuery(start=NOW - 60, end=NOW, filter="never seen",
                                                              function="count", buckets=3, only_use_summaries=True)])
    assert summaries_only.series[0].values == (None, None, None)


def test_power_query_table(sim, client):
    emit(sim, *({"ts": at(50 - i), "attrs": {"message": "r", "dataset": "accesslog", "uriPath": p, "status": s}}
                for i, (p, s) in enumerate([("/a", 200), ("/a", 404), ("/b", 200), ("/b", 200), ("/c", 404)])))
    result = client.power_query("dataset = 'accesslog' | group requests = count(), errors = count(status == 404) "
                                "by uriPath | let rate = errors / requests | filter requests > 0 | sort -rate, uriPath "
                                "| limit 2", start="1h")
    assert result.columns == ("uriPath", "requests", "errors", "rate")
    assert result.records() == [{"uriPath": "/c", "requests": 1, "errors": 1, "rate": 1.0},
                                {"uriPath": "/a", "requests": 2, "errors": 1, "rate": 0.5}]
    assert result.matching_events == 5 and result.warnings == ()
    special = client.power_query("r | group n = count() by uriPath | let up = 1 / 0, down = -1 / 0, none = 0 / 0 "
                                 "| columns uriPath, up, down, none | sort uriPath | limit 1", start="1h")
    [(path, up, down, none)] = special.rows
    assert (path, up, down) == ("/a", math.inf, -math.inf) and math.isnan(none)
    with pytest.raises(errors.InvalidRequest, match="'parse' command is not supported"):
        client.power_query("* | parse 'x=$x$'", start="1h")


# -- errors, retries, modes ------------------------------------------------------------------------
@pytest.mark.parametrize("fault", [{"backoff": 2}, {"rate_limit": True, "count": 2}, {"status": 503, "count": 2}])
def test_backoff_429_and_5xx_are_retried(sim, client, fault):
    control(sim, "faults", fault)
    served = sim.requests_served
    assert client.query(start="1h").events == ()
    assert sim.requests_served - served == 3


def test_persistent_backoff_surfaces_as_rate_limited(sim):
    control(sim, "faults", {"backoff": -1})
    with make_client(sim, max_attempts=3) as scalyr:
        with pytest.raises(errors.RateLimited) as caught:
            scalyr.query(start="1h")
    assert caught.value.code == "error/server/backoff" and caught.value.status == 503


def test_timeouts_are_retried(sim):
    control(sim, "faults", {"timeout": 2, "count": 1})
    with make_client(sim, timeout=httpx.Timeout(0.3)) as scalyr:
        assert scalyr.list_files() == ()


def test_malformed_json_is_a_protocol_error(sim, client):
    control(sim, "faults", {"malformed": True, "count": 1})
    with pytest.raises(errors.ProtocolError):
        client.query(start="1h")


@pytest.mark.parametrize("how", ["header", "fault"])
def test_always200_errors_are_understood(sim, how):
    if how == "fault":
        control(sim, "faults", {"always200": True})
    with make_client(sim, always200=how == "header", read_logs_token="not-a-valid-token") as scalyr:
        with pytest.raises(errors.AuthenticationError) as caught:
            scalyr.query(start="1h")
        assert caught.value.status == 401 and caught.value.code == "error/client/noPermission"
        with pytest.raises(errors.InvalidRequest, match="Error parsing filter"):
            make_client(sim, always200=True).query("(", start="1h")


def test_always200_backoff_is_retried(sim):
    control(sim, "faults", {"backoff": 1, "always200": True})
    with make_client(sim, always200=True) as scalyr:
        assert scalyr.query(start="1h").events == ()


def test_tokens_are_checked_per_kind(sim, client):
    assert all(check.ok for check in client.check_all())
    with make_client(sim, read_logs_token="wrong-token-123", read_config_token=None) as scalyr:
        checks = {c.kind: c for c in scalyr.check_all()}
    assert set(checks) == {"read_logs", "write_config"}
    assert not checks["read_logs"].ok and checks["read_logs"].error_kind == "auth"
    assert checks["write_config"].ok
    with pytest.raises(MissingToken):
        client.check("write_logs")  # the shared client holds no Write Logs token
    with make_client(sim, write_logs_token=WRITE_LOGS) as scalyr:
        scalyr.check("write_logs")  # an empty addEvents batch, as the agent's ping
    with make_client(sim, write_logs_token=READ_LOGS) as scalyr:
        assert {c.kind: c.error_kind for c in scalyr.check_all()}["write_logs"] == "auth"
    with pytest.raises(ValueError):
        client.check("write_everything")


def test_bearer_mode_sends_the_token_in_a_header(sim, monkeypatch):
    received = []
    handle = sim.handle

    def recording(request):
        received.append((request.path, request.header("Authorization"), request.json() if request.body else {}))
        return handle(request)

    monkeypatch.setattr(sim, "handle", recording)
    with make_client(sim, bearer=True) as scalyr:
        scalyr.check("read_logs")
        scalyr.list_files()
    assert [(path, authorization) for path, authorization, _ in received] == [
        ("/api/facetQuery", f"Bearer {READ_LOGS}"), ("/api/listFiles", f"Bearer {READ_CONFIG}")]
    assert all("token" not in body for _, _, body in received)  # in the header only, not also in the body


# -- tokens: never sent without need, never in URLs, logs or errors --------------------------------
class Recorder(httpx.HTTPTransport):
    def __init__(self):
        super().__init__()
        self.requests: list[httpx.Request] = []

    def handle_request(self, request):
        self.requests.append(request)
        return super().handle_request(request)


def test_missing_token_raises_before_any_http(sim):
    recorder = Recorder()
    with ScalyrClient(sim.url, transport=recorder) as scalyr:
        for call in (lambda: scalyr.query(), lambda: scalyr.numeric_query(start="1h"),
                     lambda: scalyr.facet_query("x", start="1h"), lambda: scalyr.power_query("x"),
                     lambda: scalyr.timeseries_query([TimeseriesQuery(start="1h")]), scalyr.list_files,
                     lambda: scalyr.get_file("/a"), lambda: scalyr.put_file("/a", "x"), lambda: scalyr.check()):
            with pytest.raises(MissingToken, match="token is configured"):
                call()
    with ScalyrClient(sim.url, transport=recorder, read_config_token=READ_CONFIG) as scalyr:
        with pytest.raises(MissingToken, match="Write Config"):
            scalyr.delete_file("/a")
    assert recorder.requests == []


def test_config_methods_accept_a_write_config_token_alone(sim):
    with ScalyrClient(sim.url, write_config_token=WRITE_CONFIG) as scalyr:
        scalyr.put_file("/a", "x")
        assert scalyr.list_files() == ("/a",)
        with pytest.raises(MissingToken, match="Read Logs"):
            scalyr.query()


def test_tokens_never_in_urls_logs_or_error_texts(sim, caplog):
    caplog.set_level(logging.DEBUG)
    recorder = Recorder()
    control(sim, "faults", {"backoff": 1})
    with make_client(sim, transport=recorder) as scalyr:
        scalyr.query("x", start="1h")
        scalyr.list_files()
        scalyr.put_file("/p", "content")
        scalyr.check_all()
        with pytest.raises(errors.InvalidRequest) as bad:
            scalyr.query("(", start="1h")
    with make_client(sim, read_logs_token="some-unknown-token", transport=recorder) as scalyr:
        with pytest.raises(errors.AuthenticationError) as refused:
            scalyr.query(start="1h")
    texts = [str(bad.value), str(refused.value), repr(scalyr), caplog.text]
    for request in recorder.requests:
        assert request.method == "POST" and request.url.path.startswith("/api/")
        texts += [str(request.url), str(dict(request.headers))]
    for secret in ALL_TOKENS + ("some-unknown-token",):
        for text in texts:
            assert secret not in text
    assert all(b'"token"' in request.content for request in recorder.requests)


def test_a_vendor_message_echoing_the_token_is_redacted():
    def answer(request):
        return httpx.Response(400, json={"status": "error/client/badParam", "message": f"bad token {READ_LOGS}"})

    with ScalyrClient("us", read_logs_token=READ_LOGS, transport=httpx.MockTransport(answer)) as scalyr:
        with pytest.raises(errors.InvalidRequest) as caught:
            scalyr.query()
    assert READ_LOGS not in str(caught.value) and "[redacted]" in str(caught.value)


# -- small pieces --------------------------------------------------------------------------------
def test_regions_and_urls():
    assert ScalyrClient("eu").base_url == REGIONS["eu"] == "https://eu.scalyr.com"
    assert ScalyrClient().base_url == "https://app.scalyr.com"
    assert ScalyrClient("http://127.0.0.1:9/").base_url == "http://127.0.0.1:9"
    with pytest.raises(ValueError):
        ScalyrClient("mars")


def test_time_params():
    when = datetime(2026, 3, 10, 14, 0, tzinfo=timezone.utc)
    assert time_param(when) == int(when.timestamp() * 1000)
    assert time_param(timedelta(hours=2)) == "7200s"
    assert time_param("24h") == "24h" and time_param(1700000000) == 1700000000
    assert is_relative("24h") and is_relative("-30m") and is_relative(timedelta(1))
    assert not is_relative("1700000000") and not is_relative(1700000000) and not is_relative("2026-03-10T09:00:00Z")
    with pytest.raises(ValueError):
        time_param(datetime(2026, 3, 10))


def test_put_file_is_retried_on_5xx_only_with_expected_version(sim, client):
    control(sim, "faults", {"status": 500, "count": 1})
    served = sim.requests_served
    with pytest.raises(errors.VendorUnavailable):
        client.put_file("/x", "1")
    assert sim.requests_served - served == 1
    client.put_file("/y", "1")
    control(sim, "faults", {"status": 500, "count": 1})
    client.put_file("/y", "2", expected_version=1)
    assert client.get_file("/y").content == "2"
    control(sim, "faults", {"backoff": 1})
    client.put_file("/z", "1")  # backoff means "not done": retried even without expectedVersion
    assert client.list_files() == ("/y", "/z")
