"""The log explorer's reads: one page of lines, the histogram, the facets and the live tail.

Each is one interactive call (facets: one per field, in parallel) from the web process
with the short-timeout client. Times sent to Scalyr are always absolute, so "load more"
continuation tokens stay valid and a frozen link shows exactly the same lines.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from console.moments import moment_text
from vendors.core.errors import VendorError
from vendors.scalyr.client import client_for
from vendors.scalyr.client.records import LogEvent, severity_level
from vendors.scalyr.filter_language import and_term, facet_term
from vendors.scalyr.state import ExplorerState, from_ms, to_ms

PAGE_SIZE = 100
HISTOGRAM_BUCKETS = 60
FACET_VALUES = 8
TAIL_BATCH = 500
#: like `scalyr tail`, the live tail stops by itself
TAIL_MAX = timedelta(minutes=10)


@dataclass(slots=True)
class LogLine:
    key: str  # "<timestamp ns>:<session>", what de-duplicates the tail
    timestamp_ns: int
    time: datetime | None
    time_text: str
    severity: int | None
    severity_name: str
    #: the Sev column: `records.SEVERITIES`' label, and its title (the full name)
    severity_label: str
    severity_title: str
    host: str
    logfile: str
    logfile_short: str
    message: str
    #: (name, value) of each chosen column
    columns: tuple[tuple[str, object], ...]
    #: every field of the event (server fields, attributes, severity, thread, session), for the expanded line
    fields: dict


def log_line(event: LogEvent, columns: tuple[str, ...] = (), tz=None) -> LogLine:
    """What the page shows of one event; `tz` is the console's zone (looked up once per page)."""
    attributes = event.attributes or {}
    server = event.server or {}
    severity = event.severity
    level = severity_level(severity)
    message = event.message if event.message is not None else attributes.get("message", "")
    logfile = str(attributes.get("logfile") or "")
    ns = event.timestamp_ns
    local = datetime.fromtimestamp(ns / 1e9, tz or timezone.get_current_timezone()) if ns is not None else None
    fields = {**server, **attributes, "severity": severity, "thread": event.thread, "session": event.session}
    fields.pop("message", None)
    fields.pop("logfile", None)
    return LogLine(
        key=f"{ns}:{event.session}",
        timestamp_ns=ns or 0,
        time=local,
        time_text=moment_text(local, "ms"),
        severity=severity,
        severity_name=level.name if level else "",
        severity_label=level.label if level else "?",
        severity_title=level.title if level else f"severity {severity} (not one of Scalyr's levels 0-6)",
        host=str(server.get("serverHost") or ""),
        logfile=logfile,
        logfile_short=logfile if len(logfile) <= 30 else "…" + logfile[-29:],
        message=str(message or ""),
        columns=tuple((name, _column(event, name)) for name in columns) if columns else (),
        fields=fields,
    )


def _column(event: LogEvent, name: str):
    bare = name.lstrip("$")
    value = (event.attributes or {}).get(bare)
    if value is None:
        value = (event.server or {}).get(bare)
    return "" if value is None else value


@dataclass(frozen=True)
class EventsPage:
    lines: tuple[LogLine, ...]
    start: datetime
    end: datetime
    #: for "load more": None when this page was the last
    continuation_token: str | None
    execution_time_ms: float | None
    cpu_usage: float | None
    warnings: tuple[str, ...] = ()


def events_page(*, connection, state: ExplorerState, window: tuple[datetime, datetime] | None = None,
                continuation_token: str | None = None, max_count: int = PAGE_SIZE) -> EventsPage:
    """One page of lines (`max_count` at most), in the state's order (newest first reads Scalyr's tail)."""
    start, end = window or state.window()
    page = client_for(connection).query(state.filter, start=to_ms(start), end=to_ms(end), max_count=max_count,
                                        page_mode=state.page_mode, continuation_token=continuation_token)
    events = page.events if state.order == "oldest" else tuple(reversed(page.events))
    more = page.continuation_token if len(events) >= max_count else None
    tz = timezone.get_current_timezone()
    return EventsPage(lines=tuple(log_line(e, state.columns, tz) for e in events), start=start, end=end,
                      continuation_token=more, execution_time_ms=page.execution_time_ms,
                      cpu_usage=page.cpu_usage, warnings=page.warnings)


@dataclass(frozen=True)
class Bar:
    start: datetime
    end: datetime
    count: int
    x: float
    width: float
    height: float

    @property
    def y(self) -> float:
        return round(40 - self.height, 3)


@dataclass(frozen=True)
class Histogram:
    bars: tuple[Bar, ...]
    total: int
    peak: int
    start: datetime
    end: datetime
    execution_time_ms: float | None


