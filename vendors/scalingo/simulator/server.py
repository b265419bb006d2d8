"""A fake Scalingo speaking the documented wire protocol (reference §6), for tests and the demo.

One server plays the auth service (`/v1/tokens/exchange`, `/v1/regions`, `/v1/users/self`),
both regional APIs (osc-fr1 at the root, osc-secnum-fr1 under `/osc-secnum-fr1`) and the
logs host (`/apps/<id>/logs?token=…`). Run it with
`python -m vendors.scalingo.simulator --port 8002 --demo`.

Control actions (`POST /_sim/<action>` or `control(action, payload)`): crash, recover,
add_app, remove_app, set_app_status, expire_tokens, revoke_token, fail_operations,
payment_required, log, event, requests, log_streams (how many `stream=true` logs requests
are open: `open_log_streams`), and for the console's truth under pressure:
  rate_limit_requests {count, path?, retry_after?}: the next `count` requests whose path
      contains `path` get Scalingo's 429 ("Retry later"), with `Retry-After` when given
      (Scalingo documents no header; the console must cope with and without one);
  rate_limit_operations {count, retry_after?}: the same for operation reads (`/operations/`);
  hold_operations {on}: new scale/restart operations stay `pending` until `{on: false}`;
  fail_app_reads {app, status?, error?}: every read under `/v1/apps/<app>/` answers that
      error (default 500, Scalingo's documented body) until `{app: null}`;
  lose_answers {count, path}: the next `count` requests whose path contains `path` are
      carried out, then the connection drops before the answer (did Scalingo act? it did).
`throttled` lists the paths the rate_limit_* switches refused.
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque

from vendors.core.simulator import Request, Response, Simulator, json_response
from vendors.scalingo.simulator import routes_activity, routes_apps, routes_auth, routes_resources  # noqa: F401 (routes)
from vendors.scalingo.simulator.auth import Credentials, RateLimiter
from vendors.scalingo.simulator.demo import populate_bulk, populate_demo
from vendors.scalingo.simulator.routes_activity import StreamWait
from vendors.scalingo.simulator.routing import Ctx, Reply, router
from vendors.scalingo.simulator.world import APP_STATUSES, REGIONS, World, iso, public

logger = logging.getLogger("vendors.simulator.scalingo")

DEFAULT_TOKEN = "tk-us-simulator-ops-4f2d9c1b7e6a5d3c"
PARTNER_TOKEN = "tk-us-simulator-partner-8b1e4a7c2f9d"
DEFAULT_PASSWORD = "simulator-password"


class ScalingoSimulator(Simulator):
    vendor = "scalingo"
    tick_seconds = 3.0

    def __init__(self, *, seed: int = 7, apps: int = 0, token_lifetime: float = 3600,
                 rate_limit: int | None = 60, rate_window: float = 60.0, legacy_auth: bool = True,
                 operation_seconds: float = 1.0, stream_seconds: float = 15.0, record_requests: int = 1000):
        """
        apps: generate this many running apps for the ops user (benchmarks).
        token_lifetime: seconds a bearer JWT lives (3600 on the real service).
        rate_limit: requests per `rate_window` seconds per API token; None switches it off.
        legacy_auth: also accept Basic `:<token>` on the API (the 2015 flow).
        operation_seconds: time each operation/deployment step takes (pending→running→done).
        stream_seconds: how long a `stream=true` logs request waits for new lines before a ping.
        """
        super().__init__(seed=seed)
        self.world = World(self.rng, operation_seconds=operation_seconds)
        self.credentials = Credentials(token_lifetime=token_lifetime)
        self.limiter = RateLimiter(rate_limit, rate_window)
        self.legacy_auth = legacy_auth
        self.stream_seconds = stream_seconds
        self.log_tokens: dict[str, dict] = {}
        self.open_log_streams = 0  # `stream=true` logs requests waiting right now (tests count them)
        self.received: deque[Request] = deque(maxlen=record_requests)
        self.lively = False  # the demo also makes things happen on its own
        self.throttle: dict | None = None  # rate_limit_requests: {"count", "path", "retry_after"}
        self.throttled: list[str] = []  # paths the throttle answered 429
        self.failing_reads: dict | None = None  # fail_app_reads: {"refs", "status", "error"}
        self.losing: dict | None = None  # lose_answers: {"count", "path"}
        self.ops = self.world.add_user("ops@example.com", "ops", DEFAULT_PASSWORD)
        self.partner = self.world.add_user("partner@example.com", "partner", DEFAULT_PASSWORD)
        self.credentials.api_tokens[DEFAULT_TOKEN] = self.ops["id"]
        self.credentials.api_tokens[PARTNER_TOKEN] = self.partner["id"]
        if apps:
            populate_bulk(self, apps)

    def serve(self, host: str = "127.0.0.1", port: int = 0, *, auto_tick: bool = False) -> str:
        url = super().serve(host, port, auto_tick=auto_tick)
        # The base handler writes headers and body separately; without TCP_NODELAY every
        # answer waits ~40 ms for a delayed ACK (measured: 44 ms vs 1.3 ms per request).
        self._server.RequestHandlerClass.disable_nagle_algorithm = True
        return url

    # -- requests ----------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response | None:
        if not request.path.startswith("/_sim/"):
            self.received.append(request)  # faulted requests too: tests count retries
            if self._loses_answer(request.path):
                self._handle(request)  # Scalingo does it...
                return None  # ...and the connection drops before the answer
        return super().dispatch(request)

    def _loses_answer(self, path: str) -> bool:
        with self.lock:
            losing = self.losing
            if losing and losing["count"] and losing["path"] in path:
                losing["count"] -= 1
                return True
        return False

    def handle(self, request: Request) -> Response:
        region, path = "osc-fr1", request.path
        for name, (_, _, prefix) in REGIONS.items():
            if prefix and (path == prefix or path.startswith(prefix + "/")):
                region, path = name, path[len(prefix):]
        host = f"http://{request.header('Host')}" if request.header("Host") else self.url
        refusal = self._switched_refusal(request.method, path)
        if refusal is not None:
            return refusal
        ctx = Ctx(self, request, region, host, host + REGIONS[region][2])
        found = router.match(request.method, path)
        if found is None:
            return json_response({"error": "not found"}, 404)
        handler, params, needs_auth = found
        with self.lock:
            self.world.advance()
            user, key, refusal = self._identify(request)
            if needs_auth and user is None:
                return json_response({"error": refusal}, 401)
            ctx.user = user
            if key and not self.limiter.allow(key):
                return self.rate_limited_response()
            try:
                answer = handler(ctx, **params)
            except Reply as reply:
                return reply.response
        if isinstance(answer, StreamWait):
            return self._stream(answer, request.peer_gone)
        return answer

    def _switched_refusal(self, method: str, path: str) -> Response | None:
        """The answers the control switches force (rate_limit_*, fail_app_reads), or None."""
        with self.lock:
            throttle = self.throttle
            if throttle and throttle["count"] and throttle["path"] in path:
                throttle["count"] -= 1
                self.throttled.append(path)
                refusal = self.rate_limited_response()
                if throttle["retry_after"] is not None:
                    refusal = Response(refusal.status, refusal.body,
                                       {**refusal.headers, "Retry-After": str(throttle["retry_after"])},
                                       refusal.content_type)
                return refusal
            failing = self.failing_reads
            if failing and method == "GET" and any(path.startswith(f"/v1/apps/{ref}/") for ref in failing["refs"]):
                return json_response({"error": failing["error"]}, failing["status"])
        return None

    def _identify(self, request: Request) -> tuple[dict | None, str | None, str]:
        """(user, rate-limit key, why refused) from the Authorization header."""
        header = request.header("Authorization") or ""
        if header.startswith("Bearer "):
            user_id, api_token, refusal = self.credentials.check_bearer(header[7:].strip())
            return (self.world.users[user_id], api_token, "") if user_id else (None, None, refusal)
        basic = self.credentials.check_basic(header)
        if basic and self.legacy_auth and not basic[0]:
            token = basic[1]
            user_id = self.credentials.legacy_tokens.get(token) or self.credentials.api_tokens.get(token)
            if user_id:
                return self.world.users[user_id], token, ""
            return None, None, "Invalid credentials"
        if basic and request.path.endswith("/tokens/exchange"):
            return None, basic[1] or None, ""  # the exchange counts against its token's budget
        return None, None, "authentication required"

    def authenticate(self, ctx: Ctx) -> dict | None:
        return self._identify(ctx.request)[0]

    def rate_limited_response(self) -> Response:
        # DD index.md: plain text "Retry later", and no Retry-After or X-RateLimit-* headers.
        return Response(429, "Retry later", content_type="text/plain")

    def _stream(self, wait: StreamWait, peer_gone) -> Response | None:
        """Server-sent events, the documented fallback when the client does not upgrade to a
        WebSocket. The answer ends after the first batch of lines (or a ping when none came
        within `stream_seconds`); the logs token remembers what it delivered, so a client
        reconnecting with the same URL loses nothing. A client that closes its connection ends
        the wait at once, as the logs host does (`open_log_streams` counts the waits)."""
        with self.lock:
            self.open_log_streams += 1
        try:
            return self._stream_wait(wait, peer_gone)
        finally:
            with self.lock:
                self.open_log_streams -= 1

    def _stream_wait(self, wait: StreamWait, peer_gone) -> Response | None:
        deadline = time.monotonic() + self.stream_seconds
        while True:
            if peer_gone():
                return None
            with self.lock:
                self.world.advance()
                app = self.world.apps.get(wait.app_id)
                fresh = [e for e in app["_logs"] if e[0] > wait.session["seq"]] if app else []
                if fresh:
                    wait.session["seq"] = fresh[-1][0]
                lines = [e for e in fresh if wait.wanted(e[2])]
                if lines or app is None or time.monotonic() >= deadline or self._stopping.is_set():
                    frames = [{"event": "log", "name": "log", "log": self.world.log_line(e)} for e in lines] or [
                        {"event": "ping", "name": "ping", "timestamp": iso(time.time())}]
                    body = "".join(f"data: {json.dumps(frame)}\n\n" for frame in frames)
                    return Response(200, body, content_type="text/event-stream")
            self._stopping.wait(0.05)

    # -- the world moving ---------------------------------------------------------------
    def tick(self) -> None:
        with self.lock:  # tests call it directly, while the server threads run
            self._tick()

    def _tick(self) -> None:
        world = self.world
        world.advance(force=True)
        running = [a for a in world.apps.values() if a["status"] == "running"]
        for app in running:
            world.move_stats(app)
        for app in self.rng.sample(running, min(len(running), 25)):
            world.chatter(app)
        if self.lively:
            self._happen(running)

    def _happen(self, running: list[dict]) -> None:
        """The demo's own life: now and then a deployment, a platform restart, a crash, a recovery."""
        world, roll = self.world, self.rng.random()
        if running and roll < 0.08:
            app = self.rng.choice(running)
            world.add_deployment(app, world.users[app["_owner"]])
        elif running and roll < 0.16:
            app = self.rng.choice(running)
            world.record(app, None, "restart", {"scope": None, "reason": "rebalancing_operation"})
            world.start_operation(app, "restart")
        elif running and roll < 0.19:
            world.crash(self.rng.choice(running))
        crashed = [a for a in world.apps.values() if a["status"] == "crashed"]
        if crashed and self.rng.random() < 0.05:
            world.recover(self.rng.choice(crashed))

    # -- control API ----------------------------------------------------------------------
    def add_api_token(self, user: dict) -> str:
        token = "tk-us-" + self.world.uuid().replace("-", "")
        self.credentials.api_tokens[token] = user["id"]
        return token

    def _control_app(self, payload: dict) -> dict:
        app = self.world.find_app(str(payload.get("app", "")))
        if app is None:
            raise Reply(json_response({"error": f"no app {payload.get('app')!r}"}, 404))
        return app

    def control(self, action: str, payload: dict) -> Response | None:
        with self.lock:
            try:
                return self._control_action(action, payload or {})
            except Reply as reply:
                return reply.response

    def _control_action(self, action: str, payload: dict) -> Response | None:
        world = self.world
        if action == "add_app":
            owner = world.user_by_login(payload.get("owner", "ops@example.com")) or self.ops
            status = payload.get("status", "running")
            app = world.add_app(payload["name"], owner, region=payload.get("region", "osc-fr1"), status=status,
                                formation=payload.get("formation"), router_logs=payload.get("router_logs", False))
            if status in ("scaling", "restarting"):
                world.start_operation(app, "scale" if status == "scaling" else "restart")
            return json_response({"app": public(app)}, 201)
        if action == "log_streams":  # GET /_sim/log_streams: how many `stream=true` requests wait now
            return json_response({"open": self.open_log_streams})
        if action == "requests":
            return json_response({"requests": [
                {"method": r.method, "path": r.path, "query": r.query, "body": r.body.decode(errors="replace")}
                for r in self.received]})
        if action == "expire_tokens":
            if payload.get("count"):
                self.credentials.reject_next = int(payload["count"])
            else:
                self.credentials.expire_all()
            return json_response({"ok": True})
        if action == "revoke_token":
            self.credentials.api_tokens.pop(payload.get("token", ""), None)
            return json_response({"ok": True})
        if action == "fail_operations":
            world.fail_operations = int(payload.get("count", 1))
            return json_response({"ok": True})
        if action in ("rate_limit_requests", "rate_limit_operations"):
            path = "/operations/" if action == "rate_limit_operations" else str(payload.get("path") or "")
            retry_after = payload.get("retry_after")
            self.throttle = {"count": int(payload.get("count", 1)), "path": path,
                             "retry_after": None if retry_after is None else int(retry_after)}
            return json_response({"ok": True})
        if action == "lose_answers":
            self.losing = {"count": int(payload.get("count", 1)), "path": str(payload["path"])}
            return json_response({"ok": True})
        if action == "throttled":
            return json_response({"throttled": list(self.throttled)})
        if action == "hold_operations":
            if payload.get("on", True):
                world.hold_operations = True
            else:
                world.release_operations()
            return json_response({"ok": True})
        if action == "fail_app_reads":
            app = world.find_app(str(payload["app"])) if payload.get("app") else None
            if payload.get("app") and app is None:
                return json_response({"error": f"no app {payload.get('app')!r}"}, 404)
            self.failing_reads = {"refs": (app["id"], app["name"]), "status": int(payload.get("status", 500)),
                                  "error": payload.get("error") or "Internal error occured, we're on it!"
                                  } if app else None
            return json_response({"ok": True})
        if action == "payment_required":
            world.payment_required = bool(payload.get("on", True))
            return json_response({"ok": True})
        if action not in ("crash", "recover", "remove_app", "set_app_status", "log", "event"):
            return None
        app = self._control_app(payload)
        if action == "crash":
            world.crash(app)
        elif action == "recover":
            world.recover(app)
        elif action == "remove_app":
            world.remove_app(app, world.users[app["_owner"]])
            return json_response({"ok": True})
        elif action == "set_app_status":
            if payload.get("status") not in APP_STATUSES:
                return json_response({"error": f"status must be one of {APP_STATUSES}"}, 400)
            app["status"] = payload["status"]
        elif action == "log":
            for line in payload.get("lines", []):
                world.log(app, payload.get("source", "web-1"), line)
        elif action == "event":
            world.record(app, world.users[app["_owner"]], payload["type"], payload.get("type_data", {}))
        return json_response({"app": public(app)})

    @classmethod
    def demo(cls, *, seed: int = 7) -> "ScalingoSimulator":
        simulator = cls(seed=seed, operation_seconds=2.0)
        populate_demo(simulator)
        simulator.lively = True
        logger.info("demo API tokens: ops user %s, partner user %s", DEFAULT_TOKEN, PARTNER_TOKEN)
        return simulator
