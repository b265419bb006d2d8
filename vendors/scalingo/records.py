"""What the Scalingo client returns: frozen records, and the parsers that build them from
the wire JSON. Parsers read only the fields they know (new fields appear at any time) and
accept the spellings seen in the docs and in the 2020 recordings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

_FRACTION = re.compile(r"(\.\d{6})\d+")
_NUMERIC_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")


def parse_time(value: Any) -> datetime | None:
    """Lenient ISO 8601: `Z`, `+01:00` or `+0100`, milliseconds to nanoseconds.

    Go's zero time (`0001-01-01T00:00:00Z`, on non-deleted alerts) means "no date".
    Anything unreadable becomes None rather than failing a whole listing.
    """
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace(" ", "T", 1)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    text = _NUMERIC_OFFSET.sub(r"\1:\2", _FRACTION.sub(r"\1", text))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.year <= 1:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any, default: int | None = 0) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True)
class User:
    id: str
    username: str
    email: str
    fullname: str | None = None

    @classmethod
    def from_json(cls, data: dict | None) -> "User | None":
        if not isinstance(data, dict) or not data.get("id"):
            return None
        return cls(id=data["id"], username=data.get("username") or "", email=data.get("email") or "",
                   fullname=data.get("fullname"))


@dataclass(frozen=True)
class Region:
    name: str
    display_name: str
    api: str
    dashboard: str | None = None
    database_api: str | None = None
    ssh: str | None = None
    default: bool = False

    @classmethod
    def from_json(cls, data: dict) -> "Region":
        return cls(name=data["name"], display_name=data.get("display_name") or data["name"], api=data["api"],
                   dashboard=data.get("dashboard"), database_api=data.get("database_api"), ssh=data.get("ssh"),
                   default=bool(data.get("default")))


@dataclass(frozen=True)
class App:
    id: str
    name: str
    status: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    url: str | None = None
    git_url: str | None = None
    owner: User | None = None
    project_id: str | None = None
    project_name: str | None = None
    region: str | None = None
    last_deployed_at: datetime | None = None
    last_deployed_by: str | None = None
    last_deployment_id: str | None = None
    force_https: bool = False
    sticky_session: bool = False
    router_logs: bool = False
    stack_id: str | None = None
    git_source: str | None = None

    @classmethod
    def from_json(cls, data: dict) -> "App":
        project = data.get("project") or {}
        return cls(
            id=data["id"], name=data["name"], status=data.get("status") or "unknown",
            created_at=parse_time(data.get("created_at")), updated_at=parse_time(data.get("updated_at")),
            url=data.get("base_url") or data.get("url"), git_url=data.get("git_url"),
            owner=User.from_json(data.get("owner")), project_id=project.get("id"), project_name=project.get("name"),
            region=data.get("region"), last_deployed_at=parse_time(data.get("last_deployed_at")),
            last_deployed_by=_str(data.get("last_deployed_by")), last_deployment_id=data.get("last_deployment_id"),
            force_https=bool(data.get("force_https")), sticky_session=bool(data.get("sticky_session")),
            router_logs=bool(data.get("router_logs")), stack_id=data.get("stack_id"),
            git_source=data.get("git_source"))


@dataclass(frozen=True)
class ContainerType:
    """One line of an app's formation: how many containers of a type, and their size."""

    name: str
    amount: int
    size: str
    command: str = ""

    @classmethod
    def from_json(cls, data: dict) -> "ContainerType":
        return cls(name=data["name"], amount=_int(data.get("amount")), size=data.get("size") or "",
                   command=data.get("command") or "")


@dataclass(frozen=True)
class Container:
    """A running container (`/ps`)."""

    id: str
    type: str
    type_index: int
    label: str
    state: str
    created_at: datetime | None = None
    command: str = ""
    size: str = ""
    memory: int | None = None

    @classmethod
    def from_json(cls, data: dict) -> "Container":
        size = data.get("container_size") or {}
        index = _int(data.get("type_index"))
        return cls(id=data.get("id") or "", type=data.get("type") or "", type_index=index,
                   label=data.get("label") or f"{data.get('type')}-{index}", state=data.get("state") or "unknown",
                   created_at=parse_time(data.get("created_at")), command=data.get("command") or "",
                   size=size.get("name") or data.get("size") or "", memory=_int(size.get("memory"), None))


@dataclass(frozen=True)
class ContainerSize:
    name: str
    human_name: str
    memory: int
    ordinal: int
    human_cpu: str = ""
    pids_limit: int | None = None
    id: str | None = None

    @classmethod
    def from_json(cls, data: dict) -> "ContainerSize":
        return cls(name=data["name"], human_name=data.get("human_name") or data["name"],
                   memory=_int(data.get("memory")), ordinal=_int(data.get("ordinal")),
                   human_cpu=data.get("human_cpu") or "", pids_limit=_int(data.get("pids_limit"), None),
                   id=data.get("id"))


