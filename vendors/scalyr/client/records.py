"""What the Scalyr client returns: frozen records in Scalyr's own words.

Every query result keeps the server's cost figure (`execution_time_ms`, or `cpu_usage` on
newer SentinelOne SDL servers) so a page can show what a query cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

@dataclass(frozen=True)
class Severity:
    """One of Scalyr's severity levels: `sev` / `severity`, an integer 0-6, default 3 (scalyr.md §5)."""

    value: int
    #: Scalyr's own name (the Java client's `Severity` enum)
    name: str
    #: what the log explorer's Sev column shows: Scalyr's name shortened, no two alike
    label: str

    @property
    def title(self) -> str:
        return f"{self.name} (severity {self.value} of 0-6)"


#: The one map of Scalyr's severities to what pages show. Not the CLI's letters (L K J I W E F: a "fine"
#: line, what most loggers call DEBUG, read "J"); the labels shorten Scalyr's documented names instead.
SEVERITIES = (
    Severity(0, "finest", "FST"),
    Severity(1, "finer", "FNR"),
    Severity(2, "fine", "FIN"),
    Severity(3, "info", "INF"),
    Severity(4, "warning", "WRN"),
    Severity(5, "error", "ERR"),
    Severity(6, "fatal", "FTL"),
)
SEVERITY_NAMES = tuple(level.name for level in SEVERITIES)


def severity_level(value) -> Severity | None:
    """The level of a `sev` value; None for anything outside 0-6 (or not an integer)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < len(SEVERITIES):
        return None
    return SEVERITIES[value]


def _from_ms(value) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(float(value) / 1000, tz=timezone.utc)


@dataclass(frozen=True)
class LogEvent:
    """One match of a log `query`. Fields dropped by `columns` are None / empty."""

    timestamp_ns: int | None
    message: str | None
    severity: int | None
    session: str | None
    thread: str | None
    attributes: Mapping = field(default_factory=dict)
    #: fields of the session that uploaded the event (serverHost, serverIP, ...)
    server: Mapping = field(default_factory=dict)

    @property
    def timestamp(self) -> datetime | None:
        if self.timestamp_ns is None:
            return None
        return datetime.fromtimestamp(self.timestamp_ns / 1e9, tz=timezone.utc)

    @property
    def severity_name(self) -> str | None:
        level = severity_level(self.severity)
        return level.name if level else None

    @property
    def server_host(self) -> str | None:
        return self.server.get("serverHost")


@dataclass(frozen=True)
class QueryPage:
    events: tuple[LogEvent, ...]
    #: session id -> session fields, for the sessions referenced by `events`
    sessions: Mapping
    #: opaque; repeat the same filter/times/pageMode with it to read the next page
    continuation_token: str | None
    warnings: tuple[str, ...] = ()
    execution_time_ms: float | None = None
    cpu_usage: float | None = None


@dataclass(frozen=True)
class NumericResult:
    """One value per time bucket, oldest first; None where undefined (mean of nothing)."""

    values: tuple[float | None, ...]
    execution_time_ms: float | None = None
    cpu_usage: float | None = None


@dataclass(frozen=True)
class FacetValue:
    value: object  # any JSON scalar: facet values keep their type (status 200 stays a number)
    count: int


@dataclass(frozen=True)
class FacetResult:
    values: tuple[FacetValue, ...]
    match_count: int
    execution_time_ms: float | None = None
    cpu_usage: float | None = None


@dataclass(frozen=True)
class TimeseriesQuery:
    """One series of a batched `timeseries_query`; times as accepted by the client methods."""

    start: object
    filter: str = ""
    function: str | None = None
    end: object = None
    buckets: int = 1
    priority: str | None = None
    #: create (and backfill) a server-side summary so repeating this query is cheap
    create_summaries: bool = True
    #: read existing summaries only: fast, but empty or partial until the backfill is done
    only_use_summaries: bool = False


@dataclass(frozen=True)
class TimeseriesSeries:
    values: tuple[float | None, ...]
    found_existing_series: bool | None = None
    execution_time_ms: float | None = None


@dataclass(frozen=True)
class TimeseriesResult:
    #: one entry per query, in the order the queries were given
    series: tuple[TimeseriesSeries, ...]
    execution_time_ms: float | None = None
    cpu_usage: float | None = None


@dataclass(frozen=True)
class PowerQueryResult:
    """A PowerQuery table. Special cells are decoded: +/-infinity and NaN become floats."""

    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    matching_events: int | None = None
    omitted_events: int | None = None
    warnings: tuple[str, ...] = ()
    execution_time_ms: float | None = None
    cpu_usage: float | None = None

    def records(self) -> list[dict]:
        return [dict(zip(self.columns, row)) for row in self.rows]


@dataclass(frozen=True)
class ConfigFile:
    """A configuration file. `unchanged` means the server confirmed `expected_version`, without content."""

    path: str
    version: int
    create_date: datetime | None
    mod_date: datetime | None
    content: str | None
    unchanged: bool = False

    @classmethod
    def from_body(cls, body: dict, path: str) -> ConfigFile:
        return cls(
            path=body.get("path") or path,
            version=int(body.get("version") or 0),
            create_date=_from_ms(body.get("createDate")),
            mod_date=_from_ms(body.get("modDate")),
            content=body.get("content"),
            unchanged=str(body.get("status", "")).startswith("success/unchanged"),
        )


@dataclass(frozen=True)
class TokenCheck:
    """Outcome of "Test connection" for one token kind."""

    kind: str
    ok: bool
    error: str | None = None
    error_kind: str | None = None
