"""Bounded answers (issue 11): every vendor answer is read as a stream, at most CONSOLE_MAX_RESPONSE_MB
(1 MB here); past it the request fails with "answer larger than 1 MB", is not sent again, and what
was read is dropped. Over real HTTP: the simulators' `answer` fault sends a generated body of any
size, with a Content-Length or chunked without one.
"""

from __future__ import annotations

import tracemalloc

import httpx
import pytest
from django.test import Client
from django.urls import reverse
from prometheus_client import REGISTRY

from console.teams.models import Role
from tests.harness.factories import ScalyrConnectionFactory
from tests.scalyr.helpers import READ_LOGS
from tests.testvendor.models import Widget, WidgetConnection
from vendors.core import errors, polling
from vendors.core.http import VendorClient
from vendors.scalyr.simulator import ScalyrSimulator

MB = 1024 * 1024
HOW = pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])


@pytest.fixture(autouse=True)
def cap(settings):
    settings.CONSOLE_MAX_RESPONSE_MB = 1


def huge(size: int, *, chunked: bool, status: int = 200) -> dict:
    """A JSON answer of `size` bytes (it never ends where a reader could stop early and parse it)."""
    return {"status": status, "content_type": "application/json", "body": '{"widgets": [', "size": size,
            "chunked": chunked}


def refused_at_peak(request) -> int:
    """The peak of memory allocated while `request()` is refused as too large."""
    tracemalloc.start()
    try:
        with pytest.raises(errors.ProtocolError, match="answer larger than 1 MB"):
            request()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def too_large_count() -> float:
    return REGISTRY.get_sample_value("console_vendor_http_request_seconds_count",
                                     {"vendor": "vendor", "outcome": "too_large"}) or 0.0


@HOW
@pytest.mark.parametrize("status", [200, 500])
def test_an_answer_over_the_cap_fails_at_once_and_is_not_sent_again(widgets, chunked, status):
    widgets.faults.update(answer=huge(64 * MB, chunked=chunked, status=status))
    served, counted = widgets.requests_served, too_large_count()
    with pytest.raises(errors.ProtocolError) as caught:
        VendorClient(widgets.url, backoff_initial=0.01).request("GET", "/widgets")
    assert str(caught.value) == "vendor sent an answer larger than 1 MB to GET /widgets; it was not read"
    assert widgets.requests_served - served == 1  # a second try would be as large
    assert too_large_count() == counted + 1  # the metric says why, not a status


@HOW
def test_an_answer_up_to_the_cap_is_read_whole(widgets, chunked):
    widgets.faults.update(answer={**huge(MB, chunked=chunked), "content_type": "text/plain"})
    response = VendorClient(widgets.url).request("GET", "/widgets")
    assert len(response.content) == MB and response.content.startswith(b'{"widgets": [{"widgets"')


def test_reading_past_the_cap_never_holds_more_than_the_cap(widgets):
    widgets.faults.update(answer=huge(64 * MB, chunked=True))
    client = VendorClient(widgets.url)
    peak = refused_at_peak(lambda: client.request("GET", "/widgets"))
    assert peak < 2 * MB, f"peak {peak / MB:.1f} MB while refusing a 64 MB answer"


def test_an_answer_nested_deeper_than_python_can_parse_is_refused_not_a_crash(widgets):
    widgets.faults.update(answer={"status": 200, "content_type": "application/json", "body": "[", "size": 200_000})
    with pytest.raises(errors.ProtocolError, match="GET /widgets with a body that is not valid JSON"):
        VendorClient(widgets.url, backoff_initial=0.01, max_attempts=2).request("GET", "/widgets")


@HOW
def test_a_poll_answered_too_large_fails_and_keeps_the_last_good_data(connection, widgets, chunked):
    lease = polling.connection_claim(connection=connection, force=True)
    assert polling.connection_poll(vendor="widgets", pk=connection.pk, lease=lease).status == "ok"
    widgets.faults.update(answer=huge(200 * MB, chunked=chunked))
    lease = polling.connection_claim(connection=connection, force=True)
    assert polling.connection_poll(vendor="widgets", pk=connection.pk, lease=lease).status == "failed"
    polled = WidgetConnection.objects.get(pk=connection.pk)
    assert polled.last_error == "widgets sent an answer larger than 1 MB to GET /widgets; it was not read"
    assert Widget.objects.filter(connection=polled).count() == 2


@pytest.fixture
def scalyr_sim():
    simulator = ScalyrSimulator(read_logs_tokens=READ_LOGS)
    simulator.serve()
    yield simulator
    simulator.stop()


@HOW
def test_a_page_reading_live_says_the_answer_was_too_large(team, members, scalyr_sim, chunked):
    connection = ScalyrConnectionFactory(team=team, base_url=scalyr_sim.url)
    scalyr_sim.faults.update(answer=huge(200 * MB, chunked=chunked))
    web = Client()
    web.force_login(members[Role.OPERATOR])
    page = web.get(reverse("scalyr:explorer", args=[connection.pk]) + "?filter=error&range=1h",
                   HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    assert "answer larger than 1 MB" in page.content.decode()


@pytest.fixture
def gzip_bomb():
    """A real server answering 200 MB of zeros gzipped to about 200 KB, as a hostile sender could."""
    import gzip
    import http.server
    import threading

    body = gzip.compress(bytes(200 * MB), compresslevel=9)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_compressed_answer_is_capped_as_it_is_decoded(gzip_bomb):
    client = VendorClient(gzip_bomb)
    peak = refused_at_peak(lambda: client.request("GET", "/"))
    # httpx alone decodes each 64 KB network read whole: 64 MB of zeros at once
    assert peak < 8 * MB, f"peak {peak / MB:.1f} MB while refusing 200 MB sent as {MB // 5000} KB of gzip"


def test_a_streamed_line_past_its_bound_is_dropped_and_the_stream_goes_on():
    from vendors.core.answers import bounded_lines

    def sent():
        yield b"data: first\r\n"
        for _ in range(64):  # one 4 MB line, never held whole
            yield b"x" * 65536
        yield "\ndata: caf\u00e9".encode()[:-1]  # a character split across two reads
        yield "\u00e9".encode()[-1:] + b"\ndata: last"

    response = httpx.Response(200, content=sent(), request=httpx.Request("GET", "https://vendor.example/logs"))
    tracemalloc.start()
    try:
        lines = list(bounded_lines(response, max_line=MB))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert lines == ["data: first", "data: café", "data: last"]
    assert peak < 4 * MB, f"peak {peak / MB:.1f} MB reading a 4 MB line"
