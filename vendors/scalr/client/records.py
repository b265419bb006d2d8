"""What both Scalr clients return: the same frozen records whichever API generation answered.

Statuses are mapped onto one vocabulary (the APIv2 spelling: lowercase, `_` for spaces) so
the sync layer and the pages never see legacy integers or "Pending launch". A field one
generation cannot know is None (e.g. `Server.hostname` on the Query API).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from console.params import digits


class FarmStatus(StrEnum):
    RUNNING = "running"
    TERMINATED = "terminated"
    PENDING_TERMINATE = "pending_terminate"
    PENDING_LAUNCH = "pending_launch"
    SUSPENDED = "suspended"
    SYNCHRONIZING = "synchronizing"  # legacy status 3 only
    UNKNOWN = "unknown"


#: Query API farm `Status` integers (scalr.md B9).
LEGACY_FARM_STATUS = {
    0: FarmStatus.TERMINATED,
    1: FarmStatus.RUNNING,
    2: FarmStatus.PENDING_TERMINATE,
    3: FarmStatus.SYNCHRONIZING,
}


class ServerStatus(StrEnum):
    TEMPORARY = "temporary"
    RUNNING = "running"
    PENDING = "pending"
    PENDING_LAUNCH = "pending_launch"
    INITIALIZING = "initializing"
    IMPORTING = "importing"
    PENDING_TERMINATE = "pending_terminate"
    TERMINATED = "terminated"
    PENDING_SUSPEND = "pending_suspend"
    SUSPENDED = "suspended"
    RESUMING = "resuming"
    TROUBLESHOOTING = "troubleshooting"
    UNKNOWN = "unknown"


def farm_status(value: object) -> FarmStatus:
    """Legacy 0-3 (int or digit string) or an APIv2 status string -> FarmStatus."""
    if value is None or value == "":
        return FarmStatus.UNKNOWN
    text = str(value).strip()
    if (number := digits(text)) is not None:
        return LEGACY_FARM_STATUS.get(number, FarmStatus.UNKNOWN)
    try:
        return FarmStatus(text.lower())
    except ValueError:
        return FarmStatus.UNKNOWN


def server_status(value: str | None) -> ServerStatus:
    """`Pending launch` (legacy) and `pending_launch` (APIv2) -> ServerStatus.PENDING_LAUNCH."""
    if not value:
        return ServerStatus.UNKNOWN
    return _SERVER_STATUSES.get(value.strip().lower().replace(" ", "_"), ServerStatus.UNKNOWN)


_SERVER_STATUSES = {status.value: status for status in ServerStatus}  # a dict lookup: every server of a poll


@dataclass(frozen=True)
class Environment:
    id: int
    name: str


@dataclass(frozen=True)
class Farm:
    id: int
    env_id: int
    name: str
    status: FarmStatus
    description: str = ""
    project_id: str | None = None   # APIv2 only
    owner: str | None = None        # APIv2 only: owner e-mail, else user id
    locked: bool | None = None      # None: not known from this listing (Query API FarmsList)
    lock_comment: str | None = None
    locked_by: str | None = None    # user id


@dataclass(frozen=True)
class FarmRole:
    id: int
    farm_id: int
    role_id: int
    role_name: str | None
    alias: str
    platform: str
    location: str
    instance_type: str | None
    min_instances: int
    max_instances: int
    running_instances: int
    scaling_enabled: bool


@dataclass(frozen=True)
class Server:
    id: str
    farm_id: int
    farm_role_id: int
    status: ServerStatus
    index: int
    platform: str | None
    location: str | None
    instance_type: str | None
    public_ips: tuple[str, ...] = ()
    private_ips: tuple[str, ...] = ()
    hostname: str | None = None       # APIv2 only
    cloud_server_id: str | None = None
    agent_version: str | None = None
    launched_at: dt.datetime | None = None  # Query API: derived from Uptime (about a second off)

    @staticmethod
    def order(server: "Server") -> tuple:
        """How FarmDetails sorts servers, whichever generation listed them: by farm role, then index."""
        return server.farm_role_id, server.index, server.id

    def uptime_minutes(self, now: dt.datetime | None = None) -> float | None:
        if self.launched_at is None:
            return None
        now = now or dt.datetime.now(dt.timezone.utc)
        return round((now - self.launched_at).total_seconds() / 60, 2)


@dataclass(frozen=True)
class FarmDetails:
    farm_id: int
    env_id: int
    name: str
    status: FarmStatus
    locked: bool
    lock_comment: str | None
    locked_by: str | None
    roles: tuple[FarmRole, ...]
    servers: tuple[Server, ...]  # sorted by Server.order
    #: the answer's digest when the client can tell when it repeats itself (Query API); else ""
    fingerprint: str = ""


@dataclass(frozen=True)
class Unchanged:
    """A farm's details answered as when they were last written (same `fingerprint`): not read again."""

    farm_id: int
    env_id: int
    fingerprint: str


