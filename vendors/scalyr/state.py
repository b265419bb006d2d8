"""The state of an explorer or chart page, as it travels in the URL.

Everything a teammate needs to see the same view is in the query string: the filter, the
time range (relative like `1h`, or absolute `start`/`end`), the order, the columns, the
facet fields, the live-tail mode, the chart function. Parsing never fails: a bad value
falls back to its default and the problem is reported next to its input.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from urllib.parse import urlencode

from django.utils import timezone

RELATIVE = re.compile(r"^\s*(\d{1,5})\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
PRESETS = (("15m", "Last 15 minutes"), ("1h", "Last hour"), ("4h", "Last 4 hours"), ("24h", "Last 24 hours"),
           ("7d", "Last 7 days"))
DEFAULT_RANGE = "1h"
MAX_RANGE = timedelta(days=31)
DEFAULT_FACETS = ("serverHost", "logfile", "severity")
MAX_FIELDS = 8
MAX_FILTER = 2000
MAX_RELATED = 10
_FIELD_NAME = re.compile(r"^\$?[A-Za-z_][A-Za-z0-9_.\-]{0,63}$")
ORDERS = (("newest", "Newest first"), ("oldest", "Oldest first"))
FUNCTIONS = ("count", "rate", "mean(latency)", "p50(latency)", "p95(latency)", "p99(latency)", "max(latency)",
             "sumPerSecond(bytes)")
MAX_BUCKETS = 500
#: instants outside these are refused: a range, its window and its epoch milliseconds stay computable
EARLIEST = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)
LATEST = datetime(9000, 1, 1, tzinfo=dt_timezone.utc)


def parse_relative(text: str) -> timedelta | None:
    match = RELATIVE.match(text or "")
    if not match:
        return None
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def parse_instant(text: str) -> datetime | None:
    """An absolute time from the URL or a datetime-local input; naive means the console's time zone."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if text.isascii() and text.isdigit() and len(text) >= 10:  # epoch seconds or milliseconds
            number = int(text)
            value = datetime.fromtimestamp(number / 1000 if number > 10**11 else number, tz=dt_timezone.utc)
        else:
            value = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
            if timezone.is_naive(value):
                value = timezone.make_aware(value, timezone.get_current_timezone())
    except (ValueError, OverflowError, OSError):  # no date, or one past what a datetime holds
        return None
    return value if EARLIEST <= value <= LATEST else None


def format_instant(value: datetime) -> str:
    """ISO 8601 in UTC, milliseconds only when there are some: `2026-05-01T10:00:00Z`."""
    value = value.astimezone(dt_timezone.utc)
    if value.microsecond // 1000:
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def from_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=dt_timezone.utc)


