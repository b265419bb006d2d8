"""The simulated Scalr world's objects, shared by the APIv2 and the Query API handlers.

Statuses are stored as Scalr stores them in its database: farm status as the legacy
integer (0 Terminated, 1 Running, 2 Terminating, 3 Synchronizing), server status as the
legacy string ("Pending launch"). Each API renders them in its own spelling.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FARM_TERMINATED, FARM_RUNNING, FARM_TERMINATING, FARM_SYNCHRONIZING = 0, 1, 2, 3


@dataclass
class User:
    id: int
    email: str


@dataclass
class Credential:
    """An API key the simulator accepts: which environments it sees, whether it has account scope."""

    key_id: str
    secret: str
    user_id: int = 1
    env_ids: frozenset[int] | None = None  # None: every environment
    account: bool = True


@dataclass
class Environment:
    id: int
    name: str
    added: float
    status: str = "active"
    project_id: str = ""


@dataclass
class Lock:
    comment: str
    user_id: int
    unlock_permission: str = "owner"


@dataclass
class Farm:
    id: int
    env_id: int
    name: str
    description: str
    owner_id: int
    project_id: str
    status: int = FARM_TERMINATED
    lock: Lock | None = None
    timezone: str = "UTC"
    launch_order: str = "simultaneous"


@dataclass
class FarmRole:
    id: int
    farm_id: int
    role_id: int
    alias: str
    platform: str
    location: str
    zone: str
    instance_type: str
    min_instances: int = 1
    max_instances: int = 2
    scaling_enabled: bool = True
    category: str = "Base"


@dataclass
class Server:
    id: str
    env_id: int
    farm_id: int
    farm_role_id: int
    index: int
    status: str
    added: float
    platform: str
    location: str
    zone: str
    instance_type: str
    public_ip: str = ""
    private_ip: str = ""
    hostname: str = ""
    cloud_server_id: str = ""
    agent_version: str = ""
    is_init_failed: bool = False
    is_rebooting: bool = False
    is_db_master: bool = False
    stuck: bool = False            # never advances on tick (the demo's "stuck in Pending" server)
    since_tick: int = 0            # world tick when the status last changed
    launch_reason: str = "Farm launched"


@dataclass
class Image:
    id: str
    name: str
    platform: str
    location: str
    cloud_image_id: str
    architecture: str
    os_id: str
    added: float
    source: str = "Manual"
    status: str = "active"


@dataclass
class Role:
    id: int
    name: str
    os_id: str
    os_family: str
    os_version: str
    architecture: str
    category_id: int
    added: float
    owner: str = "ops@example.com"
    description: str = ""
    image_ids: list[str] = field(default_factory=list)


@dataclass
class ScriptVersion:
    version: int
    body: str
    added: float


@dataclass
class Script:
    id: int
    env_id: int
    name: str
    description: str
    os_type: str = "linux"
    added: float = 0.0
    versions: list[ScriptVersion] = field(default_factory=list)

    @property
    def latest(self) -> ScriptVersion:
        return self.versions[-1]


@dataclass
class ScriptExecution:
    id: str
    env_id: int
    script_id: int
    version: int
    server_id: str
    blocking: bool
    timeout: int
    added: float
    status: str = "running"
    exit_code: int | None = None


@dataclass
class Event:
    id: str
    env_id: int
    farm_id: int
    type: str
    timestamp: float
    message: str
    server_id: str | None = None
    seq: int = 0


@dataclass
class LogEntry:
    env_id: int
    farm_id: int
    server_id: str
    message: str
    severity: int  # 1 DEBUG, 2 INFO, 3 WARN, 4 ERROR, 5 FATAL
    timestamp: float
    source: str
    count: int = 1
    seq: int = 0


@dataclass
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


@dataclass
class DnsZone:
    name: str
    env_id: int
    farm_id: int
    farm_role_id: int
    status: str
    modified: float
    records: list[DnsRecord] = field(default_factory=list)


@dataclass
class GlobalVariable:
    scope: str     # environment, role, farm, farmrole, server
    scope_id: str  # the object's id as a string
    name: str
    value: str
    category: str = ""
    description: str = ""
    hidden: bool = False
    locked: bool = False


@dataclass
class ApacheVhost:
    name: str
    env_id: int
    farm_id: int
    farm_role_id: int
    document_root: str
    ssl: bool
    modified: float
    ssl_key: str = ""
    ssl_cert: str = ""


@dataclass
class BundleTask:
    id: int
    env_id: int
    server_id: str
    role_name: str
    status: str = "pending"
    failure_reason: str = ""


@dataclass
class DmSource:
    id: int
    env_id: int
    type: str
    url: str
    auth_type: str


@dataclass
class DmApplication:
    id: int
    env_id: int
    source_id: int
    name: str


@dataclass
class DeploymentTask:
    id: str
    env_id: int
    application_id: int
    server_id: str
    farm_role_id: int
    remote_path: str
    status: str = "pending"
