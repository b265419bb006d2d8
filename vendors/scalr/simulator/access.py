"""What a restricted key or an older Scalr cannot do: refusals, missing endpoints, held requests.

Real Scalr keys are often restricted by ACL, and installations differ in what they serve. These
switches make the simulator answer like that for one kind of resource, one action or one farm,
while everything else answers as usual:

* `refuse(kind, env_id=None, farm_id=None)`: an ACL refusal. APIv2 answers `403` with
  `{"errors": [{"code": "PermissionViolation", "message": "Insufficient permissions"}]}` (scalr.md
  A6, the message of every ApiController permission check); the Query API answers its `<Error>`
  (HTTP 200) with `Scalr_Exception_InsufficientPermissions::MESSAGE`, the message `restrictAccess`
  and `Scalr_Permissions::validate` throw (wojons/scalr 5.11 `app/src/api/class.ScalrAPICore.php`,
  `app/src/Scalr/Exception/InsufficientPermissions.php`).
* `refuse_action(action, env_id=None, farm_id=None)`: the same Query API refusal for one action.
* `missing_endpoint(kind)`: an older installation without that APIv2 endpoint: `404`
  `EndpointNotFound` "The endpoint you are trying to access does not exist." (A3).
* `missing_action(action)`: an older installation without that Query API action:
  `<Error>` "Action 'X' is not defined" (B2).
* `hold_farm(farm_id, seconds)`: the farm's details requests get no answer for `seconds`, then
  the connection is dropped (a client with a shorter read timeout times out).

A request matches a refusal when the refusal's kind is one of the request's kinds, and its
environment and farm (when the refusal names them) are the request's. `KINDS` says which
requests each kind covers.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

APIV2_PERMISSION_MESSAGE = "Insufficient permissions"
QUERY_API_PERMISSION_MESSAGE = ("You cannot use this component because you have not been placed in a team with "
                                "the appropriate permissions. Please contact your account owner to obtain access.")
ENDPOINT_NOT_FOUND = "The endpoint you are trying to access does not exist."

#: kind -> what it covers (APIv2 paths under /api/v1beta0/user/{envId}, and Query API actions)
KINDS = {
    "environments": "APIv2 /account/environments/...; EnvironmentsList",
    "farms": "the farm list: APIv2 GET /farms/; FarmsList",
    "farm": "one farm (farm_id) or every farm: APIv2 /farms/{id}/... and the farm roles and servers of the farm; "
            "every Query API action on the farm (FarmID, or the farm of its ServerID or FarmRoleID)",
    "farm_roles": "APIv2 /farms/{id}/farm-roles/, /farm-roles/...; Query API: none (farm roles come with "
                  "FarmGetDetails, which only needs the farm)",
    "servers": "APIv2 /servers/..., /farms/{id}/servers/, /farm-roles/{id}/servers/; ServerLaunch, ServerReboot, "
               "ServerTerminate, ServerImageCreate",
    "roles": "APIv2 /roles/...; RolesList",
    "images": "APIv2 /images/..., /roles/{id}/images/; Query API: none",
    "scripts": "APIv2 /scripts/..., /script-executions/...; ScriptsList, ScriptGetDetails, ScriptExecute",
    "script_versions": "APIv2 /scripts/{id}/script-versions/...; ScriptGetDetails",
    "events": "APIv2 /event-logs/ (farm_id: with ?farm=); EventsList",
    "logs": "Query API LogsList (APIv2 has no system log)",
    "dns_zones": "DNSZonesList, DNSZoneRecordsList, DNSZoneCreate, DNSZoneRecordAdd, DNSZoneRecordRemove "
                 "(APIv2 has none)",
    "vhosts": "ApacheVhostsList, ApacheVhostCreate (APIv2 has none)",
    "deployments": "DmSourcesList, DmApplicationsList, DmApplicationDeploy (APIv2 has none)",
    "variables": "APIv2 .../global-variables/...; GlobalVariablesList, GlobalVariableSet",
    "statistics": "FarmGetStats, StatisticsGetGraphURL (APIv2 has none)",
}

#: Query API action -> the kinds it reads or changes (the farm it acts on adds "farm")
QUERY_ACTION_KINDS = {
    "EnvironmentsList": ("environments",), "FarmsList": ("farms",),
    "RolesList": ("roles",), "ScriptsList": ("scripts",), "ScriptGetDetails": ("scripts", "script_versions"),
    "ScriptExecute": ("scripts",), "EventsList": ("events",), "LogsList": ("logs",),
    "DNSZonesList": ("dns_zones",), "DNSZoneRecordsList": ("dns_zones",), "DNSZoneCreate": ("dns_zones",),
    "DNSZoneRecordAdd": ("dns_zones",), "DNSZoneRecordRemove": ("dns_zones",),
    "ApacheVhostsList": ("vhosts",), "ApacheVhostCreate": ("vhosts",),
    "DmSourcesList": ("deployments",), "DmApplicationsList": ("deployments",), "DmApplicationDeploy": ("deployments",),
    "GlobalVariablesList": ("variables",), "GlobalVariableSet": ("variables",),
    "ServerLaunch": ("servers",), "ServerReboot": ("servers",), "ServerTerminate": ("servers",),
    "ServerImageCreate": ("servers",), "FarmGetStats": ("statistics",), "StatisticsGetGraphURL": ("statistics",),
}
#: APIv2 sub-resource -> its kind
_SUBRESOURCE = {"servers": "servers", "farm-roles": "farm_roles", "global-variables": "variables",
                "images": "images", "script-versions": "script_versions"}
#: APIv2 first path segment -> its kind
_HEAD = {"farm-roles": "farm_roles", "servers": "servers", "roles": "roles", "images": "images", "scripts": "scripts",
         "script-executions": "scripts", "event-logs": "events", "global-variables": "variables",
         "environments": "environments"}


@dataclass(frozen=True)
class Target:
    """What one request is about: its most specific kind, every kind it touches, and its farm."""

    primary: str
    kinds: frozenset[str]
    env_id: int | None = None
    farm_id: int | None = None
    #: a read of the farm's details (APIv2 GET /farms/{id}/..., Query API FarmGetDetails)
    details_of: int | None = None


@dataclass(frozen=True)
class Refusal:
    kind: str  # a KINDS name, or a Query API action for refuse_action
    env_id: int | None = None
    farm_id: int | None = None

    def matches(self, names, target: Target) -> bool:
        return (self.kind in names and (self.env_id is None or self.env_id == target.env_id)
                and (self.farm_id is None or self.farm_id == target.farm_id))

    def as_dict(self) -> dict:
        return {"kind": self.kind, "env_id": self.env_id, "farm_id": self.farm_id}


@dataclass
class Hold:
    farm_id: int
    seconds: float
    released: threading.Event = field(default_factory=threading.Event)


def _int(text) -> int | None:
    text = str(text or "")
    return int(text) if text.isdigit() else None


class Access:
    """The switches of one simulator. Set under the simulator's lock (control API); read by every request."""

    def __init__(self):
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        """Everything answers again; held requests are let go at once (their connection is dropped)."""
        with self._lock:
            for hold in getattr(self, "holds", {}).values():
                hold.released.set()
            self.refused: list[Refusal] = []
            self.refused_actions: list[Refusal] = []
            self.missing_endpoints: set[str] = set()
            self.missing_actions: set[str] = set()
            self.holds: dict[int, Hold] = {}

    # -- switches -------------------------------------------------------------------------------
    def refuse(self, kind: str, env_id: int | None = None, farm_id: int | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}: one of {sorted(KINDS)}")
        with self._lock:
            self.refused.append(Refusal(kind, _optional_int(env_id), _optional_int(farm_id)))

    def refuse_action(self, action: str, env_id: int | None = None, farm_id: int | None = None) -> None:
        _known_action(action)
        with self._lock:
            self.refused_actions.append(Refusal(action, _optional_int(env_id), _optional_int(farm_id)))

    def missing_endpoint(self, kind: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}: one of {sorted(KINDS)}")
        with self._lock:
            self.missing_endpoints.add(kind)

    def missing_action(self, action: str) -> None:
        _known_action(action)
        with self._lock:
            self.missing_actions.add(action)

    def hold_farm(self, farm_id: int, seconds: float = 30.0) -> None:
        if float(seconds) <= 0:
            raise ValueError("seconds must be positive")
        with self._lock:
            previous = self.holds.pop(int(farm_id), None)
            if previous:
                previous.released.set()
            self.holds[int(farm_id)] = Hold(int(farm_id), float(seconds))

    def as_dict(self) -> dict:
        with self._lock:
            return {"refused": [r.as_dict() for r in self.refused],
                    "refused_actions": [{**r.as_dict(), "action": r.kind} for r in self.refused_actions],
                    "missing_endpoints": sorted(self.missing_endpoints),
                    "missing_actions": sorted(self.missing_actions),
                    "held_farms": {str(h.farm_id): h.seconds for h in self.holds.values()}}

    # -- checks (each request) ------------------------------------------------------------------
    def is_refused(self, target: Target) -> bool:
        with self._lock:
            return any(r.matches(target.kinds, target) for r in self.refused)

    def is_action_refused(self, action: str, target: Target) -> bool:
        with self._lock:
            return any(r.matches((action,), target) for r in self.refused_actions)

    def is_missing(self, target: Target) -> bool:
        return target.primary in self.missing_endpoints

    def hold_for(self, target: Target) -> Hold | None:
        if target.details_of is None:
            return None
        with self._lock:
            return self.holds.get(target.details_of)