def _field_list(raw: str | None, default: tuple[str, ...], errors: dict, name: str) -> tuple[str, ...]:
    if raw is None:
        return default
    names = [part.strip() for part in raw.split(",") if part.strip()]
    bad = [n for n in names if not _FIELD_NAME.match(n)]
    if bad:
        errors[name] = f"Not a field name: {', '.join(bad[:3])}."
        names = [n for n in names if n not in bad]
    if len(names) > MAX_FIELDS:
        errors[name] = f"At most {MAX_FIELDS} fields."
        names = names[:MAX_FIELDS]
    return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class QueryState:
    """What the explorer and the chart page share: a filter over a time range."""

    filter: str = ""
    range: str = DEFAULT_RANGE
    start: datetime | None = None
    end: datetime | None = None
    #: names of apps and farms whose changes its charts draw, besides those its filter names (vendors/scalyr/changes.py)
    related: tuple[str, ...] = ()
    errors: dict = field(default_factory=dict, compare=False)

    @classmethod
    def _common(cls, params) -> dict:
        errors: dict[str, str] = {}
        text = (params.get("filter") or "").strip()
        if len(text) > MAX_FILTER:
            errors["filter"] = f"The filter is longer than {MAX_FILTER} characters."
            text = text[:MAX_FILTER]
        relative = (params.get("range") or DEFAULT_RANGE).strip()
        if parse_relative(relative) is None or parse_relative(relative) > MAX_RANGE:
            errors["range"] = f"“{relative[:20]}” is not a range like 15m, 1h, 24h or 7d (31 days at most)."
            relative = DEFAULT_RANGE
        start, end = params.get("start"), params.get("end")
        start_at, end_at = parse_instant(start), parse_instant(end)
        if start and start_at is None:
            errors["start"] = "Not a date and time (e.g. 2026-05-01T10:00:00Z)."
        if end and end_at is None:
            errors["end"] = "Not a date and time (e.g. 2026-05-01T11:00:00Z)."
        if end_at and not start_at:
            start_at = end_at - parse_relative(relative)
        if start_at and end_at and end_at <= start_at:
            errors["end"] = "The end must be after the start."
            end_at = None
        related = tuple(dict.fromkeys(name.strip() for name in (params.get("related") or "").split(",")
                                      if name.strip()))
        if len(related) > MAX_RELATED or any(len(name) > 255 for name in related):
            errors["related"] = f"Related: at most {MAX_RELATED} names of apps or farms, separated by commas."
            related = tuple(name[:255] for name in related[:MAX_RELATED])
        return {"filter": text, "range": relative, "start": start_at, "end": end_at, "related": related,
                "errors": errors}

    @property
    def is_absolute(self) -> bool:
        return self.start is not None

    def window(self, now: datetime | None = None) -> tuple[datetime, datetime]:
        """The absolute [start, end) this state covers now."""
        now = now or timezone.now()
        if self.start is not None:
            end = self.end or now
            return self.start, max(end, self.start + timedelta(milliseconds=1))
        return now - parse_relative(self.range), now

    def range_label(self) -> str:
        if self.start is None:
            return dict(PRESETS).get(self.range, f"Last {self.range}")
        start, end = self.window()
        local = timezone.localtime
        return f"{local(start):%Y-%m-%d %H:%M:%S} → {local(end):%Y-%m-%d %H:%M:%S}"

    def range_options(self) -> list[tuple[str, str, bool]]:
        """(value, label, selected) for the range picker; "" is "the From/To inputs"."""
        options = [(value, label, not self.is_absolute and self.range == value) for value, label in PRESETS]
        if not self.is_absolute and self.range not in dict(PRESETS):
            options.append((self.range, f"Last {self.range}", True))
        options.append(("", "From/To below", self.is_absolute))
        return options

    def params(self) -> dict[str, str]:
        """Only what differs from the defaults, so links stay short."""
        values = {}
        if self.filter:
            values["filter"] = self.filter
        if self.start is not None:
            values["start"] = format_instant(self.start)
            if self.end is not None:
                values["end"] = format_instant(self.end)
        elif self.range != DEFAULT_RANGE:
            values["range"] = self.range
        if self.related:
            values["related"] = ",".join(self.related)
        return values

    def query(self, **changes) -> str:
        return urlencode(replace(self, **changes).params())

    @property
    def key(self) -> str:
        """A short fingerprint of the query: late tail or load-more answers for another query find no target."""
        return hashlib.sha256(self.query().encode()).hexdigest()[:12]

    def frozen(self, now: datetime | None = None):
        """The same view with the range made absolute ("copy link with absolute time")."""
        start, end = self.window(now)
        return replace(self, start=start, end=end)


@dataclass(frozen=True)
class ExplorerState(QueryState):
    order: str = "newest"
    columns: tuple[str, ...] = ()
    facets: tuple[str, ...] = DEFAULT_FACETS
    tail: bool = False

    @classmethod
    def from_params(cls, params) -> ExplorerState:
        values = cls._common(params)
        errors = values["errors"]
        order = params.get("order") or "newest"
        if order not in dict(ORDERS):
            errors["order"] = "Order is newest or oldest."
            order = "newest"
        columns = _field_list(params.get("columns"), (), errors, "columns")
        facets = _field_list(params.get("facets"), DEFAULT_FACETS, errors, "facets")
        tail = params.get("tail") in ("1", "on", "true")
        return cls(**values, order=order, columns=columns, facets=facets, tail=tail)

    @property
    def page_mode(self) -> str:
        """Newest first (and the live tail) reads the end of the range (Scalyr's `tail`), oldest first its start."""
        return "tail" if self.order == "newest" or self.tail else "head"

    def params(self) -> dict[str, str]:
        values = super().params()
        if self.order != "newest":
            values["order"] = self.order
        if self.columns:
            values["columns"] = ",".join(self.columns)
        if self.facets != DEFAULT_FACETS:
            values["facets"] = ",".join(self.facets)
        if self.tail:
            values["tail"] = "1"
        return values


@dataclass(frozen=True)
class ChartState(QueryState):
    function: str = "count"
    buckets: int = 60

    @classmethod
    def from_params(cls, params) -> ChartState:
        values = cls._common(params)
        errors = values["errors"]
        function = (params.get("function") or "count").strip()[:200] or "count"
        try:
            buckets = int(params.get("buckets") or 60)
        except ValueError:
            buckets = 0
        if not 1 <= buckets <= MAX_BUCKETS:
            errors["buckets"] = f"Buckets: a whole number from 1 to {MAX_BUCKETS}."
            buckets = 60
        return cls(**values, function=function, buckets=buckets)

    def params(self) -> dict[str, str]:
        values = super().params()
        if self.function != "count":
            values["function"] = self.function
        if self.buckets != 60:
            values["buckets"] = str(self.buckets)
        return values
