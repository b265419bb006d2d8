"""Base of the bundled vendor simulators: small HTTP servers speaking a vendor's wire protocol.

A vendor simulator subclasses `Simulator` and implements `handle(request) -> Response`.
The base gives every simulator the same things: a threaded HTTP/1.1 server (keep-alive,
so benchmarks measure the protocol, not TCP set-up), switchable faults, a control API
under `/_sim/` for tests and the demo, a clock that advances the simulated world, and a
command line (`python -m vendors.<vendor>.simulator --port N`).

Faults are set with `POST /_sim/faults` (JSON) or `Simulator.faults.update(...)`:
  latency: seconds added to every answer
  status: an HTTP status (e.g. 500, 503) answered instead of the real one
  rate_limit: answer the vendor's own 429 instead of the real one
  malformed: answer a body that does not parse
  timeout: hold the request this many seconds, then drop the connection
  answer: answer this instead of the real one, a stranger in the vendor's place: {"status": 404,
      "content_type": "text/html", "body": "<html>...", "size": 200000000, "chunked": true}; the body
      is repeated up to `size` bytes (default: its own length) as it is sent, never held whole, with
      a Content-Length unless `chunked` (then without one, as a stream of unknown length)
  count: how many requests the status/rate_limit/malformed/timeout/answer fault applies to (-1: until cleared)
Chaos (a soak's mix of faults, on top of the above; those apply first when set):
  chaos: probability (0..1) that a request is answered with a fault drawn from `chaos_kinds`
  chaos_kinds: the mix, drawn uniformly (default: every kind of CHAOS_KINDS); "5xx" and "html"
      stand for their group
  chaos_timeout: seconds a `timeout` fault holds the request before dropping it (default 35, past
      every console client's read timeout; a soak with short client timeouts sets it shorter)
  chaos_seed: seed of the draws (default: the simulator's seed); every update starts the draws over,
      so the same settings and the same requests in the same order get the same faults
The kinds (CHAOS_KINDS): `rate_limit` (the vendor's own answer, `rate_limited_response()`),
`http_500`, `http_502`, `http_503`, `timeout` (held `chaos_timeout` s, then dropped),
`truncated` (the vendor's real answer cut short: JSON or the Query API's XML stops mid-way;
`truncated_response()`), `html_502` and `html_200` (a proxy's HTML page, `proxy_page()`),
`wrong_content_type` (the vendor's real answer labelled `text/plain` or `text/html`).
`GET /_sim/stats` counts the faults served by kind (`faults_served`, chaos and the faults above
alike); `POST /_sim/stats` with `{"reset": true}` sets those counts back to zero.
`POST /_sim/faults` with `{}` clears them. `POST /_sim/tick` advances the world one step.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import select
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger("vendors.simulator")


class _Listener(ThreadingHTTPServer):
    """A vendor's front accepts many connections at once: socketserver's backlog of 5 let a burst (twenty
    live tails opening their streams with their token exchanges) lose connects on a loaded machine."""

    request_queue_size = 128
    daemon_threads = True


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    raw_query: str = ""
    #: whether the client has closed its connection (for answers that wait, like a log stream)
    peer_gone: Callable[[], bool] = field(default=lambda: False, repr=False, compare=False)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self):
        return json.loads(self.body or b"null")

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@dataclass
class Response:
    status: int = 200
    body: bytes | str | dict | list | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    #: a body sent as it is generated (the `answer` fault), with its length, or None for chunked
    stream: Iterable[bytes] | None = None
    stream_length: int | None = None

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body).encode(), self.content_type or "application/json; charset=utf-8"
        if isinstance(self.body, str):
            return self.body.encode(), self.content_type or "text/plain; charset=utf-8"
        return self.body or b"", self.content_type or "text/plain; charset=utf-8"


def _peer_gone(connection: socket.socket) -> bool:
    """The client closed (or reset) its side: readable, and nothing left to read."""
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


def json_response(payload, status: int = 200, **headers) -> Response:
    return Response(status=status, body=payload, headers=headers)


#: what a chaos fault can be; see the module docstring
CHAOS_KINDS = ("rate_limit", "http_500", "http_502", "http_503", "timeout", "truncated", "html_502", "html_200",
               "wrong_content_type")
CHAOS_GROUPS = {"5xx": ("http_500", "http_502", "http_503"), "html": ("html_502", "html_200")}
#: past every console client's read timeout (vendors.core.http.DEFAULT_TIMEOUT: 20 s; the Scalingo client: 30 s)
DEFAULT_CHAOS_TIMEOUT = 35.0


class Faults:
    KEYS = ("latency", "status", "rate_limit", "malformed", "timeout", "answer", "count",
            "chaos", "chaos_kinds", "chaos_timeout", "chaos_seed")

    def __init__(self):
        self._lock = threading.Lock()
        #: the seed chaos draws start from when `chaos_seed` is not given (the simulator sets its own)
        self.seed = 7
        self._rng = random.Random(self.seed)
        self.clear()

    def clear(self) -> None:
        self.latency = 0.0
        self.status: int | None = None
        self.rate_limit = False
        self.malformed = False
        self.timeout = 0.0
        self.answer: dict | None = None
        self.count = -1
        self.chaos = 0.0
        self.chaos_kinds: list[str] = list(CHAOS_KINDS)
        self.chaos_timeout = DEFAULT_CHAOS_TIMEOUT
        self.chaos_seed: int | None = None

    def update(self, **settings) -> None:
        unknown = set(settings) - set(self.KEYS)
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        chaos = _chaos_settings(settings)
        if settings.get("answer") is not None:
            chaos["answer"] = _answer_settings(settings["answer"])
        with self._lock:
            self.clear()
            for key, value in {**settings, **chaos}.items():
                setattr(self, key, value)
            self._rng.seed(self.seed if self.chaos_seed is None else self.chaos_seed)

    def reseed(self, seed: int) -> None:
        """Make `seed` the default seed of the chaos draws, and start them over."""
        with self._lock:
            self.seed = seed
            self._rng.seed(self.seed if self.chaos_seed is None else self.chaos_seed)

    def as_dict(self) -> dict:
        return {key: getattr(self, key) for key in self.KEYS}

    def take(self) -> dict | None:
        """The one-shot faults to apply to the next request, consuming `count`."""
        with self._lock:
            if not (self.status or self.rate_limit or self.malformed or self.timeout or self.answer) \
                    or self.count == 0:
                return None
            if self.count > 0:
                self.count -= 1
            return {"status": self.status, "rate_limit": self.rate_limit, "malformed": self.malformed,
                    "timeout": self.timeout, "answer": self.answer}

    def draw_chaos(self) -> tuple[str, float] | None:
        """(kind, a roll in [0, 1) for the fault's own choices) when chaos strikes this request, else None."""
        with self._lock:
            if not self.chaos or self._rng.random() >= self.chaos:
                return None
            return self._rng.choice(self.chaos_kinds), self._rng.random()


def _chaos_settings(settings: dict) -> dict:
    """The chaos settings of an update, checked and normalised (raises ValueError)."""
    checked = {}
    if "chaos" in settings:
        chaos = settings["chaos"]
        if isinstance(chaos, bool) or not isinstance(chaos, (int, float)) or not 0 <= chaos <= 1:
            raise ValueError("chaos must be a probability between 0 and 1")
        checked["chaos"] = float(chaos)
    if "chaos_kinds" in settings:
        kinds = settings["chaos_kinds"]
        if isinstance(kinds, str) or not isinstance(kinds, (list, tuple)) or not kinds:
            raise ValueError(f"chaos_kinds must be a non-empty list of {list(CHAOS_KINDS)} or {list(CHAOS_GROUPS)}")
        expanded = []
        for kind in kinds:
            if kind not in CHAOS_KINDS and kind not in CHAOS_GROUPS:
                raise ValueError(f"unknown chaos kind {kind!r}: one of {list(CHAOS_KINDS)} or {list(CHAOS_GROUPS)}")
            expanded.extend(k for k in CHAOS_GROUPS.get(kind, (kind,)) if k not in expanded)
        checked["chaos_kinds"] = expanded
    if "chaos_timeout" in settings:
        hold = settings["chaos_timeout"]
        if isinstance(hold, bool) or not isinstance(hold, (int, float)) or hold < 0:
            raise ValueError("chaos_timeout must be a number of seconds (0 or more)")
        checked["chaos_timeout"] = float(hold)
    if settings.get("chaos_seed") is not None and (isinstance(settings["chaos_seed"], bool)
                                                   or not isinstance(settings["chaos_seed"], int)):
        raise ValueError("chaos_seed must be an integer")
    return checked


def _answer_settings(answer) -> dict:
    """The `answer` fault, checked and completed (raises ValueError)."""
    if not isinstance(answer, dict) or set(answer) - {"status", "content_type", "body", "size", "chunked"}:
        raise ValueError("answer must be an object of status, content_type, body, size and chunked")
    body = answer.get("body", "")
    size = answer.get("size", len(body.encode()) if isinstance(body, str) else 0)
    status = answer.get("status", 200)
    if not isinstance(body, str) or isinstance(size, bool) or not isinstance(size, int) or size < 0 \
            or isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise ValueError("answer needs a text body, a size in bytes (0 or more) and an HTTP status")
    return {"status": status, "content_type": str(answer.get("content_type") or "text/html; charset=utf-8"),
            "body": body, "size": size, "chunked": bool(answer.get("chunked", False))}


def generated_body(pattern: bytes, size: int, block: int = 64 * 1024) -> Iterator[bytes]:
    """`pattern` repeated to `size` bytes, in blocks of `block`: a huge answer without holding it."""
    pattern = pattern or b" "
    unit = (pattern * (block // len(pattern) + 1))[:max(block, len(pattern))]
    sent = 0
    while sent < size:
        chunk = unit[:size - sent]
        sent += len(chunk)
        yield chunk


def answer_response(answer: dict) -> "Response":
    """What the `answer` fault sends: a stranger's page or a huge body in the vendor's place."""
    return Response(answer["status"], content_type=answer["content_type"],
                    stream=generated_body(answer["body"].encode(), answer["size"]),
                    stream_length=None if answer["chunked"] else answer["size"])


#: what a proxy in front of the vendor answers (status -> title, text)
PROXY_PAGES = {
    502: ("502 Bad Gateway", "The upstream server returned an invalid response."),
    200: ("Service temporarily unavailable", "We are performing scheduled maintenance. Please try again later."),
}


class Simulator:
    """Subclass per vendor. State changes happen under `self.lock`."""

    vendor = "vendor"
    #: seconds of simulated world per automatic tick in the demo (0: the world only moves on /_sim/tick)
    tick_seconds = 0.0

    def __init__(self, *, seed: int = 7):
        self.lock = threading.RLock()
        self.seed = seed
        self.rng = random.Random(seed)
        self.faults = Faults()
        self.requests_served = 0
        self._faults_served: Counter = Counter()
        self._stats_lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    @property
    def faults(self) -> Faults:
        return self._faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        """Subclasses may install their own Faults; chaos draws always start from this simulator's seed."""
        faults.reseed(self.seed)
        self._faults = faults

    # -- to implement --------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def tick(self) -> None:
        """Advance the simulated world one step (servers boot, apps crash, logs arrive...)."""

    def rate_limited_response(self) -> Response:
        return Response(429, "Retry later", {"Retry-After": "1"})

    def malformed_response(self) -> Response:
        return Response(200, b'{"truncated": ', content_type="application/json")

    def truncated_response(self, request: Request, roll: float) -> Response:
        """The vendor's real answer to `request`, cut short (a `truncated` chaos fault).

        The answer is in whatever format this request gets (JSON, the Query API's XML...), so
        it is cut in its own format; `roll` (0..1) picks the cut in the middle half of the body.
        An answer with nothing to cut falls back to `malformed_response()`. Vendors may override.
        """
        answer = self._handle(request)
        payload, content_type = answer.encoded()
        payload = payload.rstrip()  # a cut before trailing whitespace would leave a whole document
        if len(payload) < 2:
            return self.malformed_response()
        cut = min(len(payload) - 1, max(1, len(payload) // 4 + int(roll * len(payload) / 2)))
        return Response(answer.status, payload[:cut], dict(answer.headers), content_type)

    def proxy_page(self, status: int) -> Response:
        """What a proxy in front of the vendor answers: an HTML page (`html_502`, `html_200` chaos faults)."""
        title, text = PROXY_PAGES.get(status, PROXY_PAGES[502])
        page = (f"<!DOCTYPE html>\n<html>\n<head><title>{title}</title></head>\n<body>\n<center><h1>{title}</h1>"
                f"</center>\n<p>{text}</p>\n<hr><center>nginx</center>\n</body>\n</html>\n")
        return Response(status, page, content_type="text/html")

    def mislabelled_response(self, request: Request, roll: float) -> Response:
        """The vendor's real answer labelled `text/plain` or `text/html` (a `wrong_content_type` chaos fault)."""
        answer = self._handle(request)
        payload, content_type = answer.encoded()
        labels = ["text/plain; charset=utf-8", "text/html; charset=utf-8"]
        label = labels[int(roll * 2)]
        if content_type.split(";")[0].strip() == label.split(";")[0]:
            label = labels[1 - labels.index(label)]
        return Response(answer.status, payload, dict(answer.headers), label)

    def control(self, action: str, payload: dict) -> Response | None:
        """Vendor-specific `/_sim/<action>` calls (crash an app, add events...)."""
        return None

    # -- control API -----------------------------------------------------------------------
    def _control(self, request: Request) -> Response:
        action = request.path[len("/_sim/"):].strip("/")
        payload = request.json() if request.body else {}
        if action == "faults":
            if request.method == "POST":
                try:
                    self.faults.update(**(payload or {}))
                except (TypeError, ValueError) as exc:
                    return json_response({"error": str(exc)}, 400)
            return json_response(self.faults.as_dict())
        if action == "tick":
            for _ in range(int((payload or {}).get("steps", 1))):
                with self.lock:
                    self.tick()
            return json_response({"ok": True})
        if action == "stats":
            if request.method == "POST" and (payload or {}).get("reset"):
                with self._stats_lock:
                    self._faults_served.clear()
            return json_response({"requests_served": self.requests_served, "faults_served": self.faults_served()})
        with self.lock:
            answer = self.control(action, payload or {})
        return answer or json_response({"error": f"unknown control action {action!r}"}, 404)

    def dispatch(self, request: Request) -> Response | None:
        """Apply faults, then the vendor's handler. None means: drop the connection."""
        if request.path.startswith("/_sim/"):
            return self._control(request)
        self.requests_served += 1
        if self.faults.latency:
            time.sleep(self.faults.latency)
        fault = self.faults.take()
        if fault:
            if fault["timeout"]:
                self._count_fault("timeout")
                self._stopping.wait(fault["timeout"])
                return None
            if fault["rate_limit"]:
                self._count_fault("rate_limit")
                return self.rate_limited_response()
            if fault["malformed"]:
                self._count_fault("malformed")
                return self.malformed_response()
            if fault["answer"]:
                self._count_fault("answer")
                return answer_response(fault["answer"])
            if fault["status"]:
                self._count_fault(f"http_{fault['status']}")
                return Response(fault["status"], "simulated failure")
        chaos = self.faults.draw_chaos()
        if chaos:
            kind, roll = chaos
            self._count_fault(kind)
            return self._chaos_response(kind, roll, request)
        return self._handle(request)

    def _chaos_response(self, kind: str, roll: float, request: Request) -> Response | None:
        if kind == "timeout":
            self._stopping.wait(self.faults.chaos_timeout)
            return None
        if kind == "rate_limit":
            return self.rate_limited_response()
        if kind.startswith("http_"):
            return Response(int(kind[5:]), "simulated failure")
        if kind.startswith("html_"):
            return self.proxy_page(int(kind[5:]))
        if kind == "truncated":
            return self.truncated_response(request, roll)
        return self.mislabelled_response(request, roll)

    def _handle(self, request: Request) -> Response:
        try:
            return self.handle(request)
        except Exception:  # a simulator bug must look like a vendor 500, and be visible in its log
            logger.exception("%s simulator failed on %s %s", self.vendor, request.method, request.path)
            return Response(500, "internal error")

    def _count_fault(self, kind: str) -> None:
        with self._stats_lock:
            self._faults_served[kind] += 1

    def faults_served(self) -> dict[str, int]:
        """How many faults of each kind were served since the start (or the last reset of the stats)."""
        with self._stats_lock:
            return dict(sorted(self._faults_served.items()))

    # -- serving ---------------------------------------------------------------------------
    def serve(self, host: str = "127.0.0.1", port: int = 0, *, auto_tick: bool = False) -> str:
        """Start serving in background threads; returns the base URL."""
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body go out in two writes; without this each keep-alive
            # request waits for a delayed ACK (~40 ms)
            disable_nagle_algorithm = True

            def log_message(self, fmt, *args):
                logger.debug("%s: " + fmt, simulator.vendor, *args)

            def _handle(self):
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(
                    method=self.command,
                    path=split.path,
                    query=parse_qs(split.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    raw_query=split.query,
                    peer_gone=lambda: _peer_gone(self.connection),
                )
                response = simulator.dispatch(request)
                if response is None:
                    self.close_connection = True
                    return
                if response.stream is not None:
                    self._stream(response)
                    return
                payload, content_type = response.encoded()
                self.send_response(response.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            def _stream(self, response: Response) -> None:
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type or "application/octet-stream")
                if response.stream_length is None:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(response.stream_length))
                self.end_headers()
                if self.command == "HEAD":
                    return
                try:
                    for chunk in response.stream:
                        if response.stream_length is None:
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        else:
                            self.wfile.write(chunk)
                    if response.stream_length is None:
                        self.wfile.write(b"0\r\n\r\n")
                except OSError:  # the client stopped reading (as the console does past its cap)
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

        self._server = _Listener((host, port), Handler)
        serve_thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"{self.vendor}-sim", daemon=True)
        serve_thread.start()
        self._threads.append(serve_thread)
        if auto_tick and self.tick_seconds:
            tick_thread = threading.Thread(target=self._tick_forever, name=f"{self.vendor}-sim-tick", daemon=True)
            tick_thread.start()
            self._threads.append(tick_thread)
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None, "simulator is not serving"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def _tick_forever(self) -> None:
        while not self._stopping.wait(self.tick_seconds):
            with self.lock:
                self.tick()

    def stop(self) -> None:
        self._stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- command line ----------------------------------------------------------------------
    @classmethod
    def main(cls, argv: list[str] | None = None) -> None:
        parser = argparse.ArgumentParser(description=f"Run the {cls.vendor} simulator.")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=0)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--demo", action="store_true", help="serve the demo data set, changing over time")
        args = parser.parse_args(argv)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        simulator = cls.demo(seed=args.seed) if args.demo else cls(seed=args.seed)
        url = simulator.serve(args.host, args.port, auto_tick=args.demo)
        print(f"{cls.vendor} simulator listening on {url}", flush=True)
        try:
            simulator._stopping.wait()
        except KeyboardInterrupt:
            pass
        finally:
            simulator.stop()

    @classmethod
    def demo(cls, *, seed: int = 7) -> "Simulator":
        """The demo data set; vendors override to populate it."""
        return cls(seed=seed)
