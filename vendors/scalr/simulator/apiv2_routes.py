"""APIv2 endpoints of the simulator (scalr.md A7), rendered in the A8 object shapes.

The 7.x endpoints (lock/unlock, server launch, script execution, event logs,
environment/server variables) follow the scalr-ctl command scheme; their bodies beyond
what scalr.md states are this simulator's choice and are marked so in the docstrings.
"""

from __future__ import annotations

import re

from vendors.scalr.simulator import apiv2_objects as obj
from vendors.scalr.simulator import model as m
from vendors.scalr.simulator.access import APIV2_PERMISSION_MESSAGE, ENDPOINT_NOT_FOUND, apiv2_target
from vendors.scalr.simulator.apiv2 import ApiError, Context, DropConnection, Listing
from vendors.scalr.simulator.world import WorldError

NOT_OWNED = "Requested {} either does not exist or is not owned by your environment."
WORLD_ERRORS = {"state": (409, "UnacceptableState"), "locked": (409, "Locked"), "unique": (409, "UnicityViolation"),
                "invalid": (400, "InvalidValue"), "limit": (409, "UnacceptableState"),
                "not_found": (404, "ObjectNotFound")}
VARIABLE_SCOPES = {"": "environment", "farms": "farm", "farm-roles": "farmrole", "roles": "role", "servers": "server"}


class Routes:
    def __init__(self, simulator):
        self.sim = simulator
        self.table: list[tuple[str, str, re.Pattern, object]] = []
        for method, scope, pattern, handler in ROUTES:
            regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")
            self.table.append((method, scope, regex, handler))

    @property
    def world(self):
        return self.sim.world

    def dispatch(self, ctx: Context, method: str, scope: str, rest: str):
        if scope == "user":
            env, _, rest = rest.lstrip("/").partition("/")
            ctx.env_id = self._environment(ctx, env)
            rest = "/" + rest
        elif scope == "account":
            if not ctx.credential.account:
                raise ApiError(403, "PermissionViolation", "Insufficient permissions")
            rest = re.sub(r"^/\d+(?=/)", "", rest)  # the 7.x `/account/{accountId}/` form
        for route_method, route_scope, regex, handler in self.table:
            match = regex.match(rest)
            if match and route_scope == scope and route_method == method:
                self._check_access(ctx, method, scope, rest)
                with self.sim.lock:
                    try:
                        return handler(self, ctx, **match.groupdict())
                    except WorldError as exc:
                        status, code = WORLD_ERRORS[exc.kind]
                        raise ApiError(status, code, exc.message) from None
        raise ApiError(404, "EndpointNotFound", ENDPOINT_NOT_FOUND)

    def _check_access(self, ctx: Context, method: str, scope: str, rest: str) -> None:
        """The simulator's switches (`access`): an endpoint this installation lacks, an ACL refusal,
        a farm whose details are held until the client gives up (then the connection is dropped)."""
        access = self.sim.access
        with self.sim.lock:
            target = apiv2_target(self.world, scope, ctx.env_id or None, method, rest, ctx.params)
        if access.is_missing(target):
            raise ApiError(404, "EndpointNotFound", ENDPOINT_NOT_FOUND)
        if access.is_refused(target):
            raise ApiError(403, "PermissionViolation", APIV2_PERMISSION_MESSAGE)
        hold = access.hold_for(target)
        if hold is not None:
            self.sim.wait_held(hold)
            raise DropConnection()

    def _environment(self, ctx: Context, env: str) -> int:
        if not env.isdigit() or int(env) < 1:
            raise ApiError(400, "InvalidValue", "Environment has not been provided with the request")
        if int(env) not in self.world.envs:
            raise ApiError(403, "ObjectNotFound", "Invalid environment")
        if int(env) not in self.sim.visible_env_ids(ctx.credential):
            raise ApiError(403, "PermissionViolation", "You don't have access to the environment.")
        return int(env)

    # -- lookups answering the APIv2 not-found message ----------------------------------------
    def _find(self, kind: str, lookup, *args):
        try:
            return lookup(*args)
        except WorldError as exc:
            if exc.kind == "not_found":
                raise ApiError(404, "ObjectNotFound", NOT_OWNED.format(kind)) from None
            raise

    def farm(self, ctx, farm_id: str) -> m.Farm:
        return self._find("Farm", self.world.farm, ctx.env_id, _int(farm_id))

    def farm_role(self, ctx, farm_role_id: str) -> m.FarmRole:
        return self._find("FarmRole", self.world.farm_role, ctx.env_id, _int(farm_role_id))

    def server(self, ctx, server_id: str) -> m.Server:
        return self._find("Server", self.world.server, ctx.env_id, server_id)

    def script(self, ctx, script_id: str) -> m.Script:
        return self._find("Script", self.world.script, ctx.env_id, _int(script_id))

    def role(self, ctx, role_id: str) -> m.Role:
        return self._find("Role", self.world.role, _int(role_id))


