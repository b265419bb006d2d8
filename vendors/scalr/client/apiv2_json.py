"""Reading APIv2 answers: error codes turned into typed errors, and JSON objects read into records
(scalr.md part A), as `query_xml` does for the Query API."""

from __future__ import annotations

import datetime as dt

from vendors.core import errors
from vendors.scalr.client import records as r
from vendors.scalr.client.base import Deprecated, NotAvailable

CONFLICT_CODES = {"UnicityViolation", "ObjectInUse", "ConfigurationMismatch", "Locked", "UnacceptableState",
                  "NotEnabledPlatform", "OperatingSystemMismatch", "UnacceptableImageStatus",
                  "ObjectNotFoundOnCloud", "UnacceptableObjectConfiguration"}
ERROR_TYPES = {"BadAuthentication": errors.AuthenticationError, "PermissionViolation": errors.VendorForbids,
               "ScopeViolation": errors.VendorForbids, "ObjectNotFound": errors.NotFound,
               "BadRequest": errors.InvalidRequest,
               "InvalidStructure": errors.InvalidRequest, "InvalidValue": errors.InvalidRequest,
               "Deprecated": Deprecated, "NotImplemented": NotAvailable,
               "InternalServerError": errors.VendorUnavailable, "ServiceUnavailable": errors.VendorUnavailable,
               **{code: errors.Conflict for code in CONFLICT_CODES}}


def parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    when = dt.datetime.fromisoformat(value)
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def ref_id(ref) -> object:
    """The id of a reference object (`{"id": 5}`), None when there is none."""
    return ref.get("id") if isinstance(ref, dict) else None


def farm(env_id: int, data: dict) -> r.Farm:
    owner = data.get("owner") or {}
    lock = data.get("locked") or None
    return r.Farm(id=int(data["id"]), env_id=env_id, name=data["name"], status=r.farm_status(data.get("status")),
                  description=data.get("description") or "", project_id=ref_id(data.get("project")),
                  owner=owner.get("email") or (str(owner["id"]) if owner.get("id") is not None else None),
                  locked=bool(lock), lock_comment=lock.get("comment") if lock else None,
                  locked_by=str(ref_id(lock.get("user"))) if lock and ref_id(lock.get("user")) is not None else None)


def server(data: dict) -> r.Server:
    return r.Server(
        id=data["id"], farm_id=int(ref_id(data.get("farm"))), farm_role_id=int(ref_id(data.get("farmRole"))),
        status=r.server_status(data.get("status")), index=int(data.get("index") or 0),
        platform=data.get("cloudPlatform"), location=data.get("cloudLocation"),
        instance_type=ref_id(data.get("instanceType")) or data.get("type"),
        public_ips=tuple(data.get("publicIp") or ()), private_ips=tuple(data.get("privateIp") or ()),
        hostname=data.get("hostname") or None, cloud_server_id=data.get("cloudServerId") or None,
        agent_version=(data.get("scalrAgent") or {}).get("version") or None,
        launched_at=parse_time(data.get("launched")))


def farm_role(data: dict, *, farm_id: int, role_names: dict[int, str], servers: tuple[r.Server, ...]) -> r.FarmRole:
    placement, scaling = data.get("placement") or {}, data.get("scaling") or {}
    role_id = int(ref_id(data.get("role")) or 0)
    return r.FarmRole(
        id=int(data["id"]), farm_id=int(farm_id), role_id=role_id,
        role_name=role_names.get(role_id), alias=data.get("alias") or "",
        platform=data.get("platform") or "", location=placement.get("region") or "",
        instance_type=ref_id((data.get("instance") or {}).get("instanceType")),
        min_instances=int(scaling.get("minInstances") or 0),
        max_instances=int(scaling.get("maxInstances") or 0),
        running_instances=sum(1 for s in servers
                              if s.farm_role_id == int(data["id"]) and s.status == r.ServerStatus.RUNNING),
        scaling_enabled=bool(scaling.get("enabled")))


def event(data: dict) -> r.Event:
    return r.Event(id=data["id"], farm_id=int(ref_id(data.get("farm"))), type=str(ref_id(data.get("event")) or ""),
                   timestamp=parse_time(data.get("added")), message=data.get("message") or "")
