"""Each construct of the filter language (scalyr.md §7) selects what it should, over HTTP."""

from __future__ import annotations

import pytest

from vendors.core import errors
from vendors.scalyr import filter_language as filters

from .helpers import NOW, at, emit

ACCESS = "/var/log/nginx/access.log"
EVENTS = [
    {"host": "web-1", "attrs": {"id": 1, "message": "GET /index.html 200", "status": 200, "uriPath": "/index.html",
                                "method": "GET", "latency": 12.5, "logfile": ACCESS}},
    {"host": "web-1", "attrs": {"id": 2, "message": "GET /images/logo.png 200", "status": 200,
                                "uriPath": "/images/logo.png", "method": "GET", "latency": 3, "logfile": ACCESS}},
    {"host": "web-2", "attrs": {"id": 3, "message": "POST /login 302", "status": 302, "uriPath": "/login",
                                "method": "POST", "latency": 40, "logfile": ACCESS}},
    {"host": "web-2", "severity": 5, "attrs": {"id": 4, "message": "GET /api/orders 503", "status": 503,
                                               "uriPath": "/api/orders", "method": "GET", "latency": 900,
                                               "logfile": ACCESS}},
    {"host": "api-1", "severity": 5, "attrs": {"id": 5, "message": "ERROR cache miss for key product:1",
                                               "app": "shop-api"}},
    {"host": "api-1", "severity": 6, "attrs": {"id": 6, "message": "Critical Error: disk full", "app": "billing"}},
    {"host": "worker-1", "severity": 4, "attrs": {"id": 7, "message": "timeout talking to db", "app": "billing",
                                                  "service-name": "memcache"}},
    {"host": "web-1", "severity": 4, "attrs": {"id": 8, "message": 'GET /search?q="x" 404', "status": 404,
                                               "uriPath": "/search", "method": "GET", "latency": 22,
                                               "logfile": ACCESS}},
    {"host": "web-1", "attrs": {"id": 9, "message": "GET /Index.html 200", "status": "200", "uriPath": "/Index.html",
                                "method": "GET", "latency": 15, "logfile": ACCESS}},
]
ALL = set(range(1, 10))


@pytest.fixture
def events(sim):
    emit(sim, *({**event, "ts": at(600 - i)} for i, event in enumerate(EVENTS)))
    return sim


def ids(client, filter_: str) -> set[int]:
    page = client.query(filter_, start=NOW - 3600, end=NOW, max_count=100)
    return {event.attributes["id"] for event in page.events}


CASES = [
    # text search: words, phrases, regex; case-insensitive
    ("", ALL),
    ("error", {5, 6}),
    ("ERROR", {5, 6}),
    ('"cache miss"', {5}),
    ("'disk full'", {6}),
    ('"index.html"', {1, 9}),
    (r'$"/images/.*\.png"', {2}),
    ('$"^get /(index|search)"', {1, 8, 9}),
    # field operators; numbers compare as numbers (also against the string "200")
    ("status == 200", {1, 2, 9}),
    ("status = 200", {1, 2, 9}),
    ("status != 200", ALL - {1, 2, 9}),
    ("status >= 400", {4, 8}),
    ("status > 400", {4, 8}),
    ("status >= 300 status < 500", {3, 8}),
    ("status <= 302", {1, 2, 3, 9}),
    ("latency > 100", {4}),
    ("latency < 10", {2}),
    ("severity >= 5", {4, 5, 6}),
    ("sev == 4", {7, 8}),
    # string comparisons are case-sensitive; contains and matches are not
    ('uriPath == "/index.html"', {1}),
    ("uriPath == '/Index.html'", {9}),
    ("method == GET", {1, 2, 4, 8, 9}),
    ("uriPath contains 'INDEX'", {1, 9}),
    ("uriPath matches '^/api/'", {4}),
    (r"uriPath matches 'INDEX\.html$'", {1, 9}),
    ("message contains 'error'", {5, 6}),
    # $ fields: session fields and logfile; optional prefix for event fields
    ("$serverHost == 'web-2'", {3, 4}),
    ("serverHost == 'web-2'", {3, 4}),
    ('$serverHost = "web-1" status >= 400', {8}),
    ("$serverHost contains 'WEB'", {1, 2, 3, 4, 8, 9}),
    ("$logfile contains 'access'", {1, 2, 3, 4, 8, 9}),
    ("$status == 503", {4}),
    # presence, escaped field names
    ("app == *", {5, 6, 7}),
    ("app != *", ALL - {5, 6, 7}),
    (r'service\-name == "memcache"', {7}),
    # boolean structure, symbols and case-insensitive keywords, precedence NOT > AND > OR
    ("error OR timeout", {5, 6, 7}),
    ("error || timeout", {5, 6, 7}),
    ("error or timeout", {5, 6, 7}),
    ("error AND disk", {6}),
    ("error && disk", {6}),
    ("error disk", {6}),
    ("NOT error", ALL - {5, 6}),
    ("!error", ALL - {5, 6}),
    ("not error", ALL - {5, 6}),
    ("!(status == *)", {5, 6, 7}),
    ("error OR timeout db", {5, 6, 7}),
    ("error OR timeout disk", {5, 6}),
    ("NOT error OR timeout", ALL - {5, 6}),
    ("(error OR timeout) app == 'billing'", {6, 7}),
    ("(status == 200 || status == 302) && !($serverHost == 'web-2')", {1, 2, 9}),
    ("((error))", {5, 6}),
]


