"""The Scalingo client's errors, retries and decoding against the simulator over real HTTP
(client/base.py), and the dates its records read (client/records.py)."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest
from tests.scalingo import scalingo_wire as wire
from tests.scalingo.scalingo_helpers import APP, FAST, api_requests, make_sim, stop_soon

from vendors.core import errors
from vendors.scalingo.client import ScalingoClient
from vendors.scalingo.client.records import parse_time
from vendors.scalingo.simulator import DEFAULT_TOKEN


# -- errors, retries ---------------------------------------------------------------------------
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
        wire.create_app(client, "my-new-app")
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
        with pytest.raises(errors.RateLimited) as caught:
            client.apps()
    assert caught.value.status == 429
    assert str(caught.value) == "Retry later"  # Scalingo's documented 429 body, plain text


def test_other_plain_text_on_a_429_is_described_not_relayed(sim):
    sim.faults.update(answer={"status": 429, "content_type": "text/plain", "body": "Retry later, CANARY"})
    with ScalingoClient(DEFAULT_TOKEN, auth_url=sim.url, max_attempts=1, **FAST) as client:
        with pytest.raises(errors.RateLimited) as caught:
            client.apps()
    assert str(caught.value) == f"HTTP 429 from {sim.url.removeprefix('http://')} (text/plain, 19 B)"


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
    with pytest.raises(errors.VendorUnavailable) as caught:
        client.apps()
    assert caught.value.status == 500
    assert str(caught.value) == f"HTTP 500 from {sim.url.removeprefix('http://')} (text/plain, 17 B)"


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


# -- dates -------------------------------------------------------------------------------------
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
