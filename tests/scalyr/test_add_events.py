"""addEvents as scalyr.md §6.10 documents it, through the client and raw HTTP: what the simulator
accepts, what it refuses (stored nothing), and the agent's sequence fields making a resent batch
arrive once."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest

from vendors.core import errors
from vendors.scalyr.client import MissingToken
from vendors.scalyr.client.events import MAX_REQUEST_BYTES, UploadEvent, encode

from .helpers import WRITE_LOGS, at, make_client

http = httpx.Client(timeout=10)


def post(sim, body, **kw):
    return http.post(f"{sim.url}/api/addEvents", json=body, **kw)


def messages(client, filter_text="$serverHost == 'ops-console'"):
    return [e.message for e in client.query(filter_text, start="1h", page_mode="head").events]


@pytest.fixture
def writer(sim):
    with make_client(sim, write_logs_token=WRITE_LOGS) as scalyr:
        yield scalyr


def event(n, message, stream="stream-a", **kw):
    return UploadEvent(ts_ns=at(100 - n), attrs={"message": message, **kw}, stream=stream, number=n)


def test_a_batch_is_stored_once_even_when_sent_again(sim, client, writer):
    info = {"serverHost": "ops-console"}
    first = writer.add_events(session="s-1", session_info=info, events=[event(1, "one"), event(2, "two")])
    assert first.bytes_charged and not first.message
    # the answer was lost: the same batch again, from another process (another session), and one more event
    writer.add_events(session="s-2", session_info=info, events=[event(1, "one"), event(2, "two"), event(3, "three")])
    assert messages(client) == ["one", "two", "three"]
    # another stream numbers its own events; an event without sequence fields is always stored
    writer.add_events(session="s-1", session_info=info,
                      events=[UploadEvent(at(2), {"message": "b-one"}, stream="stream-b", number=1),
                              UploadEvent(at(1), {"message": "loose"})])
    assert messages(client) == ["one", "two", "three", "b-one", "loose"]


def test_the_agents_short_forms_si_carried_over_and_sd(sim, client):
    events = [{"ts": str(at(9)), "si": "x", "sn": 10, "attrs": {"message": "ten"}},
              {"ts": str(at(8)), "sd": 1, "attrs": {"message": "eleven"}},
              {"ts": str(at(7)), "sn": 11, "attrs": {"message": "eleven again"}},
              {"ts": str(at(6)), "sd": 2, "attrs": {"message": "thirteen"}}]
    answer = post(sim, {"token": WRITE_LOGS, "session": "s", "sessionInfo": {"serverHost": "agent-1"},
                        "events": events})
    assert answer.json()["status"] == "success"
    assert messages(client, "$serverHost == 'agent-1'") == ["ten", "eleven", "thirteen"]


@pytest.mark.parametrize("body,status,words", [
    ({"events": []}, 400, "session"),
    ({"session": "s"}, 400, "events"),
    ({"session": "s", "events": [{"ts": 1.5}]}, 400, "'ts'"),
    ({"session": "s", "events": [{"sev": 7}]}, 400, "'sev'"),
    ({"session": "s", "events": [{"attrs": "text"}]}, 400, "'attrs'"),
    ({"session": "s", "events": [{"sn": 1}]}, 400, "'si'"),
    ({"session": "s", "events": [{"si": "x", "sd": 1}]}, 400, "'sd'"),
    ({"session": "s", "sessionInfo": [], "events": []}, 400, "sessionInfo"),
])
def test_what_the_document_refuses_is_refused_and_nothing_is_stored(sim, client, body, status, words):
    good = {"ts": str(at(3)), "attrs": {"message": "before the bad one"}}
    if isinstance(body.get("events"), list):
        body = {**body, "events": [good, *body["events"]]}
    answer = post(sim, {"token": WRITE_LOGS, **body})
    assert answer.status_code == status and answer.json()["status"] == "error/client/badParam"
    assert words in answer.json()["message"]
    assert client.query("", start="1h").events == ()


def test_a_body_over_the_documented_size_is_refused_and_the_client_never_sends_one(sim, client, writer):
    big = "x" * 1_000_000
    body = {"token": WRITE_LOGS, "session": "s", "events": [{"attrs": {"message": big}} for _ in range(3)]}
    answer = http.post(f"{sim.url}/api/addEvents", content=gzip.compress(encode(body)),
                       headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert answer.status_code == 413 and "requestTooLarge" in answer.json()["status"]  # measured decoded
    assert client.query("", start="1h").events == ()
    served = sim.requests_served
    with pytest.raises(errors.InvalidRequest, match="nothing was sent"):
        writer.add_events(session="s", session_info={}, events=[UploadEvent(at(1), {"message": big})
                                                                 for _ in range(3)])
    assert sim.requests_served == served
    assert len(encode(body)) > MAX_REQUEST_BYTES > len(encode({**body, "events": body["events"][:2]}))


def test_the_write_logs_token_only(sim, writer):
    with make_client(sim) as reader:  # the three other kinds
        with pytest.raises(MissingToken):
            reader.add_events(session="s", session_info={}, events=[])
    refused = post(sim, {"token": "not-a-token", "session": "s", "events": []})
    assert refused.status_code == 401 and refused.json()["status"] == "error/client/noPermission"
    assert json.loads(post(sim, {"token": WRITE_LOGS, "session": "s", "events": []}).content)["status"] == "success"