def histogram(*, connection, state: ExplorerState, window: tuple[datetime, datetime] | None = None,
              buckets: int = HISTOGRAM_BUCKETS) -> Histogram:
    """Matching events per slice of the range (numericQuery `count`), laid out for a 100×40 SVG box."""
    start, end = window or state.window()
    start_ms, end_ms = to_ms(start), to_ms(end)
    buckets = max(1, min(buckets, end_ms - start_ms))
    result = client_for(connection).numeric_query(state.filter, start=start_ms, end=end_ms, function="count",
                                                  buckets=buckets)
    counts = [int(v or 0) for v in result.values]
    peak = max(counts, default=0)
    step = (end_ms - start_ms) / max(len(counts), 1)
    width = 100 / max(len(counts), 1)
    bars = tuple(
        Bar(start=from_ms(round(start_ms + i * step)), end=from_ms(round(start_ms + (i + 1) * step)), count=c,
            x=round(i * width, 3), width=round(width * 0.86, 3), height=round(40 * c / peak, 3) if peak else 0)
        for i, c in enumerate(counts)
    )
    return Histogram(bars=bars, total=sum(counts), peak=peak, start=start, end=end,
                     execution_time_ms=result.execution_time_ms)


@dataclass(frozen=True)
class FacetValue:
    value: object
    label: str
    count: int
    include_filter: str  # the filter with `field == value` added
    exclude_filter: str  # the filter with `field != value` added


@dataclass(frozen=True)
class Facet:
    field: str
    values: tuple[FacetValue, ...]
    match_count: int
    error: str = ""


def _facet_label(name: str, value) -> str:
    if value is None:
        return "(none)"
    if name in ("severity", "sev") and severity_level(value):
        return f"{severity_level(value).name} ({value})"
    return str(value)


def facets(*, connection, state: ExplorerState, window: tuple[datetime, datetime] | None = None) -> list[Facet]:
    """The top values of each facet field, queried in parallel (one facetQuery per field)."""
    start_ms, end_ms = (to_ms(t) for t in (window or state.window()))
    client = client_for(connection)

    def one(name: str) -> Facet:
        try:
            result = client.facet_query(name, state.filter, start=start_ms, end=end_ms, max_count=FACET_VALUES)
        except VendorError as exc:
            return Facet(field=name, values=(), match_count=0, error=str(exc))
        values = tuple(
            FacetValue(value=v.value, label=_facet_label(name, v.value), count=v.count,
                       include_filter=and_term(state.filter, facet_term(name, v.value)),
                       exclude_filter=and_term(state.filter, facet_term(name, v.value, exclude=True)))
            for v in result.values)
        return Facet(field=name, values=values, match_count=result.match_count)

    if len(state.facets) <= 1:
        return [one(name) for name in state.facets]
    with ThreadPoolExecutor(max_workers=min(len(state.facets), 4)) as pool:
        return list(pool.map(one, state.facets))


@dataclass(frozen=True)
class TailCursor:
    """Where the live tail stands: the newest timestamp shown and the sessions seen at exactly it."""

    since_ns: int
    seen: frozenset[str]
    started_ms: int

    def expired(self, now: datetime | None = None) -> bool:
        return to_ms(now or timezone.now()) - self.started_ms > TAIL_MAX.total_seconds() * 1000


def tail_cursor(lines, *, default_ns: int, started_ms: int) -> TailCursor:
    if not lines:
        return TailCursor(since_ns=default_ns, seen=frozenset(), started_ms=started_ms)
    newest = max(line.timestamp_ns for line in lines)
    sessions = frozenset(line.key.split(":", 1)[1] for line in lines if line.timestamp_ns == newest)
    return TailCursor(since_ns=newest, seen=sessions, started_ms=started_ms)


def tail_events(*, connection, state: ExplorerState, cursor: TailCursor) -> tuple[tuple[LogLine, ...], TailCursor]:
    """Lines newer than the cursor, oldest first, each exactly once (de-duplicated by timestamp and session)."""
    start_ms = cursor.since_ns // 1_000_000
    end_ms = max(to_ms(timezone.now()), start_ms + 1)
    page = client_for(connection).query(state.filter, start=start_ms, end=end_ms, max_count=TAIL_BATCH,
                                        page_mode="head")
    fresh = [e for e in page.events
             if (e.timestamp_ns or 0) > cursor.since_ns
             or ((e.timestamp_ns or 0) == cursor.since_ns and e.session not in cursor.seen)]
    tz = timezone.get_current_timezone()
    lines = tuple(log_line(e, state.columns, tz) for e in fresh)
    if not lines:
        return (), cursor
    newest = max(line.timestamp_ns for line in lines)
    seen = {line.key.split(":", 1)[1] for line in lines if line.timestamp_ns == newest}
    if newest == cursor.since_ns:
        seen |= cursor.seen
    return lines, TailCursor(since_ns=newest, seen=frozenset(seen), started_ms=cursor.started_ms)
