"""The simulated Scalingo platform: users, apps, formations, operations, events, logs.

Plain data and the rules that move it, with no HTTP in sight; `routes_*` turn requests
into calls here. Objects are dicts holding the wire fields, plus private `_` keys that
never leave the simulator (see `public`). Callers hold the simulator's lock.
"""

from __future__ import annotations

import math
import time
import uuid
from collections import deque
from datetime import datetime, timezone

#: Container sizes as recorded on the wire (features/container_sizes), in ordinal order.
SIZES = [
    ("S", 268435456, 2, "low CPU priority", 128),
    ("M", 536870912, 3, "standard CPU priority", 256),
    ("L", 1073741824, 4, "standard CPU priority", 512),
    ("XL", 2147483648, 5, "high CPU priority", 1024),
    ("2XL", 4294967296, 6, "high CPU priority", 2048),
    ("3XL", 8589934592, 7, "very high CPU priority", 4096),
    ("4XL", 17179869184, 8, "very high CPU priority", 8182),
]
SIZE_NAMES = [name for name, *_ in SIZES]
MAX_PER_TYPE = 10  # DD apps.md: "at most 10 containers per type"
APP_STATUSES = ("new", "running", "stopped", "crashed", "restarting", "scaling", "booting")
BUSY_STATUSES = ("restarting", "scaling", "booting")
STACK_ID = "st-66a577a9-7c41-4fbc-b8ac-07cebd91339b"
REGIONS = {
    # name: (display name, publicly listed, path prefix on the simulator)
    "osc-fr1": ("Paris - Outscale", True, ""),
    "osc-secnum-fr1": ("Paris - SecNumCloud - Outscale", False, "/osc-secnum-fr1"),
}