@pytest.mark.parametrize("filter_, expected", CASES, ids=[c[0] or "<empty>" for c in CASES])
def test_construct_selects_what_it_should(events, client, filter_, expected):
    assert ids(client, filter_) == expected


SYNTAX_ERRORS = ["status >=", "(error", "error)", "status == ", "error & disk", '"unterminated', "$serverHost",
                 "uriPath matches '('", "NOT", "error OR", "()", "status < *", "== 5"]


@pytest.mark.parametrize("filter_", SYNTAX_ERRORS)
def test_syntax_error_is_invalid_request_with_scalyrs_message(events, client, filter_):
    with pytest.raises(errors.InvalidRequest) as caught:
        client.query(filter_, start="1h")
    assert caught.value.code == "error/client/badParam"
    assert caught.value.status == 400
    assert str(caught.value).startswith(f"Error parsing filter [{filter_}]")


# -- the client-side builders produce filters that select exactly the value -----------------
TRICKY = 'a "quoted" \\ value'


@pytest.fixture
def tricky(sim):
    emit(sim, {"ts": at(30), "host": "web-1", "attrs": {"message": f"say {TRICKY} now", "label": TRICKY,
                                                        "status": 500, "flag": True, "weird-name": "x"}},
         {"ts": at(20), "host": "web-1", "attrs": {"message": "say a quoted value now", "label": "a quoted value",
                                                   "status": 200}})
    return sim


def messages(client, filter_: str) -> list[str]:
    return [e.message for e in client.query(filter_, start=NOW - 3600, end=NOW).events]


def test_builders_select_exactly_the_value(tricky, client):
    wanted = [f"say {TRICKY} now"]
    assert messages(client, filters.equals("label", TRICKY)) == wanted
    assert messages(client, filters.phrase(TRICKY)) == wanted
    assert messages(client, filters.equals("status", 500)) == wanted
    assert messages(client, filters.equals("flag", True)) == wanted
    assert messages(client, filters.equals("weird-name", "x")) == wanted
    assert messages(client, filters.equals("$serverHost", "web-1")) == wanted + ["say a quoted value now"]
    assert messages(client, filters.equals("flag", None)) == ["say a quoted value now"]
    assert messages(client, filters.compare("label", "contains", '"QUOTED"')) == wanted
    assert messages(client, filters.compare("label", "matches", r'^a "q.*\\')) == wanted
    assert messages(client, filters.regex(r'say a "')) == wanted
    assert messages(client, filters.negate(filters.present("flag"))) == ["say a quoted value now"]
    template = "$serverHost == {host} label == {label} status >= {code}"
    assert messages(client, filters.format_filter(template, host="web-1", label=TRICKY, code=500)) == wanted
    assert messages(client, filters.all_of(filters.phrase("say"), "", filters.equals("status", 200))) == [
        "say a quoted value now"]
    both = filters.any_of(filters.equals("status", 200), filters.equals("label", TRICKY))
    assert len(messages(client, both)) == 2


def test_builder_output_is_stable():
    assert filters.equals("uriPath", '/a "b"') == r'uriPath == "/a \"b\""'
    assert filters.field("service-name") == r"service\-name"
    assert filters.field("$serverHost") == "$serverHost"
    assert filters.equals("app", None) == "app != *"
    assert filters.all_of("a", "b") == "(a) (b)"
    assert filters.any_of("a") == "a"
    with pytest.raises(ValueError):
        filters.compare("x", "~", 1)
