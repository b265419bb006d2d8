"""A fake Scalyr server speaking the documented log API (vendor-apis/scalyr.md).

    python -m vendors.scalyr.simulator --port 8383 --demo

Every method answers on `/api/<method>` and `/<method>`, by POST (JSON body, optionally
gzip/deflate) and, for the query methods, by GET with URL parameters. The token is read from
`Authorization: Bearer`, the body's `token`, then the URL's `token`, and must be of a kind the
method accepts (§2.1): a wrong or missing one gets HTTP 401 `error/client/noPermission`. With
the request header `errorStatus: always200` errors come back as HTTP 200 with `__status`.

Faults (`POST /_sim/faults`, on top of the base ones): `backoff`: answer N requests (-1 or
true: until cleared) with `error/server/backoff` (HTTP 503); `always200`: behave as if every
request asked for always200. The base `rate_limit` fault answers 429 + `error/server/backoff`.

Control actions (`POST /_sim/<action>` or `control(action, payload)`):
  emit        {"events": [{"attrs": {...}, "severity": 5, "ts": <time>, "host": "web-1..."}]}
  set_clock   {"time": <epoch s/ms/ns or ISO>, "frozen": true}
  advance     {"seconds": N}   move the clock, generating the stream for the skipped time
  set_rate    {"events_per_second": X}
  clear       {}               drop every stored event
  reset       {"now": <time>}  empty world (events, files, series, faults), clock frozen at `now`
  state       {}               clock, event count, files
"""

from __future__ import annotations

import gzip
import json
import logging
import socket
import time
import zlib

from vendors.core.simulator import Faults, Request, Response, Simulator, json_response
from vendors.scalyr.simulator import configfiles, ingest, queries
from vendors.scalyr.simulator.generator import DEMO_HOSTS, EventGenerator, Incidents
from vendors.scalyr.simulator.params import ApiError, Params, bad_param
from vendors.scalyr.simulator.powerquery import power_query
from vendors.scalyr.simulator.store import EventStore
from vendors.scalyr.simulator.timespec import NS, parse_time, time_range

logger = logging.getLogger("vendors.scalyr.simulator")

LOG_READ, LOG_WRITE, CONFIG_READ, CONFIG_WRITE = "log_read", "log_write", "config_read", "config_write"
_QUERY_SCOPES = {LOG_READ, CONFIG_READ, CONFIG_WRITE}
_CONFIG_READ_SCOPES = {CONFIG_READ, CONFIG_WRITE}
#: method -> token scopes it accepts (scalyr.md §2.1, "fake server recommendation")
ACCEPTS = {
    "query": _QUERY_SCOPES, "numericQuery": _QUERY_SCOPES, "facetQuery": _QUERY_SCOPES,
    "timeseriesQuery": _QUERY_SCOPES, "powerQuery": _QUERY_SCOPES,
    "listFiles": _CONFIG_READ_SCOPES, "getFile": _CONFIG_READ_SCOPES,
    "putFile": {CONFIG_WRITE}, "createTimeseries": {CONFIG_WRITE},
    "addEvents": {LOG_WRITE}, "uploadLogs": {LOG_WRITE},
}
GET_METHODS = {"query", "numericQuery", "facetQuery", "timeseriesQuery", "powerQuery"}
TIMED_METHODS = GET_METHODS


class ScalyrFaults(Faults):
    KEYS = Faults.KEYS + ("backoff", "always200")

    def clear(self) -> None:
        super().clear()
        self.backoff: int | bool = 0
        self.always200 = False

    def take_backoff(self) -> bool:
        with self._lock:
            if self.backoff is True or (isinstance(self.backoff, int) and self.backoff < 0):
                return True
            if not self.backoff:
                return False
            self.backoff -= 1
            return True


def _token_list(tokens) -> list[str]:
    if not tokens:
        return []
    return [tokens] if isinstance(tokens, str) else list(tokens)