@dataclass(frozen=True)
class ContainerStat:
    """Live usage of one container (`/stats`); memory in bytes, cpu in percent."""

    id: str
    cpu_usage: float
    memory_usage: int
    memory_limit: int
    highest_memory_usage: int = 0
    swap_usage: int = 0
    swap_limit: int = 0
    highest_swap_usage: int = 0

    @classmethod
    def from_json(cls, data: dict) -> "ContainerStat":
        return cls(id=data["id"], cpu_usage=float(data.get("cpu_usage") or 0),
                   memory_usage=_int(data.get("memory_usage")), memory_limit=_int(data.get("memory_limit")),
                   highest_memory_usage=_int(data.get("highest_memory_usage")),
                   swap_usage=_int(data.get("swap_usage")), swap_limit=_int(data.get("swap_limit")),
                   highest_swap_usage=_int(data.get("highest_swap_usage")))


@dataclass(frozen=True)
class MetricPoint:
    time: datetime | None
    value: float | None

    @classmethod
    def from_json(cls, data: dict) -> "MetricPoint":
        value = data.get("value")
        return cls(time=parse_time(data.get("time")), value=None if value is None else float(value))


@dataclass(frozen=True)
class Operation:
    """A scale or restart in progress: pending → running → done | error."""

    id: str
    status: str
    type: str
    app_id: str | None = None
    created_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("done", "error")

    @classmethod
    def from_json(cls, data: dict) -> "Operation":
        return cls(id=data["id"], status=data.get("status") or "unknown", type=data.get("type") or "",
                   app_id=data.get("app_id"), created_at=parse_time(data.get("created_at")),
                   finished_at=parse_time(data.get("finished_at")), error=data.get("error") or data.get("message"))


@dataclass(frozen=True)
class ScaleResult:
    """The formation after a scale, and where to follow its operation (None: nothing to wait for)."""

    formation: tuple[ContainerType, ...]
    operation_url: str | None


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    created_at: datetime | None
    app_id: str | None = None
    app_name: str | None = None
    user: User | None = None
    type_data: dict = field(default_factory=dict, hash=False, compare=False)

    @classmethod
    def from_json(cls, data: dict) -> "Event":
        return cls(id=data["id"], type=data.get("type") or "", created_at=parse_time(data.get("created_at")),
                   app_id=data.get("app_id"), app_name=data.get("app_name"), user=User.from_json(data.get("user")),
                   type_data=data.get("type_data") if isinstance(data.get("type_data"), dict) else {})

    @property
    def formation_change(self) -> dict[str, tuple[str | None, str | None]]:
        """For `scale` events: type → (before, after) as `amount:size` strings.

        The wire sends `"3:S"` strings; DD's examples show bare integers; both are read."""
        before = self.type_data.get("previous_containers") or {}
        after = self.type_data.get("containers") or {}
        return {kind: (_str(before.get(kind)), _str(after.get(kind))) for kind in {*before, *after}}


DEPLOYMENT_IN_PROGRESS = ("queued", "building", "pushing", "starting")


@dataclass(frozen=True)
class Deployment:
    id: str
    app_id: str | None
    status: str
    created_at: datetime | None = None
    finished_at: datetime | None = None
    git_ref: str | None = None
    previous_git_ref: str | None = None
    type: str | None = None
    duration: int | None = None
    pusher: User | None = None
    output_url: str | None = None

    @property
    def finished(self) -> bool:
        # GO IsFinishedString: anything but the in-progress statuses
        return self.status not in DEPLOYMENT_IN_PROGRESS

    @classmethod
    def from_json(cls, data: dict) -> "Deployment":
        return cls(id=data["id"], app_id=data.get("app_id"), status=data.get("status") or "unknown",
                   created_at=parse_time(data.get("created_at")), finished_at=parse_time(data.get("finished_at")),
                   git_ref=data.get("git_ref"), previous_git_ref=data.get("previous_git_ref"), type=data.get("type"),
                   duration=_int(data.get("duration"), None), pusher=User.from_json(data.get("pusher")),
                   output_url=(data.get("links") or {}).get("output"))


@dataclass(frozen=True)
class Variable:
    id: str
    name: str
    value: str
    app_id: str | None = None

    @classmethod
    def from_json(cls, data: dict) -> "Variable":
        return cls(id=data["id"], name=data["name"], value=_str(data.get("value")) or "", app_id=data.get("app_id"))


