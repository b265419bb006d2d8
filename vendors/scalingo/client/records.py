"""What the Scalingo client returns: frozen records, and the parsers that build them from
the wire JSON. Parsers read only the fields they know (new fields appear at any time) and
accept the spellings seen in the docs and in the 2020 recordings.

Here: the account, apps, containers, operations, metrics and pages; events, deployments and
log lines are in records_activity.py; variables, addons, domains and collaborators in
records_resources.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
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


def str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def to_int(value: Any, default: int | None = 0) -> int | None:
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
            last_deployed_by=str_or_none(data.get("last_deployed_by")),
            last_deployment_id=data.get("last_deployment_id"), force_https=bool(data.get("force_https")),
            sticky_session=bool(data.get("sticky_session")), router_logs=bool(data.get("router_logs")),
            stack_id=data.get("stack_id"), git_source=data.get("git_source"))


@dataclass(frozen=True)
class ContainerType:
    """One line of an app's formation: how many containers of a type, and their size."""

    name: str
    amount: int
    size: str
    command: str = ""

    @classmethod
    def from_json(cls, data: dict) -> "ContainerType":
        return cls(name=data["name"], amount=to_int(data.get("amount")), size=data.get("size") or "",
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
        index = to_int(data.get("type_index"))
        return cls(id=data.get("id") or "", type=data.get("type") or "", type_index=index,
                   label=data.get("label") or f"{data.get('type')}-{index}", state=data.get("state") or "unknown",
                   created_at=parse_time(data.get("created_at")), command=data.get("command") or "",
                   size=size.get("name") or data.get("size") or "", memory=to_int(size.get("memory"), None))


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
                   memory=to_int(data.get("memory")), ordinal=to_int(data.get("ordinal")),
                   human_cpu=data.get("human_cpu") or "", pids_limit=to_int(data.get("pids_limit"), None),
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
                   memory_usage=to_int(data.get("memory_usage")), memory_limit=to_int(data.get("memory_limit")),
                   highest_memory_usage=to_int(data.get("highest_memory_usage")),
                   swap_usage=to_int(data.get("swap_usage")), swap_limit=to_int(data.get("swap_limit")),
                   highest_swap_usage=to_int(data.get("highest_swap_usage")))


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
        return cls(current_page=to_int(data.get("current_page"), 1), next_page=to_int(data.get("next_page"), None),
                   prev_page=to_int(previous, None), total_pages=to_int(data.get("total_pages"), None),
                   total_count=to_int(data.get("total_count"), None))


@dataclass(frozen=True)
class Page:
    items: tuple
    pagination: Pagination