class ScalyrSimulator(Simulator):
    vendor = "scalyr"
    tick_seconds = 1.5
    DEMO_TOKENS = {
        "read_logs": "scalyr-demo-read-logs-token",
        "read_config": "scalyr-demo-read-config-token",
        "write_config": "scalyr-demo-write-config-token",
        "write_logs": "scalyr-demo-write-logs-token",
    }

    def __init__(self, *, seed: int = 7, read_logs_tokens=(), read_config_tokens=(), write_config_tokens=(),
                 write_logs_tokens=(), now=None, events_per_second: float = 0.0, hosts=DEMO_HOSTS,
                 max_events: int = 200_000, retry_after: int = 1,
                 max_request_bytes: int = ingest.MAX_REQUEST_BYTES):
        super().__init__(seed=seed)
        self.faults = ScalyrFaults()
        self.scopes: dict[str, set[str]] = {}
        for scope, tokens in ((LOG_READ, read_logs_tokens), (CONFIG_READ, read_config_tokens),
                              (CONFIG_WRITE, write_config_tokens), (LOG_WRITE, write_logs_tokens)):
            for token in _token_list(tokens):
                self.scopes.setdefault(token, set()).add(scope)
        self.retry_after = retry_after
        self.max_request_bytes = max_request_bytes
        self.store = EventStore(max_events)
        self.generator = EventGenerator(self.store, self.rng, hosts, events_per_second=events_per_second)
        self.files = configfiles.ConfigFiles()
        self.summaries = queries.Summaries()
        self._frozen_ns = None if now is None else parse_time(now, time.time_ns())
        self._offset_ns = 0
        self._generated_until = self.now_ns()

    # -- clock and world ------------------------------------------------------------------------
    def now_ns(self) -> int:
        return self._frozen_ns if self._frozen_ns is not None else time.time_ns() + self._offset_ns

    def generate(self) -> int:
        """Append the event stream up to now (at most `max_events` worth, for big clock jumps)."""
        now = self.now_ns()
        rate = self.generator.events_per_second
        horizon = now - int(self.store.max_events / rate * NS) if rate > 0 else now
        count = self.generator.fill(max(self._generated_until, horizon), now)
        self._generated_until = max(self._generated_until, now)
        return count

    def backfill(self, seconds: float) -> int:
        """Generate the stream for the `seconds` before now (the demo's history)."""
        self._generated_until = self.now_ns() - int(seconds * NS)
        return self.generate()

    def tick(self) -> None:
        if self._frozen_ns is not None:
            self._frozen_ns += int(self.tick_seconds * NS)
        self.generate()

    def control(self, action: str, payload: dict) -> Response | None:
        try:
            handler = getattr(self, f"_control_{action}", None)
            return handler(payload) if handler else None
        except (ApiError, KeyError, TypeError, ValueError) as exc:
            return json_response({"error": str(getattr(exc, "message", exc))}, 400)

    def _control_emit(self, payload: dict) -> Response:
        now = self.now_ns()
        stamps = []
        for offset, spec in enumerate(payload.get("events") or ()):
            ts = parse_time(spec["ts"], now, "ts") if spec.get("ts") is not None else now + offset
            event = self.emit(spec.get("attrs") or {}, ts=ts, severity=spec.get("severity", spec.get("sev", 3)),
                              host=spec.get("host") or spec.get("serverHost"), thread=spec.get("thread", "1"))
            stamps.append(str(event.ts))
        return json_response({"ok": True, "count": len(stamps), "timestamps": stamps})

    def emit(self, attrs: dict, *, ts: int | None = None, severity: int = 3, host: str | None = None,
             thread: str = "1"):
        """Append one event now (or at `ts` ns) from `host`'s session (a new session for a new host)."""
        host = host or self.generator.hosts[0].name
        session = self.generator.sessions.get(host)
        if session is None:
            session = f"sess_emit_{len(self.generator.sessions)}_{host}"
            self.generator.sessions[host] = session
            self.store.add_session(session, {"serverHost": host, "serverIP": "10.0.9.9"})
        with self.lock:
            return self.store.add(self.now_ns() if ts is None else ts, session, severity=severity, thread=thread,
                                  attrs=attrs)

    def _control_set_clock(self, payload: dict) -> Response:
        when = parse_time(payload["time"], self.now_ns())
        if payload.get("frozen", True):
            self._frozen_ns = when
        else:
            self._frozen_ns, self._offset_ns = None, when - time.time_ns()
        self._generated_until = when
        return self._control_state({})

    def _control_advance(self, payload: dict) -> Response:
        step = int(float(payload.get("seconds", self.tick_seconds)) * NS)
        if self._frozen_ns is not None:
            self._frozen_ns += step
        else:
            self._offset_ns += step
        self.generate()
        return self._control_state({})

    def _control_set_rate(self, payload: dict) -> Response:
        self.generator.events_per_second = float(payload["events_per_second"])
        return self._control_state({})

    def _control_clear(self, payload: dict) -> Response:
        self.store.events.clear()
        self.store.sequences.clear()
        return self._control_state({})

    def _control_reset(self, payload: dict) -> Response:
        self.store.events.clear()
        self.store.sequences.clear()
        self.files = configfiles.ConfigFiles()
        self.summaries = queries.Summaries()
        self.faults.clear()
        self.generator.events_per_second = float(payload.get("events_per_second", 0.0))
        return self._control_set_clock({"time": payload.get("now", self.now_ns()), "frozen": True})

    def _control_state(self, payload: dict) -> Response:
        return json_response({"now": str(self.now_ns()), "frozen": self._frozen_ns is not None,
                              "events": len(self.store), "events_per_second": self.generator.events_per_second,
                              "files": sorted(self.files.files)})

    # -- HTTP -----------------------------------------------------------------------------
    def serve(self, *args, **kwargs) -> str:
        url = super().serve(*args, **kwargs)
        # The base handler sends headers and body in two writes; without TCP_NODELAY every
        # keep-alive request then waits ~40 ms for a delayed ACK. Accepted sockets inherit it.
        self._server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return url

    def rate_limited_response(self) -> Response:
        return json_response({"status": "error/server/backoff", "message": "Too many requests; retry later"}, 429,
                             **{"Retry-After": str(self.retry_after)})

    def malformed_response(self) -> Response:
        return Response(200, b'{"status": "success", "matches": [', content_type="application/json")

    def dispatch(self, request: Request) -> Response | None:
        if request.path.startswith("/_sim/"):
            return super().dispatch(request)
        if self.faults.take_backoff():
            self.requests_served += 1
            response = json_response({"status": "error/server/backoff",
                                      "message": "The server is temporarily overloaded; retry after a delay"}, 503)
        else:
            response = super().dispatch(request)
        wants_200 = self.faults.always200 or (request.header("errorStatus") or "").lower() == "always200"
        if response is not None and wants_200 and response.status != 200 and isinstance(response.body, dict):
            response = Response(200, {**response.body, "__status": response.status}, response.headers)
        return response

    def handle(self, request: Request) -> Response:
        name = request.path.rstrip("/")
        name = name[len("/api/"):] if name.startswith("/api/") else name.lstrip("/")
        try:
            if name not in ACCEPTS:
                raise ApiError("error/client/badParam", f"unknown API method [{name}]", 404)
            if request.method not in ("GET", "POST") or (request.method == "GET" and name not in GET_METHODS):
                raise ApiError("error/client/badParam", f"{name} must be called with POST", 405)
            if name == "uploadLogs":
                return self._upload_logs(request)
            params = self._params(request)
            self._authorize(request, params, name)
            started = time.perf_counter()
            size = len(self._decoded_body(request)) if name == "addEvents" else len(request.body)
            with self.lock:
                body = self._call(name, params, size)
            if name in TIMED_METHODS:
                body["executionTime"] = round((time.perf_counter() - started) * 1000)
            return json_response(body)
        except ApiError as error:
            return json_response(error.body(), error.http_status)

    def _params(self, request: Request) -> Params:
        if request.method == "GET":
            return Params({key: values[-1] for key, values in request.query.items()})
        raw = self._decoded_body(request)
        try:
            values = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (UnicodeDecodeError, ValueError):
            raise bad_param("could not parse the request body as JSON") from None
        if not isinstance(values, dict):
            raise bad_param("the request body must be a JSON object")
        return Params(values)

    @staticmethod
    def _decoded_body(request: Request) -> bytes:
        encoding = (request.header("Content-Encoding") or "").lower()
        try:
            if encoding == "gzip":
                return gzip.decompress(request.body)
            if encoding == "deflate":
                return zlib.decompress(request.body)
        except (OSError, zlib.error):
            raise bad_param(f"could not decode the {encoding} request body") from None
        return request.body

    def _authorize(self, request: Request, params: Params, method: str) -> None:
        authorization = request.header("Authorization") or ""
        token = authorization[7:].strip() if authorization.lower().startswith("bearer ") else None
        body_token = params.values.pop("token", None)
        token = token or body_token or request.arg("token")
        if not token:
            raise ApiError("error/client/noPermission", "missing API token", 401)
        scopes = self.scopes.get(token)
        if not scopes:
            raise ApiError("error/client/noPermission", "invalid API token", 401)
        if not scopes & ACCEPTS[method]:
            raise ApiError("error/client/noPermission",
                           f"this API token does not grant permission to call {method}", 401)

    def _call(self, name: str, params: Params, body_size: int) -> dict:
        now, store = self.now_ns(), self.store
        if name == "query":
            return queries.log_query(store, params, now)
        if name == "numericQuery":
            return queries.numeric_query(store, params, now)
        if name == "facetQuery":
            return queries.facet_query(store, params, now)
        if name == "timeseriesQuery":
            specs = params.raw("queries")
            if specs is None and params.raw("startTime") is not None:
                specs = [params.values]  # the GET form: one query flattened into the URL
            return queries.timeseries_query(store, self.summaries, specs, now)
        if name == "powerQuery":
            params.priority()
            start, end = time_range(params, now, start_required=False)
            text = params.str("query", required=True)
            return power_query(store, text, start, end, lambda f: queries.compile_event_filter(store, f))
        if name == "listFiles":
            return self.files.list_files(params)
        if name == "getFile":
            return self.files.get_file(params)
        if name == "putFile":
            return self.files.put_file(params, now // 1_000_000)
        if name == "createTimeseries":
            params.query_type("numeric")
            series_id, found = self.summaries.create(params.str("filter") or "", params.str("function") or "")
            return {"status": "success", "timeseriesId": series_id, "foundExistingSeries": found}
        return ingest.add_events(store, params, now, body_size, self.max_request_bytes)

    def _upload_logs(self, request: Request) -> Response:
        if request.method != "POST":
            raise ApiError("error/client/badParam", "uploadLogs must be called with POST", 405)
        query = {key: values[-1] for key, values in request.query.items()}
        self._authorize(request, Params(dict(query)), "uploadLogs")
        text = self._decoded_body(request).decode("utf-8", errors="replace")
        with self.lock:
            body = ingest.upload_logs(self.store, query, request.headers, text, self.now_ns())
        return json_response(body)

    # -- demo -----------------------------------------------------------------------------
    @classmethod
    def demo(cls, *, seed: int = 7) -> ScalyrSimulator:
        tokens = cls.DEMO_TOKENS
        simulator = cls(seed=seed, read_logs_tokens=tokens["read_logs"], read_config_tokens=tokens["read_config"],
                        write_config_tokens=tokens["write_config"], write_logs_tokens=tokens["write_logs"],
                        events_per_second=3.0)
        # A 10-minute burst of 5xx every 20 minutes, the first one 4 minutes old when the demo starts:
        # the "5xx responses" chart (its alert: above 20 per 5-minute bucket, about 8 normally, 30 in
        # a burst) needs attention from the first poll on, then for about 9 minutes in every 20.
        simulator.generator.incidents = Incidents(start_ns=simulator.now_ns() - DEMO_INCIDENT_AGE_NS)
        simulator.backfill(6 * 3600)
        now_ms = simulator.now_ns() // 1_000_000
        for path, content in DEMO_FILES.items():
            simulator.files.put_file(Params({"path": path, "content": content}), now_ms)
        logger.info("scalyr demo: %d events, tokens: %s", len(simulator.store), ", ".join(tokens.values()))
        return simulator


DEMO_INCIDENT_AGE_NS = 4 * 60 * NS

DEMO_FILES = {
    "/dashboards/Shop API": '{ "graphs": [ { "label": "5xx per minute", "filter": "app == \\"shop-api\\" '
                            'status >= 500", "function": "count" } ] }',
    "/dashboards/Billing": '{ "graphs": [ { "label": "payment errors", "filter": "app == \\"billing\\" '
                           'severity >= 5" } ] }',
    "/alerts": '{ "alerts": [ { "trigger": "count:5 minutes(status >= 500) > 20", '
               '"description": "5xx burst" } ] }',
    "/logParsers/accessLog": '{ "formats": [ { "format": "$remoteIp$ - - \\"$method$ $uriPath$ $protocol$\\" '
                             '$status$ $bytes$ $latency$" } ] }',
    "/scalyr/logs": '{ "logs": [] }',
}

