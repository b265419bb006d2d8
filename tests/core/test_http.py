"""The shared HTTP client base against a real local server."""

import io
import logging
import time

import httpx
import pytest

from vendors.core import errors
from vendors.core.http import VendorClient
from console.redaction import RedactingFilter
from vendors.core.simulator import Response, Simulator, json_response

SECRET = "s3cr3t-token-for-redaction"


class EchoSimulator(Simulator):
    vendor = "echo"

    def __init__(self):
        super().__init__()
        self.plan: list[Response] = []

    def handle(self, request):
        if self.plan:
            return self.plan.pop(0)
        return json_response({"path": request.path, "auth": request.header("authorization")})


@pytest.fixture(scope="module")
def echo():
    sim = EchoSimulator()
    sim.serve()
    yield sim
    sim.stop()


@pytest.fixture
def sim(echo):
    echo.faults.update()
    echo.plan = []
    echo.requests_served = 0
    return echo


def client(url, **kw):
    options = dict(backoff_initial=0.01, backoff_max=0.05, secrets=[SECRET])
    options.update(kw)
    return VendorClient(url, **options)


def test_5xx_is_retried_until_it_succeeds(sim):
    sim.faults.update(status=503, count=2)
    assert client(sim.url).json(client(sim.url).request("GET", "/ok"))["path"] == "/ok"


def test_5xx_that_persists_becomes_vendor_unavailable(sim):
    sim.faults.update(status=502)
    with pytest.raises(errors.VendorUnavailable):
        client(sim.url, max_attempts=3).request("GET", "/down")
    assert sim.requests_served == 3


def test_429_honours_retry_after(sim):
    sim.plan = [Response(429, "slow down", {"Retry-After": "0.3"})]
    started = time.monotonic()
    client(sim.url).request("GET", "/limited")
    assert time.monotonic() - started >= 0.3


def test_429_that_persists_is_rate_limited_with_the_hint(sim):
    sim.plan = [Response(429, "slow down", {"Retry-After": "0.05"})] * 2
    with pytest.raises(errors.RateLimited) as caught:
        client(sim.url, max_attempts=2).request("GET", "/limited")
    assert caught.value.retry_after == pytest.approx(0.05)


def test_total_retry_time_is_capped(sim):
    sim.faults.update(status=500)
    started = time.monotonic()
    with pytest.raises(errors.VendorUnavailable):
        client(sim.url, max_attempts=100, backoff_initial=0.2, backoff_max=0.2, max_retry_seconds=1).request("GET", "/")
    assert time.monotonic() - started < 3


def test_timeouts_are_retried_then_reported(sim):
    sim.faults.update(timeout=5, count=1)
    response = client(sim.url, timeout=httpx.Timeout(0.3)).request("GET", "/slow")
    assert response.json()["path"] == "/slow"
    sim.faults.update(timeout=5)
    with pytest.raises(errors.VendorUnavailable, match="did not answer in time"):
        client(sim.url, timeout=httpx.Timeout(0.2), max_attempts=2).request("GET", "/slow")
    sim.faults.update()


def test_connection_refused_is_vendor_unavailable():
    with pytest.raises(errors.VendorUnavailable, match="Could not reach"):
        client("http://127.0.0.1:9", max_attempts=2).request("GET", "/")


@pytest.mark.parametrize("status,error", [(401, errors.AuthenticationError), (403, errors.VendorForbids),
                                          (404, errors.NotFound), (409, errors.Conflict),
                                          (422, errors.InvalidRequest)])
def test_client_errors_are_typed_and_not_retried(sim, status, error):
    sim.plan = [Response(status, "vendor says no")]
    with pytest.raises(error) as caught:
        client(sim.url).request("GET", "/x")
    assert sim.requests_served == 1
    # a body outside any documented error shape is described, never relayed (vendors.core.answers)
    assert str(caught.value) == f"HTTP {status} from {sim.url.removeprefix('http://')} (text/plain, 14 B)"


def test_malformed_json_is_a_protocol_error(sim):
    sim.faults.update(malformed=True, count=-1)
    c = client(sim.url)
    with pytest.raises(errors.ProtocolError, match="not valid JSON"):
        c.json(c.request("GET", "/broken"))


def test_a_garbled_answer_to_a_read_is_read_again(sim):
    """A truncated body or a proxy's HTML page is a passing fault, like a 5xx: the read is sent again."""
    sim.faults.update(malformed=True, count=1)
    c = client(sim.url)
    served = sim.requests_served
    assert c.json(c.request("GET", "/ok")) is not None
    assert sim.requests_served == served + 2
    sim.faults.update(malformed=True, count=1)
    with pytest.raises(errors.ProtocolError):  # a write is never sent twice: its garbled answer stands
        c.json(c.request("POST", "/ok", idempotent=False))


def test_a_proxys_html_page_is_read_again_but_mislabelled_data_is_data(sim):
    page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    sim.plan = [Response(200, page, content_type="text/html"),
                Response(200, '{"path": "/ok"}', content_type="text/html")]
    c = client(sim.url)
    assert c.json(c.request("GET", "/ok")) == {"path": "/ok"}
    assert sim.requests_served == 2


def test_secrets_are_redacted_from_errors_and_log_output(sim):
    sim.plan = [Response(400, f"bad token {SECRET}")]
    with pytest.raises(errors.InvalidRequest) as caught:
        client(sim.url).request("GET", "/x")
    assert SECRET not in str(caught.value)

    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactingFilter) for f in h.filters)]
    assert handlers, "the configured log handler must carry the redacting filter"
    stream = io.StringIO()
    previous = handlers[0].setStream(stream)
    try:
        logging.getLogger("test").warning("leaking %s", SECRET)
        try:
            raise RuntimeError(f"exception text with {SECRET}")
        except RuntimeError:
            logging.getLogger("test").exception("failed")
    finally:
        handlers[0].setStream(previous)
    output = stream.getvalue()
    assert SECRET not in output
    assert "[redacted]" in output
