"""No relayed bodies (issue 11): a vendor's error reaches a person in the vendor's words only when it
comes in that vendor's documented error shape; any other body (a proxy's page, an unknown JSON, a
stranger answering in the vendor's place) is described, "HTTP 404 from 127.0.0.1:PORT (text/html,
3 KB)", and not a word of it reaches a page, an audit row or the connection's last error.

Each vendor's simulator answers over real HTTP, its `answer` fault standing for the stranger.
"""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from console.audit.models import AuditEvent
from console.teams.models import Role
from tests.harness.factories import ScalingoConnectionFactory, ScalrConnectionFactory, ScalyrConnectionFactory
from tests.harness.serving import serving
from tests.scalyr.helpers import READ_CONFIG, READ_LOGS, WRITE_CONFIG
from vendors.core import polling
from vendors.core.http import VendorClient
from vendors.scalingo.simulator import ScalingoSimulator
from vendors.scalr.simulator import ScalrSimulator
from vendors.scalyr.simulator import ScalyrSimulator

CANARY = "CANARY-7f3a-stranger-words"
PAGE = ("<!DOCTYPE html><html><head><title>Not the vendor</title></head><body><h1>" + CANARY + "</h1><p>"
        + "lorem ipsum " * 240 + "</p></body></html>")  # 3 KB
UNKNOWN_JSON = json.dumps({"detail": CANARY, "message": CANARY, "msg": CANARY, "reason": CANARY})
VENDORS = ["scalingo", "scalr-v2", "scalr-v1", "scalyr"]
#: the vendor's words, with what must never pass: an escape, a line break, a page of text
WORDS = "Farm web-prod is gone \x1b[31mfor good\x1b[0m\r\nFAKE LOG LINE " + "x" * 1000


@pytest.fixture(scope="module")
def simulators():
    yield from serving({"scalingo": ScalingoSimulator(rate_limit=None), "scalr": ScalrSimulator.demo(),
                        "scalyr": ScalyrSimulator(read_logs_tokens=READ_LOGS, read_config_tokens=READ_CONFIG,
                                                  write_config_tokens=WRITE_CONFIG)})


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    cache.clear()  # request budgets
    for name, value in (("backoff_initial", 0.01), ("backoff_max", 0.02), ("max_retry_seconds", 2.0)):
        monkeypatch.setattr(VendorClient, name, value)
    yield
    cache.clear()


@pytest.fixture(params=VENDORS)
def vendor(request, simulators, team):
    """(simulator, connection) of one vendor; the simulator's faults are cleared afterwards."""
    name = request.param
    simulator = simulators[name.split("-")[0]]
    if name == "scalingo":
        connection = ScalingoConnectionFactory(team=team, base_url=simulator.url)
    elif name.startswith("scalr"):
        connection = ScalrConnectionFactory(team=team, base_url=simulator.url, api=name[-2:])
    else:
        connection = ScalyrConnectionFactory(team=team, base_url=simulator.url)
    yield simulator, connection
    simulator.faults.update()


def poll(connection):
    lease = polling.connection_claim(connection=connection, force=True)
    polling.connection_poll(vendor=connection.vendor, pk=connection.pk, lease=lease)
    connection.refresh_from_db()
    return connection


def shown(connection, admin) -> list[str]:
    """What people see of a failure: the connection's last error after a poll, the page showing it,
    the answer to "Test connection" and the audit row that test writes."""
    last_error = poll(connection).last_error
    web = Client()
    web.force_login(admin)
    args = [connection.vendor, connection.pk]
    page = web.get(reverse("core:connection-detail", args=args))
    tested = web.post(reverse("core:connection-test", args=args), HTTP_HX_REQUEST="true")
    assert tested.status_code == 200 and page.status_code == 200
    audit = AuditEvent.objects.filter(verb="connection.test").latest("created_at")
    return [last_error, page.content.decode(), tested.content.decode(), audit.message]


@pytest.mark.parametrize("status,body,content_type,described", [
    (404, PAGE, "text/html; charset=utf-8", "text/html, 3 KB"),
    (500, PAGE, "text/html; charset=utf-8", "text/html, 3 KB"),
    (403, PAGE, "text/html; charset=utf-8", "text/html, 3 KB"),
    (404, UNKNOWN_JSON, "application/json", f"application/json, {len(UNKNOWN_JSON)} B"),
    (404, "[" * 100_000 + CANARY, "application/json", "application/json, 98 KB"),  # deeper than Python's stack
], ids=["html-404", "html-500", "html-403", "unknown-json-404", "nested-json-404"])
def test_a_strangers_body_is_described_never_shown(vendor, members, status, body, content_type, described):
    simulator, connection = vendor
    simulator.faults.update(answer={"status": status, "content_type": content_type, "body": body})
    expected = f"HTTP {status} from {simulator.url.removeprefix('http://')} ({described})"
    last_error, page, tested, audit = shown(connection, members[Role.ADMIN])
    assert CANARY not in last_error and expected in last_error
    assert CANARY not in audit and expected in audit
    for html in (page, tested):
        assert CANARY not in html and expected in html


def documented(vendor_name: str, words: str) -> dict:
    """The `answer` fault of a refusal in the vendor's documented error shape, saying `words`."""
    if vendor_name == "scalingo":  # scalingo.md §3.1
        return {"status": 400, "content_type": "application/json", "body": json.dumps({"error": words})}
    if vendor_name == "scalr-v2":  # scalr.md A2
        return {"status": 404, "content_type": "application/json", "body": json.dumps(
            {"meta": {"requestId": "r-1"}, "errors": [{"code": "ObjectNotFound", "message": words}]})}
    if vendor_name == "scalr-v1":  # scalr.md B6: HTTP 200, the message not escaped (so not always XML)
        return {"status": 200, "content_type": "text/xml", "body": "<?xml version=\"1.0\"?>\n<Error>\n\t<TransactionID>"
                f"t-1</TransactionID>\n\t<Message>{words}</Message>\n</Error>\n"}
    return {"status": 400, "content_type": "application/json",  # scalyr.md §1.2
            "body": json.dumps({"status": "error/client/badParam", "message": words})}


def test_the_vendors_own_words_are_shown_cleaned_and_cut(vendor, members, request):
    simulator, connection = vendor
    name = request.node.callspec.params["vendor"]
    simulator.faults.update(answer=documented(name, WORDS))
    for text in shown(connection, members[Role.ADMIN]):
        assert "Farm web-prod is gone [31mfor good [0m FAKE LOG LINE xxx" in text.replace("&#x27;", "'")
        assert "\x1b" not in text and "\r" not in text and "\nFAKE" not in text
        assert "x" * 300 not in text and "HTTP 4" not in text  # cut to a sentence's length; not described
