"""Ingestion: addEvents (structured JSON) and uploadLogs (raw text), scalyr.md §6.10-6.11.

Not used by the console's client, but real agents and scripts can feed the simulator
with them, and they exercise the Write Logs token kind.
"""

from __future__ import annotations

import hashlib
import re

from vendors.scalyr.simulator.params import Params, bad_param
from vendors.scalyr.simulator.store import EventStore
from vendors.scalyr.simulator.timespec import parse_time

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def add_events(store: EventStore, params: Params, now: int, body_size: int) -> dict:
    session = params.str("session", required=True)
    events = params.raw("events")
    if not isinstance(events, list):
        raise bad_param("missing required parameter 'events'")
    info = params.raw("sessionInfo") or {}
    if not isinstance(info, dict):
        raise bad_param("'sessionInfo' must be an object")
    if session not in store.sessions:
        store.add_session(session, {"serverIP": "127.0.0.1"})
    store.add_session(session, info)
    logs = {str(log.get("id")): log.get("attrs") or {} for log in params.raw("logs") or () if isinstance(log, dict)}
    for offset, event in enumerate(events):
        if not isinstance(event, dict):
            raise bad_param("every entry of 'events' must be an object")
        attrs = {**logs.get(str(event.get("log")), {}), **(event.get("attrs") or {})}
        ts = parse_time(event["ts"], now, "ts") if event.get("ts") not in (None, "") else now + offset
        severity = event.get("sev", 3)
        if not isinstance(severity, int) or not 0 <= severity <= 6:
            raise bad_param("'sev' must be an integer from 0 to 6")
        store.add(ts, session, severity=severity, thread=str(event.get("thread", "1")), attrs=attrs)
    return {"status": "success", "bytesCharged": body_size}


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