@dataclass(frozen=True)
class RoleImage:
    cloud_image_id: str
    platform: str
    location: str


@dataclass(frozen=True)
class Role:
    id: int
    name: str
    os_id: str | None
    images: tuple[RoleImage, ...] | None = ()  # None: not read in this poll (kept as stored)


@dataclass(frozen=True)
class Script:
    id: int
    name: str
    description: str
    latest_revision: int | None  # None: versions not read in this poll (kept as stored)
    #: APIv2's `lastChanged`: a cheap signal that the versions moved (the Query API has none)
    last_changed: dt.datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ScriptRevision:
    revision: int
    date: dt.datetime | None
    variables: tuple[str, ...]
    content: str | None = None  # only when asked for


@dataclass(frozen=True)
class ScriptDetails:
    id: int
    revision_count: int
    revisions: tuple[ScriptRevision, ...]  # newest first


@dataclass(frozen=True)
class Event:
    id: str
    farm_id: int
    type: str
    timestamp: dt.datetime
    message: str


@dataclass(frozen=True)
class LogEntry:
    farm_id: int
    server_id: str
    message: str
    severity: str
    timestamp: dt.datetime
    source: str
    count: int = 1


@dataclass(frozen=True)
class Page:
    """One page of a paged listing (events, logs). `total` is None when the API does not say."""

    items: tuple
    start: int
    limit: int
    total: int | None = None
    has_more: bool = False

    @property
    def next_start(self) -> int | None:
        return self.start + self.limit if self.has_more else None


@dataclass(frozen=True)
class GlobalVariable:
    name: str
    value: str
    private: bool = False


@dataclass(frozen=True)
class DnsZone:
    name: str
    farm_id: int | None
    farm_role_id: int | None
    status: str  # Active, Pending create, Pending update, Pending delete, Inactive
    modified_at: dt.datetime | None
    ips: tuple[str, ...] = ()


@dataclass(frozen=True)
class DnsRecord:
    id: int
    type: str
    ttl: int
    name: str
    value: str
    priority: int = 0
    weight: int = 0
    port: int = 0
    is_system: bool = False


@dataclass(frozen=True)
class ApacheVhost:
    name: str
    farm_id: int
    farm_role_id: int
    ssl_enabled: bool
    modified_at: dt.datetime | None


@dataclass(frozen=True)
class BundleTask:
    id: int
    status: str
    failure_reason: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("success", "failed", "cancelled")


@dataclass(frozen=True)
class DmSource:
    id: int
    type: str
    url: str
    auth_type: str


@dataclass(frozen=True)
class DmApplication:
    id: int
    source_id: int
    name: str


@dataclass(frozen=True)
class DeploymentTask:
    server_id: str
    task_id: str | None
    farm_role_id: int | None
    remote_path: str | None
    status: str | None
    error: str | None = None


@dataclass(frozen=True)
class FarmStatistic:
    month: int
    year: int
    hours: float
    instance_type: str
    location: str


@dataclass(frozen=True)
class ScriptExecution:
    """What a script execution request started: one execution id per server on APIv2, none on v1."""

    execution_ids: tuple[str, ...] = field(default_factory=tuple)
