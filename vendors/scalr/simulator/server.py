"""A fake Scalr server speaking both API generations over one shared world.

APIv2 answers under `/api/v1beta0/` (also the old `/api/user/v1beta0/` order), the Query
API at `/api/api.php` (and `/`, as api.scalr.net did). Built from scalr.md, not from the
clients. Run it with `python -m vendors.scalr.simulator --port 8081 --demo`.

Construction:
    ScalrSimulator(credentials=..., environments=2, farms_per_env=100, servers_per_farm=20,
                   rate_limit=None, apiv2_rate_limit=None, scalr_version="5.11")
`credentials` maps key id -> secret, or key id -> {"secret", "env_ids", "account", "user_id"}.
`rate_limit` is the Query API's requests per hour per environment (None: off);
`apiv2_rate_limit` the APIv2 requests per minute per key (None: off, Scalr's default).
`scalr_version` starting with "4" keeps Dm* and FarmGetStats alive; 5.x answers "deprecated".
`demo=True` (or `ScalrSimulator.demo()`) serves the demo installation; `demo="small"` a compact one with
the same variety (running, stopped and locked farms, DNS zones, vhosts, deployments) for fast test runs.

Control actions (`POST /_sim/<action>` with a JSON body, or `simulator.control(action, payload)`);
each answers JSON, and `{"error": ...}` with 400 when the world refuses:
    set_server_status {server_id, status, stuck?}  any legacy status ("Running", "Pending launch"...)
    fail_server {server_id, reason?}           marks the server failed (Terminated, HostDown event)
    add_farm {env_id, name, status?, roles?: [{role_id?, alias, min?, max?, servers?}]}
    lock_farm {farm_id, comment} / unlock_farm {farm_id}
    set_version {scalr_version}, set_rate_limit {rate_limit?, apiv2_rate_limit?}, reset_usage {}
    add_event {farm_id, type, message}, add_log {farm_id, message, severity?, server_id?}
    reset {} -> back to the initial world; state {} -> counts of farms and servers by status
What others do at Scalr meanwhile (the world's own rules apply: a locked farm is not launched...):
    launch_farm {farm_id}, terminate_farm {farm_id}, clone_farm {farm_id, name?} -> {farm_id}
    launch_server {farm_role_id} -> {server_id}, terminate_server {server_id}
    remove_farm {farm_id}                      the farm, its farm roles, servers, events and log vanish
    remove_farm_role {farm_role_id}            the farm role and its servers vanish
    remove_environment {env_id}                the environment and everything in it vanish
    move_server {server_id, farm_role_id}      the server shows up in another farm role (same environment)
    clear_catalog {kind, env_id?} -> {removed} empty roles, images, scripts, dns_zones, vhosts or deployments

Refusals (a restricted key, an older installation; `vendors.scalr.simulator.access` has the details, and
`ScalrSimulator.access` the Python API). Each control answers the switches now set; `reset` clears them:
    refuse {kind, env_id?, farm_id?}    an ACL refusal of `kind` (in that environment / of that farm only):
        APIv2 `403 {"errors": [{"code": "PermissionViolation", "message": "Insufficient permissions"}]}`,
        the Query API `<Error>` "You cannot use this component because you have not been placed in a team
        with the appropriate permissions. Please contact your account owner to obtain access."
        kinds: environments, farms (the list), farm (one farm's details and everything about it),
        farm_roles, servers, roles, images, scripts, script_versions, events, logs, dns_zones, vhosts,
        deployments, variables, statistics (`access.KINDS` says which paths and actions each covers)
    refuse_action {action, env_id?, farm_id?}   the same Query API `<Error>` for one action only
        (e.g. {"action": "FarmGetDetails", "farm_id": 3}: that farm's details, nothing else)
    missing_endpoint {kind}             an older Scalr without that APIv2 endpoint: `404 EndpointNotFound`
        "The endpoint you are trying to access does not exist." (e.g. {"kind": "events"}: no /event-logs/)
    missing_action {action}             an older Scalr without that Query API action: `<Error>` "Action 'X'
        is not defined"
    graphs_missing {missing?}           the statistics server answers 404 for every graph image (default true)
    hold_farm {farm_id, seconds?}       the farm's details (APIv2 GET /farms/{id}/, its servers/ and
        farm-roles/; Query API FarmGetDetails) get no answer for `seconds` (default 30), then the
        connection is dropped: a client with a shorter read timeout times out on that farm alone
    clear_refusals {}, refusals {}      everything answers again (held requests are let go) / what is set
Python: `sim.access.refuse("roles", env_id=1)`, `sim.access.refuse_action("RolesList")`,
`sim.access.missing_endpoint("events")`, `sim.access.missing_action("DmSourcesList")`,
`sim.access.hold_farm(3, seconds=30)`, `sim.access.clear()`.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections import Counter

from vendors.core.simulator import Request, Response, Simulator, json_response
from vendors.scalr.simulator import model as m
from vendors.scalr.simulator import graphs, populate
from vendors.scalr.simulator.access import Access, Hold
from vendors.scalr.simulator.apiv2 import LIMIT_MESSAGE, Apiv2Handler
from vendors.scalr.simulator.apiv2_routes import Routes
from vendors.scalr.simulator.query_api import QueryApiHandler
from vendors.scalr.simulator.world import World, WorldError

DEMO_V2_KEY_ID = "APIK0123456789ABCDEF"
DEMO_V2_SECRET = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNl"
DEMO_V2_STAGING_KEY_ID = "APIKSTAGINGUSERKEY01"
DEMO_V2_STAGING_SECRET = "c3RhZ2luZy1vbmx5LXVzZXIta2V5LXNlY3JldC0x"
DEMO_V1_KEY_ID = "5f2c4a1b51cfa1a2"
DEMO_V1_SECRET = ("c2NhbHItcXVlcnktYXBpLXRlc3QtdmVjdG9yLXNlY3JldC1zY2Fsci1xdWVyeS1hcGktdGVzdC12ZWN0b3Itc2Vj"
                  "cmV0LXNjYWxyLXF1ZXJ5LWFwaS10ZXN0LXZlY3Rv")
DEMO_CREDENTIALS = {
    DEMO_V2_KEY_ID: DEMO_V2_SECRET,
    DEMO_V1_KEY_ID: DEMO_V1_SECRET,
    DEMO_V2_STAGING_KEY_ID: {"secret": DEMO_V2_STAGING_SECRET, "env_ids": [2], "account": False, "user_id": 2},
}


class ScalrSimulator(Simulator):
    vendor = "scalr"
    tick_seconds = 2.0

    def __init__(self, *, seed: int = 7, credentials: dict | None = None, environments: int = 1,
                 farms_per_env: int = 0, servers_per_farm: int = 4, rate_limit: int | None = 10_000,
                 apiv2_rate_limit: int | None = None, scalr_version: str = "5.11", demo: bool | str = False):
        super().__init__(seed=seed)
        self.credentials = {key: _credential(key, value)
                            for key, value in (DEMO_CREDENTIALS if credentials is None else credentials).items()}
        self._options = {"seed": seed, "demo": demo, "environments": environments, "farms_per_env": farms_per_env,
                         "servers_per_farm": servers_per_farm, "rate_limit": rate_limit,
                         "apiv2_rate_limit": apiv2_rate_limit, "scalr_version": scalr_version}
        self._current = threading.local()
        self.access = Access()
        self.reset()
        self.apiv2 = Apiv2Handler(self, Routes(self))
        self.query_api = QueryApiHandler(self)

    def reset(self) -> None:
        """Back to the world, limits and version the simulator was built with; faults and refusals cleared."""
        options = self._options
        with self.lock:
            self.rng.seed(options["seed"])
            self.rate_limit = options["rate_limit"]
            self.apiv2_rate_limit = options["apiv2_rate_limit"]
            self.scalr_version = options["scalr_version"]
            self._usage: Counter = Counter()
            self.world = World(self.rng)
            if options["demo"] == "small":
                populate.small(self.world)
            elif options["demo"]:
                populate.demo(self.world)
            else:
                populate.generated(self.world, environments=options["environments"],
                                   farms_per_env=options["farms_per_env"],
                                   servers_per_farm=options["servers_per_farm"])
        self.faults.clear()
        self.access.clear()
        self.graphs_missing = False

    @classmethod
    def demo(cls, *, seed: int = 7, **options) -> "ScalrSimulator":
        return cls(seed=seed, demo=True, **options)

    # -- serving ------------------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response | None:
        if request.path.startswith("/graphics/"):  # the statistics server's images: outside the API's faults
            return self.graph_response(request)
        self._current.request = request
        return super().dispatch(request)

    def graph_response(self, request: Request) -> Response:
        """The PNG behind a `StatisticsGetGraphURL` address (`graphs.py`), or 404."""
        status, png = (404, b"") if self.graphs_missing else graphs.answer(request.path)
        return Response(status, png, {"Cache-Control": "max-age=300"} if status == 200 else {},
                        content_type="image/png" if status == 200 else "text/html")

    def serve(self, host: str = "127.0.0.1", port: int = 0, *, auto_tick: bool = False) -> str:
        """The base server writes headers and body separately; without TCP_NODELAY every answer
        waits ~40 ms for Nagle and delayed ACK. (Belongs in vendors.core.simulator.)"""
        url = super().serve(host, port, auto_tick=auto_tick)
        accept = self._server.get_request

        def get_request():
            connection, address = accept()
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return connection, address

        self._server.get_request = get_request
        return url

    def handle(self, request: Request) -> Response:
        if _is_query_api(request):
            return self.query_api.handle(request)
        if request.path.startswith("/api/"):
            return self.apiv2.handle(request)
        return Response(404, b"", content_type="text/html")

    def rate_limited_response(self) -> Response:
        request = getattr(self._current, "request", None)
        if request is not None and not _is_query_api(request):
            return Response(403, {"meta": {"requestId": str(uuid.uuid4())},
                                  "errors": [{"code": "LimitExceeded", "message": LIMIT_MESSAGE}]})
        return Response(429, b"", content_type="text/xml")

    def malformed_response(self) -> Response:
        request = getattr(self._current, "request", None)
        if request is not None and _is_query_api(request):
            return Response(200, b'<?xml version="1.0"?>\n<FarmsListResponse><FarmSet><Item>',
                            content_type="text/xml")
        return super().malformed_response()

    def tick(self) -> None:
        self.world.tick()

    def wait_held(self, hold: Hold) -> None:
        """Keep a held request waiting (never under the lock) until its time is up, the hold is
        cleared, or the simulator stops."""
        deadline = time.monotonic() + hold.seconds
        while not hold.released.is_set() and not self._stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            hold.released.wait(min(left, 0.1))

    def stop(self) -> None:
        self.access.clear()
        super().stop()

    # -- access and limits (used by both handlers) ----------------------------------------------
    def visible_env_ids(self, credential: m.Credential) -> list[int]:
        return sorted(i for i in self.world.envs if credential.env_ids is None or i in credential.env_ids)

    def over_query_api_limit(self, env_id: int) -> bool:
        """The hourly per-environment limit (B5): at the limit, refuse; otherwise count this request."""
        if self.rate_limit is None:
            return False
        bucket = ("v1", env_id, time.strftime("%Y%m%d%H"))
        with self.lock:
            if self._usage[bucket] >= self.rate_limit:
                return True
            self._usage[bucket] += 1
        return False

    def over_apiv2_limit(self, key_id: str) -> bool:
        if self.apiv2_rate_limit is None:
            return False
        bucket = ("v2", key_id, time.strftime("%Y%m%d%H%M", time.gmtime()))
        with self.lock:
            self._usage[bucket] += 1
            return self._usage[bucket] > self.apiv2_rate_limit

    # -- control ------------------------------------------------------------------------------
    def control(self, action: str, payload: dict) -> Response | None:
        handler = getattr(self, f"_control_{action}", None)
        if handler is None:
            return None
        try:
            return json_response(handler(**payload))
        except (WorldError, KeyError, TypeError, ValueError) as exc:
            return json_response({"error": str(exc)}, 400)

    def _find_server(self, server_id: str) -> m.Server:
        if server_id not in self.world.servers:
            raise KeyError(f"no server {server_id}")
        return self.world.servers[server_id]

    def _find_farm(self, farm_id: int) -> m.Farm:
        if int(farm_id) not in self.world.farms:
            raise KeyError(f"no farm {farm_id}")
        return self.world.farms[int(farm_id)]

    def _control_set_server_status(self, server_id: str, status: str, stuck: bool = False) -> dict:
        server = self._find_server(server_id)
        self.world.set_status(server, status)
        server.stuck = stuck
        return {"ok": True}

    def _control_fail_server(self, server_id: str, reason: str = "Server failed to initialize") -> dict:
        self.world.fail_server(self._find_server(server_id), reason)
        return {"ok": True}

    def _control_add_farm(self, env_id: int, name: str, status: str = "terminated", roles: list | None = None,
                          description: str = "") -> dict:
        running = status == "running"
        farm = self.world.add_farm(int(env_id), name, description=description,
                                   status=m.FARM_RUNNING if running else m.FARM_TERMINATED)
        role_ids = sorted(self.world.roles)
        for spec in roles if roles is not None else [{"alias": "base"}]:
            role_id = spec.get("role_id", role_ids[0] if role_ids else 0)  # a farm role keeps a removed role's id
            role = self.world.add_farm_role(farm, int(role_id), spec.get("alias", "base"),
                                            min_instances=int(spec.get("min", 1)),
                                            max_instances=int(spec.get("max", 2)))
            for _ in range(int(spec.get("servers", 0)) if running else 0):
                self.world.new_server(role, status="Running", reason="Added by the simulator")
        return {"farm_id": farm.id, "farm_role_ids": [r.id for r in self.world.roles_of_farm(farm.id)]}

    def _control_lock_farm(self, farm_id: int, comment: str, user_id: int = 1) -> dict:
        self.world.lock_farm(self._find_farm(farm_id), user_id, comment)
        return {"ok": True}

    def _control_unlock_farm(self, farm_id: int) -> dict:
        self.world.unlock_farm(self._find_farm(farm_id))
        return {"ok": True}

    def _control_set_version(self, scalr_version: str) -> dict:
        self.scalr_version = scalr_version
        return {"scalr_version": scalr_version}

    def _control_set_rate_limit(self, **limits) -> dict:
        for name in ("rate_limit", "apiv2_rate_limit"):
            if name in limits:
                setattr(self, name, limits[name])
        return {"rate_limit": self.rate_limit, "apiv2_rate_limit": self.apiv2_rate_limit}

    def _control_reset_usage(self) -> dict:
        self._usage.clear()
        return {"ok": True}

    def _control_add_event(self, farm_id: int, type: str, message: str) -> dict:
        return {"id": self.world.add_event(self._find_farm(farm_id), type, message).id}

    def _control_add_log(self, farm_id: int, message: str, severity: int = 2, server_id: str = "") -> dict:
        server = self.world.servers.get(server_id)
        self.world.add_log(self._find_farm(farm_id), server, message, severity=int(severity))
        return {"ok": True}

    # what others do at Scalr meanwhile
    def _find_farm_role(self, farm_role_id: int) -> m.FarmRole:
        if int(farm_role_id) not in self.world.farm_roles:
            raise KeyError(f"no farm role {farm_role_id}")
        return self.world.farm_roles[int(farm_role_id)]

    def _control_launch_farm(self, farm_id: int) -> dict:
        self.world.launch_farm(self._find_farm(farm_id))
        return {"ok": True}

    def _control_terminate_farm(self, farm_id: int) -> dict:
        self.world.terminate_farm(self._find_farm(farm_id))
        return {"ok": True}

    def _control_clone_farm(self, farm_id: int, name: str | None = None) -> dict:
        return {"farm_id": self.world.clone_farm(self._find_farm(farm_id), name).id}

    def _control_launch_server(self, farm_role_id: int) -> dict:
        return {"server_id": self.world.launch_server(self._find_farm_role(farm_role_id)).id}

    def _control_terminate_server(self, server_id: str) -> dict:
        self.world.terminate_server(self._find_server(server_id))
        return {"ok": True}

    def _control_remove_farm(self, farm_id: int) -> dict:
        self.world.remove_farm(self._find_farm(farm_id))
        return {"ok": True}

    def _control_remove_farm_role(self, farm_role_id: int) -> dict:
        self.world.remove_farm_role(self._find_farm_role(farm_role_id))
        return {"ok": True}

    def _control_remove_environment(self, env_id: int) -> dict:
        self.world.remove_environment(int(env_id))
        return {"ok": True}

    def _control_move_server(self, server_id: str, farm_role_id: int) -> dict:
        self.world.move_server(self._find_server(server_id), self._find_farm_role(farm_role_id))
        return {"ok": True}

    def _control_clear_catalog(self, kind: str, env_id: int | None = None) -> dict:
        return {"removed": self.world.clear_catalog(kind, None if env_id is None else int(env_id))}

    # refusals (see vendors.scalr.simulator.access)
    def _control_refuse(self, kind: str, env_id: int | None = None, farm_id: int | None = None) -> dict:
        self.access.refuse(kind, env_id, farm_id)
        return self.access.as_dict()

    def _control_refuse_action(self, action: str, env_id: int | None = None, farm_id: int | None = None) -> dict:
        self.access.refuse_action(action, env_id, farm_id)
        return self.access.as_dict()

    def _control_missing_endpoint(self, kind: str) -> dict:
        self.access.missing_endpoint(kind)
        return self.access.as_dict()

    def _control_missing_action(self, action: str) -> dict:
        self.access.missing_action(action)
        return self.access.as_dict()

    def _control_hold_farm(self, farm_id: int, seconds: float = 30.0) -> dict:
        self.access.hold_farm(int(farm_id), float(seconds))
        return self.access.as_dict()

    def _control_graphs_missing(self, missing: bool = True) -> dict:
        self.graphs_missing = bool(missing)
        return {"graphs_missing": self.graphs_missing}

    def _control_clear_refusals(self) -> dict:
        self.access.clear()
        return self.access.as_dict()

    def _control_refusals(self) -> dict:
        return self.access.as_dict()

    def _control_reset(self) -> dict:
        self.reset()
        return {"ok": True}

    def _control_state(self) -> dict:
        return {"farms": dict(Counter(f.status for f in self.world.farms.values())),
                "servers": dict(Counter(s.status for s in self.world.servers.values())),
                "ticks": self.world.ticks}


def _credential(key_id: str, value) -> m.Credential:
    if isinstance(value, str):
        return m.Credential(key_id, value)
    env_ids = value.get("env_ids")
    return m.Credential(key_id, value["secret"], int(value.get("user_id", 1)),
                        frozenset(env_ids) if env_ids is not None else None, bool(value.get("account", True)))


def _is_query_api(request: Request) -> bool:
    return request.path in ("/api/api.php", "/api/api.php/", "/")