def _int(text: str) -> int:
    return int(text) if text.isdigit() else -1


def _required(body: dict, name: str):
    if body.get(name) in (None, ""):
        raise ApiError(400, "InvalidStructure", f"Missed property {name}")
    return body[name]


def _flag(body: dict, name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise ApiError(400, "InvalidValue", f"Property {name} must be a boolean")
    return value


# -- account scope ------------------------------------------------------------------------------
def environments(r: Routes, ctx):
    return 200, Listing([obj.environment(r.world.envs[i]) for i in r.sim.visible_env_ids(ctx.credential)])


def environment(r: Routes, ctx, env_id):
    if _int(env_id) not in r.sim.visible_env_ids(ctx.credential):
        raise ApiError(404, "ObjectNotFound", NOT_OWNED.format("Environment"))
    return 200, obj.environment(r.world.envs[int(env_id)])


# -- farms --------------------------------------------------------------------------------------
def farms(r: Routes, ctx):
    return 200, Listing([obj.farm(r.world, f) for f in r.world.farms_of(ctx.env_id)])


def farm(r: Routes, ctx, farm_id):
    return 200, obj.farm(r.world, r.farm(ctx, farm_id))


def farm_launch(r: Routes, ctx, farm_id):
    target = r.farm(ctx, farm_id)
    r.world.launch_farm(target)
    return 200, obj.farm(r.world, target)


def farm_terminate(r: Routes, ctx, farm_id):
    target = r.farm(ctx, farm_id)
    _flag(ctx.body(), "force")  # validated; the simulated cloud terminates as fast either way
    r.world.terminate_farm(target)
    return 200, obj.farm(r.world, target)


def farm_clone(r: Routes, ctx, farm_id):
    source = r.farm(ctx, farm_id)
    return 201, obj.farm(r.world, r.world.clone_farm(source, str(_required(ctx.body(), "name"))))


def farm_lock(r: Routes, ctx, farm_id):
    """7.x. Body `{"lockComment": str (required), "unlockPermission": owner|team|anyone}`."""
    target = r.farm(ctx, farm_id)
    body = ctx.body()
    permission = body.get("unlockPermission", "owner")
    if permission not in ("owner", "team", "anyone"):
        raise ApiError(400, "InvalidValue", f"'Farm.unlockPermission' with value ({permission}) is not allowed. "
                                            "Allowed values are: owner, team, anyone")
    r.world.lock_farm(target, ctx.credential.user_id, str(_required(body, "lockComment")), permission)
    return 200, obj.farm(r.world, target)


def farm_unlock(r: Routes, ctx, farm_id):
    target = r.farm(ctx, farm_id)
    r.world.unlock_farm(target)
    return 200, obj.farm(r.world, target)


def farm_farm_roles(r: Routes, ctx, farm_id):
    target = r.farm(ctx, farm_id)
    return 200, Listing([obj.farm_role(role) for role in r.world.roles_of_farm(target.id)])


def farm_servers(r: Routes, ctx, farm_id):
    target = r.farm(ctx, farm_id)
    return 200, Listing([obj.server(s) for s in r.world.servers_of(farm_id=target.id)])


# -- farm roles ---------------------------------------------------------------------------------
def farm_role(r: Routes, ctx, farm_role_id):
    return 200, obj.farm_role(r.farm_role(ctx, farm_role_id))


def farm_role_servers(r: Routes, ctx, farm_role_id):
    target = r.farm_role(ctx, farm_role_id)
    return 200, Listing([obj.server(s) for s in r.world.servers_of(farm_role_id=target.id)])


def farm_role_launch_server(r: Routes, ctx, farm_role_id):
    """7.x: launch one more server of the farm role; the body is ignored."""
    target = r.farm_role(ctx, farm_role_id)
    return 201, obj.server(r.world.launch_server(target))


def farm_role_scaling(r: Routes, ctx, farm_role_id):
    return 200, obj.scaling(r.farm_role(ctx, farm_role_id))


def farm_role_scaling_update(r: Routes, ctx, farm_role_id):
    target = r.farm_role(ctx, farm_role_id)
    body = ctx.body()
    low = body.get("minInstances", target.min_instances)
    high = body.get("maxInstances", target.max_instances)
    if not all(isinstance(v, int) and v >= 0 for v in (low, high)) or low > high:
        raise ApiError(400, "InvalidValue", f"'FarmRoleScaling.minInstances' ({low}) with 'maxInstances' ({high}) "
                                            "is not allowed: both must be non-negative and min <= max")
    target.min_instances, target.max_instances = low, high
    if "enabled" in body:
        target.scaling_enabled = _flag(body, "enabled")
    return 200, obj.scaling(target)


# -- servers ------------------------------------------------------------------------------------
def servers(r: Routes, ctx):
    return 200, Listing([obj.server(s) for s in r.world.servers_of(env_id=ctx.env_id)])


def server(r: Routes, ctx, server_id):
    return 200, obj.server(r.server(ctx, server_id))


def server_action(r: Routes, ctx, server_id, action):
    target = r.server(ctx, server_id)
    body = ctx.body()
    if action == "reboot":
        r.world.reboot_server(target, hard=_flag(body, "hard"))
    elif action == "terminate":
        _flag(body, "force")
        r.world.terminate_server(target)
    elif action == "suspend":
        r.world.suspend_server(target)
    elif action == "resume":
        r.world.resume_server(target)
    else:
        raise ApiError(404, "EndpointNotFound", "The endpoint you are trying to access does not exist.")
    return 200, obj.server(target)


# -- roles and images ---------------------------------------------------------------------------
def roles(r: Routes, ctx):
    return 200, Listing([obj.role(role) for role in sorted(r.world.roles.values(), key=lambda x: x.id)])


def role(r: Routes, ctx, role_id):
    return 200, obj.role(r.role(ctx, role_id))


def role_images(r: Routes, ctx, role_id):
    target = r.role(ctx, role_id)
    return 200, Listing([{"role": {"id": target.id}, "image": {"id": i}} for i in target.image_ids])


def images(r: Routes, ctx):
    return 200, Listing([obj.image(i) for i in sorted(r.world.images.values(), key=lambda i: i.added)])


def image(r: Routes, ctx, image_id):
    if image_id not in r.world.images:
        raise ApiError(404, "ObjectNotFound", NOT_OWNED.format("Image"))
    return 200, obj.image(r.world.images[image_id])


# -- scripts --------------------------------------------------------------------------------------
def scripts(r: Routes, ctx):
    found = sorted((s for s in r.world.scripts.values() if s.env_id in (0, ctx.env_id)), key=lambda s: s.id)
    return 200, Listing([obj.script(s) for s in found])


def script(r: Routes, ctx, script_id):
    return 200, obj.script(r.script(ctx, script_id))


def script_versions(r: Routes, ctx, script_id):
    target = r.script(ctx, script_id)
    return 200, Listing([obj.script_version(target, v) for v in target.versions])


def script_version(r: Routes, ctx, script_id, version):
    target = r.script(ctx, script_id)
    found = next((v for v in target.versions if str(v.version) == version), None)
    if found is None:
        raise ApiError(404, "ObjectNotFound", NOT_OWNED.format("ScriptVersion"))
    return 200, obj.script_version(target, found)


def script_execute(r: Routes, ctx, script_id, version=None):
    """7.x. Body `{"server": {"id"} | "<id>", "blocking": bool, "timeout": int}` (scalr-ctl's request)."""
    target = r.script(ctx, script_id)
    body = ctx.body()
    server_ref = _required(body, "server")
    server_id = server_ref.get("id", "") if isinstance(server_ref, dict) else str(server_ref)
    on = r.server(ctx, server_id)
    if on.status not in ("Running", "Initializing"):
        raise ApiError(409, "UnacceptableState", f"Server '{on.id}' is not running, its status is {on.status}")
    timeout = body.get("timeout") or 180
    if not isinstance(timeout, int) or timeout < 1:
        raise ApiError(400, "InvalidValue", f"'ScriptExecution.timeout' with value ({timeout}) is not allowed")
    chosen = r.world.script_version(target, int(version) if version else None)
    execution, = r.world.execute_script(target, chosen, [on], blocking=_flag(body, "blocking"), timeout=timeout)
    return 201, obj.script_execution(execution)


def script_execution(r: Routes, ctx, execution_id):
    found = r.world.executions.get(execution_id)
    if found is None or found.env_id != ctx.env_id:
        raise ApiError(404, "ObjectNotFound", NOT_OWNED.format("ScriptExecution"))
    return 200, obj.script_execution(found)


# -- event log ----------------------------------------------------------------------------------
def event_logs(r: Routes, ctx):
    """7.x. Newest first; filter with `?farm=<id>`."""
    events = [e for items in r.world.events.values() for e in items if e.env_id == ctx.env_id]
    return 200, Listing([obj.event_log(e) for e in r.world.newest_first(events)])


# -- global variables ---------------------------------------------------------------------------
def _variable_scope(r: Routes, ctx, parent: str, parent_id: str | None) -> tuple[str, str]:
    scope = VARIABLE_SCOPES[parent]
    if scope == "environment":
        return scope, str(ctx.env_id)
    lookup = {"farm": r.farm, "farmrole": r.farm_role, "role": r.role, "server": r.server}[scope]
    return scope, str(lookup(ctx, parent_id).id)


def variables(r: Routes, ctx, parent="", parent_id=None):
    scope, scope_id = _variable_scope(r, ctx, parent, parent_id)
    return 200, Listing([obj.variable(v) for v in r.world.list_variables(scope, scope_id, ctx.env_id)])


def variable(r: Routes, ctx, name, parent="", parent_id=None):
    scope, scope_id = _variable_scope(r, ctx, parent, parent_id)
    found = [v for v in r.world.list_variables(scope, scope_id, ctx.env_id) if v["name"] == name]
    if not found:
        raise ApiError(404, "ObjectNotFound", NOT_OWNED.format("GlobalVariable"))
    return 200, obj.variable(found[0])


def variable_create(r: Routes, ctx, parent="", parent_id=None):
    scope, scope_id = _variable_scope(r, ctx, parent, parent_id)
    body = ctx.body()
    name = str(_required(body, "name"))
    if any(v["name"] == name for v in r.world.list_variables(scope, scope_id, ctx.env_id)):
        raise ApiError(409, "UnicityViolation", f"'GlobalVariable.name' ({name}) already exists")
    r.world.set_variable(scope, scope_id, name, str(body.get("value") or ""), category=str(body.get("category") or ""),
                         description=str(body.get("description") or ""), hidden=bool(body.get("hidden")))
    return 201, variable(r, ctx, name, parent, parent_id)[1]


def variable_update(r: Routes, ctx, name, parent="", parent_id=None):
    scope, scope_id = _variable_scope(r, ctx, parent, parent_id)
    current = variable(r, ctx, name, parent, parent_id)[1]
    if current["locked"] and current["declaredIn"] != scope:
        raise ApiError(409, "Locked", f"'GlobalVariable.name' ({name}) is locked on the {current['declaredIn']} scope")
    body = ctx.body()
    hidden = body.get("hidden")
    if hidden is not None and bool(hidden) != current["hidden"] and current["declaredIn"] != scope:
        raise ApiError(400, "InvalidValue", f"'GlobalVariable.hidden' of {name} can only be changed on the "
                                            f"{current['declaredIn']} scope, where it is declared")
    var = r.world.set_variable(scope, scope_id, name, str(_required(body, "value")))
    if hidden is not None:
        var.hidden = bool(hidden)
    return 200, variable(r, ctx, name, parent, parent_id)[1]


def variable_delete(r: Routes, ctx, name, parent="", parent_id=None):
    scope, scope_id = _variable_scope(r, ctx, parent, parent_id)
    found = r.world.find_variable(scope, scope_id, name)
    if found is None:
        raise ApiError(404, "ObjectNotFound", NOT_OWNED.format("GlobalVariable"))
    r.world.variables.remove(found)
    return 200, None


def _variable_routes() -> list[tuple]:
    routes = []
    for parent in VARIABLE_SCOPES:
        prefix = f"/{parent}/{{parent_id}}" if parent else ""

        def bind(handler, parent=parent):
            return lambda r, ctx, **kw: handler(r, ctx, parent=parent, **kw)

        routes += [("GET", "user", f"{prefix}/global-variables/", bind(variables)),
                   ("POST", "user", f"{prefix}/global-variables/", bind(variable_create)),
                   ("GET", "user", f"{prefix}/global-variables/{{name}}/", bind(variable)),
                   ("PATCH", "user", f"{prefix}/global-variables/{{name}}/", bind(variable_update)),
                   ("DELETE", "user", f"{prefix}/global-variables/{{name}}/", bind(variable_delete))]
    return routes


ROUTES = [
    ("GET", "account", "/environments/", environments),
    ("GET", "account", "/environments/{env_id}/", environment),
    ("GET", "user", "/farms/", farms),
    ("GET", "user", "/farms/{farm_id}/", farm),
    ("POST", "user", "/farms/{farm_id}/actions/launch/", farm_launch),
    ("POST", "user", "/farms/{farm_id}/actions/terminate/", farm_terminate),
    ("POST", "user", "/farms/{farm_id}/actions/clone/", farm_clone),
    ("POST", "user", "/farms/{farm_id}/actions/lock/", farm_lock),
    ("POST", "user", "/farms/{farm_id}/actions/unlock/", farm_unlock),
    ("GET", "user", "/farms/{farm_id}/farm-roles/", farm_farm_roles),
    ("GET", "user", "/farms/{farm_id}/servers/", farm_servers),
    ("GET", "user", "/farm-roles/{farm_role_id}/", farm_role),
    ("GET", "user", "/farm-roles/{farm_role_id}/servers/", farm_role_servers),
    ("POST", "user", "/farm-roles/{farm_role_id}/servers/", farm_role_launch_server),
    ("GET", "user", "/farm-roles/{farm_role_id}/scaling/", farm_role_scaling),
    ("PATCH", "user", "/farm-roles/{farm_role_id}/scaling/", farm_role_scaling_update),
    ("GET", "user", "/servers/", servers),
    ("GET", "user", "/servers/{server_id}/", server),
    ("POST", "user", "/servers/{server_id}/actions/{action}/", server_action),
    ("GET", "user", "/roles/", roles),
    ("GET", "user", "/roles/{role_id}/", role),
    ("GET", "user", "/roles/{role_id}/images/", role_images),
    ("GET", "user", "/images/", images),
    ("GET", "user", "/images/{image_id}/", image),
    ("GET", "user", "/scripts/", scripts),
    ("GET", "user", "/scripts/{script_id}/", script),
    ("GET", "user", "/scripts/{script_id}/script-versions/", script_versions),
    ("GET", "user", "/scripts/{script_id}/script-versions/{version}/", script_version),
    ("POST", "user", "/scripts/{script_id}/actions/execute/", script_execute),
    ("POST", "user", "/scripts/{script_id}/script-versions/{version}/actions/execute/", script_execute),
    ("GET", "user", "/script-executions/{execution_id}/", script_execution),
    ("GET", "user", "/event-logs/", event_logs),
    *_variable_routes(),
]