@dataclass(frozen=True)
class Addon:
    id: str
    status: str
    provider_id: str
    provider_name: str
    plan_id: str | None
    plan_name: str | None
    plan_display_name: str | None
    app_id: str | None = None
    resource_id: str | None = None
    logo_url: str | None = None
    provisioned_at: datetime | None = None

    @classmethod
    def from_json(cls, data: dict) -> "Addon":
        provider = data.get("addon_provider") or {}
        plan = data.get("plan") or {}
        logo = provider.get("logo_url")
        if logo and logo.startswith("//"):  # protocol-relative on the wire
            logo = "https:" + logo
        return cls(id=data["id"], status=data.get("status") or "unknown", provider_id=provider.get("id") or "",
                   provider_name=provider.get("name") or "", plan_id=plan.get("id"), plan_name=plan.get("name"),
                   plan_display_name=plan.get("display_name"), app_id=data.get("app_id"),
                   resource_id=data.get("resource_id"), logo_url=logo,
                   provisioned_at=parse_time(data.get("provisioned_at")))


@dataclass(frozen=True)
class AddonPlan:
    id: str
    name: str
    display_name: str
    price: float | None = None

    @classmethod
    def from_json(cls, data: dict) -> "AddonPlan":
        price = data.get("price")
        return cls(id=data["id"], name=data["name"], display_name=data.get("display_name") or data["name"],
                   price=None if price is None else float(price))


@dataclass(frozen=True)
class AddonProvider:
    id: str
    name: str
    category: str | None
    plans: tuple[AddonPlan, ...]
    logo_url: str | None = None

    @classmethod
    def from_json(cls, data: dict) -> "AddonProvider":
        logo = data.get("logo_url")
        return cls(id=data["id"], name=data.get("name") or data["id"],
                   category=(data.get("category") or {}).get("name"),
                   plans=tuple(AddonPlan.from_json(p) for p in data.get("plans") or ()),
                   logo_url="https:" + logo if logo and logo.startswith("//") else logo)


@dataclass(frozen=True)
class Domain:
    id: str
    name: str
    ssl: bool = False
    canonical: bool = False
    letsencrypt_enabled: bool = False
    letsencrypt_status: str | None = None
    validity: datetime | None = None
    created_at: datetime | None = None

    @classmethod
    def from_json(cls, data: dict) -> "Domain":
        return cls(id=data["id"], name=data["name"], ssl=bool(data.get("ssl")), canonical=bool(data.get("canonical")),
                   letsencrypt_enabled=bool(data.get("letsencrypt_enabled")),
                   letsencrypt_status=data.get("letsencrypt_status"), validity=parse_time(data.get("validity")),
                   created_at=parse_time(data.get("created_at")))


@dataclass(frozen=True)
class Collaborator:
    id: str
    email: str
    status: str
    username: str | None = None
    user_id: str | None = None
    is_limited: bool = False

    @classmethod
    def from_json(cls, data: dict) -> "Collaborator":
        return cls(id=data["id"], email=data.get("email") or "", status=data.get("status") or "unknown",
                   username=data.get("username"), user_id=data.get("user_id"), is_limited=bool(data.get("is_limited")))


@dataclass(frozen=True)
class Pagination:
    current_page: int
    next_page: int | None
    prev_page: int | None
    total_pages: int | None
    total_count: int | None

    @classmethod
    def from_json(cls, meta: dict | None) -> "Pagination":
        """DD says `prev_page`, the recordings `previous_page`; numbers may come as strings."""
        data = (meta or {}).get("pagination") or meta or {}
        previous = data.get("prev_page", data.get("previous_page"))
        return cls(current_page=_int(data.get("current_page"), 1), next_page=_int(data.get("next_page"), None),
                   prev_page=_int(previous, None), total_pages=_int(data.get("total_pages"), None),
                   total_count=_int(data.get("total_count"), None))


@dataclass(frozen=True)
class Page:
    items: tuple
    pagination: Pagination


_LOG_LINE = re.compile(r"^(\S+ \S+ \S+ \S+) \[([^\]]+)\] ?(.*)$")


@dataclass(frozen=True)
class LogLine:
    """`YYYY-MM-DD HH:MM:SS.fffffffff +ZZZZ TZ [container] message` (the CLI's parsing)."""

    time: datetime | None
    source: str | None
    message: str
    raw: str

    @classmethod
    def parse(cls, line: str) -> "LogLine":
        line = line.rstrip("\r\n")
        match = _LOG_LINE.match(line)
        if not match:
            return cls(time=None, source=None, message=line, raw=line)
        stamp, source, message = match.groups()
        day, clock, offset, _zone = stamp.split(" ")
        when = parse_time(f"{day}T{clock}{offset}")
        if when is None:
            return cls(time=None, source=None, message=line, raw=line)
        return cls(time=when, source=source, message=message, raw=line)
