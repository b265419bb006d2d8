"""Records of what happened to an app: events, deployments and log lines (see records.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from vendors.scalingo.client.records import User, parse_time, str_or_none, to_int

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
        return {kind: (str_or_none(before.get(kind)), str_or_none(after.get(kind))) for kind in {*before, *after}}


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
                   duration=to_int(data.get("duration"), None), pusher=User.from_json(data.get("pusher")),
                   output_url=(data.get("links") or {}).get("output"))



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