def _known_action(action: str) -> None:
    from vendors.scalr.simulator.query_common import ACTIONS  # filled by the action modules query_api imports

    if action not in ACTIONS:
        raise ValueError(f"unknown Query API action {action!r}")


def _optional_int(value) -> int | None:
    return None if value is None else int(value)


# -- what a request is about ------------------------------------------------------------------------
def apiv2_target(world, scope: str, env_id: int | None, method: str, rest: str, params: dict) -> Target:
    """The kinds an APIv2 request touches (`rest`: the path after `/user/{envId}` or `/account`)."""
    segments = [s for s in rest.split("/") if s]
    if not segments:
        return Target("", frozenset(), env_id)
    head = segments[0]
    if scope == "account":
        kind = _HEAD.get(head, head)
        return Target(kind, frozenset({kind}), env_id)
    kinds: set[str] = set()
    farm_id = details_of = None
    sub = segments[2] if len(segments) > 2 else ""
    ident = segments[1] if len(segments) > 1 else ""
    if head == "farms":
        if not ident:
            return Target("farms", frozenset({"farms"}), env_id)
        farm_id = _int(ident)
        kinds.add("farm")
        primary = _SUBRESOURCE.get(sub, "farm")
        if method == "GET" and sub in ("", "servers", "farm-roles"):
            details_of = farm_id
    elif head == "farm-roles":
        role = world.farm_roles.get(_int(ident)) if ident else None
        farm_id = role.farm_id if role else None
        primary = _SUBRESOURCE.get(sub, "farm_roles")
        kinds.add("farm_roles")
    elif head == "servers":
        server = world.servers.get(ident) if ident else None
        farm_id = server.farm_id if server else None
        primary = _SUBRESOURCE.get(sub, "servers")
        kinds.add("servers")
    elif head == "event-logs":
        farm_id = _int(params.get("farm"))
        primary = "events"
    else:
        primary = _SUBRESOURCE.get(sub, _HEAD.get(head, head))
        kinds.add(_HEAD.get(head, head))
    kinds.add(primary)
    if farm_id is not None:
        kinds.add("farm")
    return Target(primary, frozenset(kinds), env_id, farm_id, details_of)


def query_target(world, action: str, env_id: int, params: dict) -> Target:
    """The kinds a Query API action touches; the farm is its FarmID, or that of its ServerID or FarmRoleID."""
    kinds = set(QUERY_ACTION_KINDS.get(action, ()))
    farm_id = _int(params.get("FarmID"))
    if farm_id is None and isinstance(params.get("ServerID"), str) and params.get("ServerID") in world.servers:
        farm_id = world.servers[params["ServerID"]].farm_id
    if farm_id is None and _int(params.get("FarmRoleID")) in world.farm_roles:
        farm_id = world.farm_roles[_int(params.get("FarmRoleID"))].farm_id
    if farm_id is not None and action not in ("DNSZonesList", "ApacheVhostsList"):
        kinds.add("farm")
    primary = next(iter(QUERY_ACTION_KINDS.get(action, ("farm" if farm_id is not None else action,))))
    return Target(primary, frozenset(kinds), env_id, farm_id,
                  farm_id if action == "FarmGetDetails" else None)