def iso(ts: float) -> str:
    """The API's usual date form: UTC, milliseconds, `Z`."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def public(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def size_json(name: str) -> dict:
    for size, memory, ordinal, cpu, pids in SIZES:
        if size == name:
            return {"id": str(uuid.uuid5(uuid.NAMESPACE_DNS, "size-" + size)), "human_cpu": cpu, "name": size,
                    "human_name": size, "memory": memory, "ordinal": ordinal, "hourly_price": 10 * 2 ** (ordinal - 2),
                    "thirtydays_price": 720 * 2 ** (ordinal - 2), "pids_limit": pids, "swap": None,
                    "sku": f"osc-fr1-app-{size.lower()}"}
    raise KeyError(name)


class World:
    def __init__(self, rng, *, operation_seconds: float = 1.0):
        self.rng = rng
        self.operation_seconds = operation_seconds
        self.users: dict[str, dict] = {}
        self.apps: dict[str, dict] = {}
        self.events: list[dict] = []  # oldest first
        self.operations: dict[str, dict] = {}
        # What `advance` has to look at, so a request costs the same with 5 apps or 5,000.
        self.active_operations: set[str] = set()
        self.moving_apps: set[str] = set()  # apps with a deployment or an addon in progress
        self.fail_operations = 0  # the next N operations end in `error`
        #: new operations stay `pending` until released (an operation Scalingo takes its time over)
        self.hold_operations = False
        self.payment_required = False  # app creation answers 402 (free trial)
        self._counter = 0

    # -- ids ---------------------------------------------------------------------------
    def object_id(self, ts: float | None = None) -> str:
        """A 24-hex ObjectId: 4 bytes of time then a counter, as Mongo makes them."""
        self._counter += 1
        return f"{int(ts or time.time()):08x}{self.rng.getrandbits(40):010x}{self._counter:06x}"

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # -- users -------------------------------------------------------------------------
    def add_user(self, email: str, username: str, password: str) -> dict:
        user = {"id": "us-" + self.uuid(), "email": email, "username": username, "fullname": username.title(),
                "created_at": iso(time.time() - 86400 * 400), "company": None, "location": "Paris",
                "flags": {}, "limits": {}, "_password": password}
        user["uuid"] = user["id"]
        self.users[user["id"]] = user
        return user

    def user_by_login(self, login: str) -> dict | None:
        return next((u for u in self.users.values() if login in (u["email"], u["username"])), None)

    @staticmethod
    def user_ref(user: dict) -> dict:
        return {"username": user["username"], "email": user["email"], "id": user["id"]}

    # -- apps --------------------------------------------------------------------------
    def add_app(self, name: str, owner: dict, *, region: str = "osc-fr1", status: str = "running",
                formation: list[dict] | None = None, created: float | None = None, deployed: bool | None = None,
                router_logs: bool = False) -> dict:
        now = time.time()
        deployed = status != "new" if deployed is None else deployed
        created = created or now - (300 if deployed else 0)  # room for its first deployment, in the past
        app_id = self.object_id(created)
        domain = f"{name}.{region}.scalingo.io"
        app = {
            "id": app_id, "name": name, "parent_app_name": "", "created_at": iso(created), "updated_at": iso(created),
            "git_url": f"git@ssh.{region}.scalingo.com:{name}.git", "url": f"https://{domain}",
            "base_url": f"https://{domain}", "status": status, "owner": self.user_ref(owner),
            "last_deployed_at": None, "last_deployed_by": None, "last_deployment_id": None, "git_source": None,
            "flags": {}, "limits": {}, "force_https": False, "sticky_session": False, "router_logs": router_logs,
            "stack_id": STACK_ID, "region": region, "project": None, "hds_resource": False,
            "_region": region, "_owner": owner["id"],
            "_formation": [dict(c) for c in (formation or [{"name": "web", "command": "", "amount": 1, "size": "S"}])],
            "_containers": [], "_variables": [], "_addons": [], "_domains": [], "_collaborators": [],
            "_deployments": [], "_logs": deque(maxlen=2000), "_log_seq": 0, "_traffic": self.rng.uniform(20, 400),
        }
        for entry in app["_formation"]:
            entry["app_id"] = app_id
        self.apps[app_id] = app
        self.record(app, owner, "new_app", {"git_source": None}, created)
        if deployed:
            self.add_deployment(app, owner, status="success", created=created + 60)
        if status in ("new", "stopped"):
            for entry in app["_formation"]:
                entry["amount"] = 0 if status == "stopped" else entry["amount"]
        else:
            self.reconcile(app, "crashed" if status == "crashed" else "running")
        return app

    def remove_app(self, app: dict, actor: dict) -> None:
        self.record(app, actor, "delete_app", {})
        del self.apps[app["id"]]

    def find_app(self, ref: str, region: str | None = None) -> dict | None:
        app = self.apps.get(ref) or next((a for a in self.apps.values() if a["name"] == ref), None)
        if app and region and app["_region"] != region:
            return None
        return app

    def can_see(self, user: dict, app: dict) -> bool:
        return app["_owner"] == user["id"] or any(
            c.get("user_id") == user["id"] and c["status"] == "accepted" for c in app["_collaborators"])

    def touch(self, app: dict) -> None:
        app["updated_at"] = iso(time.time())

    # -- formation and containers ------------------------------------------------------
    def reconcile(self, app: dict, state: str) -> None:
        """Make the running containers match the formation; new ones get `state`."""
        wanted = {(c["name"], i) for c in app["_formation"] for i in range(1, c["amount"] + 1)}
        app["_containers"] = [c for c in app["_containers"] if (c["type"], c["type_index"]) in wanted]
        have = {(c["type"], c["type_index"]) for c in app["_containers"]}
        sizes = {c["name"]: c for c in app["_formation"]}
        for kind, index in sorted(wanted - have):
            self._start_container(app, sizes[kind], index, state)
        for container in app["_containers"]:
            container["_size"] = sizes[container["type"]]["size"]
            if state in ("crashed", "running"):
                container["state"] = state
        app["_containers"].sort(key=lambda c: (c["type"], c["type_index"]))

    def _start_container(self, app: dict, entry: dict, index: int, state: str) -> None:
        now = time.time()
        memory = dict((n, m) for n, m, *_ in SIZES)[entry["size"]]
        app["_containers"].append({
            "id": self.object_id(now), "type": entry["name"], "type_index": index,
            "label": f"{entry['name']}-{index}", "created_at": iso(now), "deleted_at": None, "state": state,
            "command": entry["command"], "app_id": app["id"], "_size": entry["size"],
            "_stats": {"cpu": self.rng.randint(0, 30), "memory": int(memory * self.rng.uniform(0.2, 0.6)),
                       "highest_memory": 0, "swap": 0, "highest_swap": 0},
        })
        self.log(app, "manager", f"container [{entry['name']}-{index}] ({app['_containers'][-1]['id']}) has started")

    def container_json(self, container: dict) -> dict:
        data = public(container)
        data["size"] = ""
        data["container_size"] = size_json(container["_size"])
        return data

    def formation_json(self, app: dict) -> list[dict]:
        return [dict(entry) for entry in app["_formation"]]

    def stats_json(self, app: dict) -> list[dict]:
        memory = dict((n, m) for n, m, *_ in SIZES)
        out = []
        for c in app["_containers"]:
            if c["state"] != "running":
                continue
            s = c["_stats"]
            limit = memory[c["_size"]]
            out.append({"id": c["label"], "cpu_usage": s["cpu"], "memory_usage": s["memory"], "memory_limit": limit,
                        "highest_memory_usage": max(s["highest_memory"], s["memory"]), "swap_usage": s["swap"],
                        "swap_limit": limit * 3, "highest_swap_usage": s["highest_swap"]})
        return out

    def move_stats(self, app: dict) -> None:
        memory = dict((n, m) for n, m, *_ in SIZES)
        for c in app["_containers"]:
            s = c["_stats"]
            limit = memory[c["_size"]]
            s["cpu"] = max(0, min(100, s["cpu"] + self.rng.randint(-8, 8)))
            s["memory"] = int(max(limit * 0.05, min(limit * 0.98, s["memory"] * self.rng.uniform(0.93, 1.07))))
            s["highest_memory"] = max(s["highest_memory"], s["memory"])
            if s["memory"] > limit * 0.9:
                s["swap"] = int(limit * self.rng.uniform(0, 0.05))
                s["highest_swap"] = max(s["highest_swap"], s["swap"])
        app["_traffic"] = max(0.0, app["_traffic"] * self.rng.uniform(0.9, 1.1))

    def series(self, app: dict, metric: str, kind: str | None, index: int | None, *, since_hours: float,
               status_code: str | None = None) -> list[dict]:
        """One point per minute over the window; past points follow a curve, the newest is live."""
        now = int(time.time() // 60) * 60
        points = int(since_hours * 60) + 1
        seed = sum(map(ord, app["id"] + metric + (kind or "") + str(index or "")))
        live = self._live_value(app, metric, kind, index, status_code)
        out = []
        for i in range(points):
            t = now - (points - 1 - i) * 60
            if i == points - 1:
                value = live
            else:
                wave = 1 + 0.3 * math.sin(t / 1800 + seed) + 0.1 * math.sin(t / 97 + seed * 3)
                value = round((live if live else 1.0) * wave, 3)
            out.append({"time": datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "value": None if i == 0 else value})
        return out

    def _live_value(self, app, metric, kind, index, status_code) -> float:
        if metric == "router":
            share = {"all": 1.0, "2XX": 0.9, "3XX": 0.04, "4XX": 0.05, "5XX": 0.01}.get(status_code or "all", 0.0)
            return round(app["_traffic"] * share, 1)
        if metric == "requests":  # response time in ms
            return round(40 + app["_traffic"] / 10, 1)
        chosen = [c for c in app["_containers"] if c["type"] == kind and (index is None or c["type_index"] == index)]
        if not chosen:
            return 0.0
        key = {"cpu": "cpu", "memory": "memory", "swap": "swap"}[metric]
        return round(sum(c["_stats"][key] for c in chosen) / len(chosen), 3)

    # -- operations --------------------------------------------------------------------
    def start_operation(self, app: dict, kind: str, *, scope: list[str] | None = None) -> dict:
        now = time.time()
        op = {"id": self.object_id(now), "app_id": app["id"], "created_at": iso(now), "finished_at": None,
              "status": "pending", "type": kind, "error": None, "message": None,
              "_next": now + self.operation_seconds, "_scope": scope, "_fail": self.fail_operations > 0,
              "_held": self.hold_operations}
        self.fail_operations = max(0, self.fail_operations - 1)
        self.operations[op["id"]] = op
        self.active_operations.add(op["id"])
        app["status"] = "scaling" if kind == "scale" else "restarting"
        return op

    def advance(self, *, force: bool = False) -> None:
        """Move operations, deployments and addons whose step time has come (or all by one step)."""
        now = time.time()
        for op_id in list(self.active_operations):
            op = self.operations[op_id]
            if op["_held"]:
                continue
            if force or op["_next"] <= now:
                self._step_operation(op, now)
            if op["status"] not in ("pending", "running"):
                self.active_operations.discard(op_id)
        for app_id in list(self.moving_apps):
            app = self.apps.get(app_id)
            if app is None:
                self.moving_apps.discard(app_id)
                continue
            for deployment in app["_deployments"]:
                if deployment["status"] in DEPLOY_STEPS and (force or deployment["_next"] <= now):
                    self._step_deployment(app, deployment, now)
            for addon in app["_addons"]:
                if addon["status"] == "provisioning" and (force or addon["_next"] <= now):
                    addon["status"] = "running"
            if not any(d["status"] in DEPLOY_STEPS for d in app["_deployments"]) and not any(
                    a["status"] == "provisioning" for a in app["_addons"]):
                self.moving_apps.discard(app_id)

    def release_operations(self) -> None:
        """Held operations move on again, from now."""
        self.hold_operations = False
        now = time.time()
        for op_id in self.active_operations:
            op = self.operations[op_id]
            if op["_held"]:
                op["_held"], op["_next"] = False, now

    def _step_operation(self, op: dict, now: float) -> None:
        app = self.apps.get(op["app_id"])
        op["_next"] = now + self.operation_seconds
        if op["status"] == "pending":
            op["status"] = "running"
            if app and op["type"] == "scale":
                self.reconcile(app, "booting")
            elif app and op["type"] == "restart":
                for c in app["_containers"]:
                    if self._in_scope(c, op["_scope"]):
                        c["state"] = "booting"
                        self.log(app, "manager", f"container [{c['label']}] ({c['id']}) has stopped")
            return
        op["finished_at"] = iso(now)
        if op["_fail"]:
            op["status"] = "error"
            op["error"] = f"container {op['_scope'][0] if op['_scope'] else 'web'}-1 failed to {op['type']}"
        else:
            op["status"] = "done"
        if not app:
            return
        if op["type"] == "restart" and op["status"] == "done":
            for c in app["_containers"]:
                if self._in_scope(c, op["_scope"]):
                    c["created_at"] = iso(now)
                    self.log(app, "manager", f"container [{c['label']}] ({c['id']}) has started")
        self.reconcile(app, "running")
        app["status"] = "running" if app["_containers"] else "stopped"
        self.touch(app)

    @staticmethod
    def _in_scope(container: dict, scope: list[str] | None) -> bool:
        return not scope or container["type"] in scope or container["label"] in scope

    def crash(self, app: dict) -> None:
        app["status"] = "crashed"
        for c in app["_containers"]:
            c["state"] = "crashed"
            self.log(app, "manager", f"container [{c['label']}] ({c['id']}) has crashed")
        kind = app["_containers"][0]["type"] if app["_containers"] else "web"
        self.record(app, None, "crash", {"container_type": kind, "crash_logs": "Error: listen EADDRINUSE",
                                         "logs_url": None})

    def recover(self, app: dict) -> None:
        self.reconcile(app, "running")
        app["status"] = "running" if app["_containers"] else "stopped"
        self.record(app, None, "restart", {"scope": None, "reason": "unexpected_failure"})

    # -- deployments -------------------------------------------------------------------
    def add_deployment(self, app: dict, pusher: dict, *, status: str = "building", created: float | None = None,
                       git_ref: str | None = None) -> dict:
        created = created or time.time()
        previous = app["_deployments"][0]["git_ref"] if app["_deployments"] else None
        deployment = {
            "id": self.uuid(), "app_id": app["id"], "created_at": iso(created), "finished_at": None,
            "status": status, "git_ref": git_ref or f"{self.rng.getrandbits(160):040x}", "previous_git_ref": previous,
            "type": "deployment", "image": None, "registry": None, "postdeploy_hook": None, "duration": 0,
            "image_size": 0, "stack_base_image": "scalingo/scalingo-22", "pusher": self.user_ref(pusher),
            "_next": time.time() + self.operation_seconds, "_created": created, "_output": [],
        }
        deployment["_output"].append(f" \x1b[1m<-- Start deployment of {app['name']} -->\x1b[0m")
        deployment["_output"].append("       Fetching source code")
        app["_deployments"].insert(0, deployment)
        if status == "success":
            self._finish_deployment(app, deployment, created + self.rng.randint(40, 160))
        else:
            app["status"] = "booting"
            self.moving_apps.add(app["id"])
        return deployment

    def _step_deployment(self, app: dict, deployment: dict, now: float) -> None:
        step = DEPLOY_STEPS.index(deployment["status"])
        deployment["_next"] = now + self.operation_seconds
        deployment["_output"].append(DEPLOY_OUTPUT[step])
        if step + 1 < len(DEPLOY_STEPS):
            deployment["status"] = DEPLOY_STEPS[step + 1]
        else:
            self._finish_deployment(app, deployment, now)
            if not any(e["amount"] for e in app["_formation"]):
                app["_formation"][0]["amount"] = 1
            self.reconcile(app, "running")
            app["status"] = "running"

    def _finish_deployment(self, app: dict, deployment: dict, finished: float) -> None:
        deployment.update(status="success", finished_at=iso(finished), image_size=104857600,
                          duration=int(finished - deployment["_created"]))
        deployment["_output"] += ["=====> Detected Framework: Node.js", "-----> Build succeeded",
                                  " \x1b[1m<-- https://" + app["name"] + ".scalingo.io -->\x1b[0m"]
        app.update(last_deployed_at=iso(finished), last_deployed_by=deployment["pusher"]["username"],
                   last_deployment_id=deployment["id"])
        user = self.users.get(deployment["pusher"]["id"])
        self.record(app, user, "deployment", {
            "deployment_id": deployment["id"], "pusher": deployment["pusher"]["username"],
            "git_ref": deployment["git_ref"], "stack": "scalingo-22", "last_commits": {"commits": [], "remaining": 0},
            "git_ref_url": None, "deployment_type": "deployment", "status": "success",
            "duration": deployment["duration"], "finished_at": iso(finished)}, finished)

    # -- events and logs ---------------------------------------------------------------
    def record(self, app: dict | None, user: dict | None, kind: str, type_data: dict, ts: float | None = None) -> dict:
        ts = ts or time.time()
        event = {"id": self.object_id(ts), "created_at": iso(ts), "type": kind,
                 "app_id": app["id"] if app else None, "app_name": app["name"] if app else None,
                 "user": self.user_ref(user) if user else None, "type_data": type_data,
                 "_ts": ts, "_owner": app["_owner"] if app else None, "_actor": user["id"] if user else None}
        self.events.append(event)
        if self.events[-2:-1] and self.events[-2]["_ts"] > ts:  # backdated (demo history): keep time order
            self.events.sort(key=lambda e: e["_ts"])
        return event

    def log(self, app: dict, source: str, message: str) -> None:
        app["_log_seq"] += 1
        app["_logs"].append((app["_log_seq"], time.time(), source, message))

    @staticmethod
    def log_line(entry) -> str:
        _, ts, source, message = entry
        stamp = datetime.fromtimestamp(ts, timezone.utc)
        return f"{stamp:%Y-%m-%d %H:%M:%S}.{int(ts * 1e9) % 1_000_000_000:09d} +0000 UTC [{source}] {message}"

    def chatter(self, app: dict) -> None:
        """A few plausible lines from the app's running containers."""
        web = [c for c in app["_containers"] if c["state"] == "running"]
        for _ in range(self.rng.randint(1, 3)):
            if not web:
                return
            c = self.rng.choice(web)
            path = self.rng.choice(["/", "/api/items", "/health", "/login", "/api/orders/42"])
            status = self.rng.choice([200] * 12 + [201, 304, 404, 500])
            ms = self.rng.randint(2, 400)
            self.log(app, c["label"], f"{self.rng.choice(['GET', 'GET', 'POST'])} {path} {status} {ms}ms")
            if app["router_logs"]:
                self.log(app, "router", f'method=GET path="{path}" host={app["name"]}.scalingo.io '
                                        f'request_id={self.uuid()} container={c["label"]} from="10.0.0.1" '
                                        f'protocol=https status={status} duration={ms / 1000:.3f}s bytes=512')


DEPLOY_STEPS = ("queued", "building", "pushing", "starting")
DEPLOY_OUTPUT = ("       Build queued", "=====> Downloading Buildpack", "-----> Pushing image",
                 "-----> Starting containers")
