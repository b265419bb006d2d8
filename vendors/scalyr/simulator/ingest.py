"""Ingestion: addEvents (structured JSON) and uploadLogs (raw text), scalyr.md §6.10-6.11.

The console sends its audit entries and poll outcomes with addEvents; real agents and scripts
can feed the simulator with either method too.
"""

from __future__ import annotations

import hashlib
import re

from vendors.scalyr.simulator.params import ApiError, Params, bad_param
from vendors.scalyr.simulator.store import EventStore
from vendors.scalyr.simulator.timespec import parse_time

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


#: the largest addEvents body Scalyr documents (DOC: 3,000,000 bytes; §13.5: newer servers take ~6 MB)
MAX_REQUEST_BYTES = 3_000_000


def add_events(store: EventStore, params: Params, now: int, body_size: int,
               max_bytes: int = MAX_REQUEST_BYTES) -> dict:
    """Store a batch, all or nothing: a refused request stores no event.

    Sequence fields as the agent sends them (scalyr.md §6.10): `si` names a stream (an event
    without one continues the previous event's), `sn` is the event's number in it, or `sd` its
    delta from the previous number. Scalyr keeps the highest number accepted per stream and drops
    an event whose number is not above it: a batch sent again after a lost answer is stored once.
    """
    if body_size > max_bytes:
        raise ApiError("error/client/requestTooLarge",
                       f"request body of {body_size} bytes is larger than the limit of {max_bytes} bytes", 413)
    session = params.str("session", required=True)
    events = params.raw("events")
    if not isinstance(events, list):
        raise bad_param("missing required parameter 'events'")
    info = params.raw("sessionInfo")
    info = {} if info is None else info
    if not isinstance(info, dict):
        raise bad_param("'sessionInfo' must be an object")
    threads = params.raw("threads")
    if threads is not None and not isinstance(threads, list):
        raise bad_param("'threads' must be an array")
    logs = {str(log.get("id")): log.get("attrs") or {} for log in params.raw("logs") or () if isinstance(log, dict)}
    accepted = _validated(events, logs, now, dict(store.sequences))
    if session not in store.sessions:
        store.add_session(session, {"serverIP": "127.0.0.1"})
    store.add_session(session, info)
    for ts, severity, thread, attrs, stream, number in accepted:
        store.add(ts, session, severity=severity, thread=thread, attrs=attrs)
        if stream is not None:
            store.sequences[stream] = number
    return {"status": "success", "bytesCharged": body_size}


def _validated(events: list, logs: dict, now: int, highest: dict) -> list[tuple]:
    """The events to store, in order, with their stream and number; raises on the first bad one."""
    accepted, stream, number = [], None, None
    for offset, event in enumerate(events):
        if not isinstance(event, dict):
            raise bad_param("every entry of 'events' must be an object")
        attrs = event.get("attrs") if event.get("attrs") is not None else {}
        if not isinstance(attrs, dict):
            raise bad_param("an event's 'attrs' must be an object")
        ts = event.get("ts")
        if ts in (None, ""):
            ts = now + offset
        elif isinstance(ts, bool) or not isinstance(ts, (str, int)) or not str(ts).isdigit():
            raise bad_param("an event's 'ts' must be nanoseconds since the epoch, as a string")
        else:
            ts = int(ts)
        severity = event.get("sev", 3)
        if isinstance(severity, bool) or not isinstance(severity, int) or not 0 <= severity <= 6:
            raise bad_param("'sev' must be an integer from 0 to 6")
        if event.get("si") is not None:
            if not isinstance(event["si"], str) or not event["si"]:
                raise bad_param("an event's 'si' must be a non-empty string")
            stream, number = event["si"], None
        if "sn" in event or "sd" in event:
            number = _sequence_number(event, stream, number)
            if number <= highest.get(stream, -1):
                continue  # received before: a resent batch
            highest[stream] = number
        record = {**logs.get(str(event.get("log")), {}), **attrs}
        accepted.append((ts, severity, str(event.get("thread", "1")), record,
                         stream if "sn" in event or "sd" in event else None, number))
    return accepted


def _sequence_number(event: dict, stream: str | None, previous: int | None) -> int:
    if stream is None:
        raise bad_param("an event with 'sn' or 'sd' needs a sequence id ('si') in it or before it")
    value = event.get("sn", event.get("sd"))
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise bad_param("'sn' and 'sd' must be non-negative integers")
    if "sn" in event:
        return value
    if previous is None:
        raise bad_param("'sd' needs an earlier event of the same sequence with 'sn'")
    return previous + value


def upload_logs(store: EventStore, query: dict, headers: dict, text: str, now: int) -> dict:
    """`host`/`server-host`, `logfile`, `parser` and `server-<field>` from URL parameters or headers."""
    def tag(name: str, header: str | None = None) -> str | None:
        return query.get(name) or headers.get(header or name)

    server = {"serverHost": tag("host", "server-host") or "uploadLogs"}
    for source in (headers, query):
        for name, value in source.items():
            if name.startswith("server-") and name != "server-host":
                server[name[len("server-"):]] = value
    session = "upload_" + hashlib.sha256(repr(sorted(server.items())).encode()).hexdigest()[:24]
    store.add_session(session, {"serverIP": "127.0.0.1", **server})
    logfile, parser = tag("logfile") or "uploadLogs", tag("parser") or "uploadLogs"
    lines = [line for line in _LINE_BREAK.split(text) if line]
    for offset, line in enumerate(lines):
        store.add(now + offset, session, attrs={"message": line, "logfile": logfile, "parser": parser})
    return {"status": "success"}
