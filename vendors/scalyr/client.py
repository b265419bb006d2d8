"""Scalyr (DataSet / SentinelOne SDL) log API client: queries, stats and config files.

Every method is `POST /api/<method>` with a JSON body; the token travels in that body
(or, with `bearer=True`, in an `Authorization` header), never in a URL. Each token kind is
used only for the methods it exists for (scalyr.md §2.1): Read Logs for the queries,
Read Config for listing and reading files (Write Config also accepted there), Write Config
for `putFile`. A method whose token is missing raises `MissingToken` before any HTTP.

Scalyr reports outcomes in a hierarchical `status` string, checked by prefix (§1.2);
`error/server/backoff`, 429, 5xx and timeouts are retried by the core's backoff, also
when `errorStatus: always200` makes errors arrive as HTTP 200 (§1.3).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta

import httpx

from vendors.core import errors
from vendors.core.http import VendorClient, parse_retry_after
from vendors.scalyr.records import (
    ConfigFile,
    FacetResult,
    FacetValue,
    LogEvent,
    NumericResult,
    PowerQueryResult,
    QueryPage,
    TimeseriesQuery,
    TimeseriesResult,
    TimeseriesSeries,
    TokenCheck,
)

READ_LOGS = "read_logs"
READ_CONFIG = "read_config"
WRITE_CONFIG = "write_config"
TOKEN_KINDS = (READ_LOGS, READ_CONFIG, WRITE_CONFIG)
_TOKEN_LABELS = {READ_LOGS: "Read Logs", READ_CONFIG: "Read Config", WRITE_CONFIG: "Write Config"}

REGIONS = {"us": "https://app.scalyr.com", "eu": "https://eu.scalyr.com"}

_RELATIVE_TIME = re.compile(r"^\s*-?\d+(\.\d+)?\s*[a-z]*\s*$", re.IGNORECASE)
_SPECIAL_CELLS = {"+infinity": math.inf, "-infinity": -math.inf, "NaN": math.nan}
# Marks a request whose 5xx answers must not be retried (a write without expectedVersion).


class MissingToken(errors.VendorError):
    """The connection has no token of the kind this method needs; nothing was sent."""

    kind = "missing_token"


def resolve_base_url(region_or_url: str) -> str:
    if region_or_url in REGIONS:
        return REGIONS[region_or_url]
    if region_or_url.startswith(("http://", "https://")):
        return region_or_url
    raise ValueError(f"Scalyr region must be one of {sorted(REGIONS)} or a URL")


def time_param(value) -> str | int | float | None:
    """A start/end time as Scalyr takes it (§4.1).

    datetime -> epoch milliseconds; timedelta -> relative ("3600s" = an hour ago);
    str (e.g. "24h", "2026-03-10T09:00:00-0500") and epoch numbers pass through.
    """
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("pass timezone-aware datetimes to Scalyr queries")
        return int(value.timestamp() * 1000)
    if isinstance(value, timedelta):
        return f"{int(value.total_seconds())}s"
    raise TypeError(f"unsupported time value {value!r}")


def is_relative(value) -> bool:
    return isinstance(value, timedelta) or (
        isinstance(value, str) and bool(_RELATIVE_TIME.match(value)) and not value.strip().lstrip("-").isdigit())


def _cost(body: dict) -> dict:
    return {"execution_time_ms": body.get("executionTime"), "cpu_usage": body.get("cpuUsage")}


def _values(raw) -> tuple:
    return tuple(None if v is None else float(v) for v in raw or ())


def _cell(value):
    if isinstance(value, dict) and "special" in value:
        return _SPECIAL_CELLS.get(value["special"], value)
    return value


def _body_dict(**fields) -> dict:
    return {key: value for key, value in fields.items() if value is not None}


class ScalyrClient(VendorClient):
    vendor = "scalyr"

    def __init__(self, base_url: str = "us", *, read_logs_token: str | None = None,
                 read_config_token: str | None = None, write_config_token: str | None = None,
                 bearer: bool = False, always200: bool = False, **kwargs):
        self.tokens = {READ_LOGS: read_logs_token or None, READ_CONFIG: read_config_token or None,
                       WRITE_CONFIG: write_config_token or None}
        self.bearer = bearer
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault("Accept", "application/json")
        if always200:
            headers["errorStatus"] = "always200"
        super().__init__(resolve_base_url(base_url), secrets=self.tokens.values(), headers=headers, **kwargs)

    def __repr__(self) -> str:  # never the tokens
        kinds = ",".join(kind for kind, token in self.tokens.items() if token)
        return f"<ScalyrClient {self.base_url} tokens={kinds or 'none'}>"

    # -- transport ------------------------------------------------------------------------
    def _token(self, kinds: Sequence[str], method: str) -> str:
        for kind in kinds:
            if self.tokens.get(kind):
                return self.tokens[kind]
        raise MissingToken(
            f"No Scalyr {_TOKEN_LABELS[kinds[0]]} token is configured for this connection ({method} needs one)",
            code="missingToken")

    def _call(self, method: str, payload: dict, kinds: Sequence[str], *, retry_5xx: bool = True) -> dict:
        token = self._token(kinds, method)
        body = {**payload} if self.bearer else {"token": token, **payload}
        headers = {"Authorization": f"Bearer {token}"} if self.bearer else None
        response = self.request("POST", f"/api/{method}", json=body, headers=headers, idempotent=retry_5xx)
        return self._body(response)

    def _body(self, response: httpx.Response) -> dict:
        """The decoded JSON object, parsed once per response (retry and error checks share it)."""
        cached = getattr(response, "_scalyr_body", None)
        if cached is None:
            cached = self.json(response)
            if not isinstance(cached, dict):
                raise errors.ProtocolError(f"scalyr answered {response.request.url.path} with a non-object body")
            response._scalyr_body = cached
        return cached

    def _error_body(self, response: httpx.Response) -> dict | None:
        try:
            return self._body(response)
        except errors.ProtocolError:
            return None

    def retry_after(self, response: httpx.Response) -> float | None:
        body = self._error_body(response)
        status = str(body.get("status", "")) if body else ""
        code = response.status_code
        if body and code == 200 and isinstance(body.get("__status"), int):
            code = body["__status"]  # always200 mode echoes the real code (§1.3)
        hinted = parse_retry_after(response.headers.get("Retry-After")) or 0.0
        if status.startswith("error/server/backoff") or code == 429:
            return hinted
        if code >= 500 or (status.startswith("error/server") and response.status_code == 200):
            return hinted
        return None

    def refused_without_acting(self, response: httpx.Response) -> bool:
        """Backoff and 429 mean Scalyr did nothing, so even a write without expectedVersion may be resent."""
        body = self._error_body(response)
        return response.status_code == 429 or str((body or {}).get("status", "")).startswith("error/server/backoff")

    def raise_for_error(self, response: httpx.Response) -> None:
        body = self._error_body(response)
        if body is None:
            if response.is_success:
                self._body(response)  # raises the ProtocolError
            raise self.error_for_status(response.status_code, response.text[:300] or response.reason_phrase,
                                        retry_after=parse_retry_after(response.headers.get("Retry-After")))
        status = str(body.get("status", ""))
        if response.is_success and status.startswith("success"):
            return
        http_status = body.get("__status") if isinstance(body.get("__status"), int) else response.status_code
        message = str(body.get("message") or status or f"HTTP {response.status_code}")
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise self._error(status, message, http_status, retry_after)

    def _error(self, status: str, message: str, http_status: int, retry_after: float | None) -> errors.VendorError:
        kw = {"status": http_status, "code": status or None}
        if status.startswith("error/client/noPermission"):
            return errors.AuthenticationError(message, **kw)
        if status.startswith("error/client/versionMismatch"):
            return errors.Conflict(message if message != status else "The file changed since it was read "
                                   "(expectedVersion did not match)", **kw)
        if status.startswith("error/client"):
            return errors.InvalidRequest(message, **kw)
        if status.startswith("error/server/backoff"):
            return errors.RateLimited(message, retry_after=retry_after, **kw)
        if status.startswith("error/server"):
            return errors.VendorUnavailable(message, **kw)
        if status.startswith("success"):  # a success status with an error HTTP code
            return self.error_for_status(http_status, message, retry_after=retry_after, code=status)
        if not status and http_status >= 400:
            return self.error_for_status(http_status, message, retry_after=retry_after)
        return errors.ProtocolError(f"Scalyr answered an unknown status {status!r}: {message}", **kw)

    # -- log queries ----------------------------------------------------------------------
    def query(self, filter: str = "", *, start=None, end=None, max_count: int | None = None,
              page_mode: str | None = None, columns: Sequence[str] | str | None = None,
              priority: str | None = None, continuation_token: str | None = None) -> QueryPage:
        """One page of log events matching `filter`, always oldest first within the page.

        `page_mode` "head" reads from the start of the range, "tail" from its end (the server's
        default is head when `start` is given, tail otherwise). To page, repeat the call with the
        same filter, absolute times and page mode, plus the returned `continuation_token`.
        """
        if page_mode not in (None, "head", "tail"):
            raise ValueError("page_mode must be 'head' or 'tail'")
        if isinstance(columns, (list, tuple)):
            columns = ",".join(columns)
        payload = _body_dict(queryType="log", filter=filter or "", startTime=time_param(start),
                             endTime=time_param(end), maxCount=max_count, pageMode=page_mode, columns=columns,
                             priority=priority, continuationToken=continuation_token)
        body = self._call("query", payload, (READ_LOGS,))
        return self._page(body)

    @staticmethod
    def _page(body: dict) -> QueryPage:
        sessions = body.get("sessions") or {}
        events = []
        for match in body.get("matches") or ():
            attributes = match.get("attributes")
            if attributes is None:
                attributes = match.get("fields") or {}  # the doc's older name (scalyr.md §13.1)
            timestamp = match.get("timestamp")
            session = match.get("session")
            events.append(LogEvent(
                timestamp_ns=int(timestamp) if timestamp not in (None, "") else None,
                message=match.get("message"),
                severity=match.get("severity"),
                session=session,
                thread=None if match.get("thread") is None else str(match["thread"]),
                attributes=attributes,
                server=sessions.get(session) or {},
            ))
        return QueryPage(events=tuple(events), sessions=sessions, continuation_token=body.get("continuationToken"),
                         warnings=tuple(body.get("warnings") or ()), **_cost(body))

    def query_pages(self, filter: str = "", *, start, end, page_size: int = 1000, page_mode: str = "head",
                    columns: Sequence[str] | str | None = None, priority: str | None = None,
                    max_pages: int | None = None) -> Iterator[QueryPage]:
        """Every page of a query, following continuation tokens.

        Times must be absolute: with relative ones the window drifts between pages and Scalyr
        refuses the token (scalyr.md §4.1). Stops on a short or empty page or a missing token.
        """
        if start is None or end is None or is_relative(start) or is_relative(end):
            raise ValueError("paging through a Scalyr query needs absolute start and end times")
        token = None
        pages = 0
        while True:
            page = self.query(filter, start=start, end=end, max_count=page_size, page_mode=page_mode,
                              columns=columns, priority=priority, continuation_token=token)
            pages += 1
            yield page
            if (len(page.events) < page_size or not page.continuation_token
                    or page.continuation_token == token or (max_pages and pages >= max_pages)):
                return
            token = page.continuation_token

    def query_all(self, filter: str = "", *, start, end, page_size: int = 1000, page_mode: str = "head",
                  limit: int | None = None, **kwargs) -> Iterator[LogEvent]:
        """Every matching event: oldest first in head mode, newest first in tail mode."""
        count = 0
        for page in self.query_pages(filter, start=start, end=end, page_size=page_size, page_mode=page_mode,
                                     **kwargs):
            events = page.events if page_mode == "head" else reversed(page.events)
            for event in events:
                if limit is not None and count >= limit:
                    return
                count += 1
                yield event

    # -- numbers ------------------------------------------------------------------------
    def numeric_query(self, filter: str = "", *, start, end=None, function: str | None = None,
                      buckets: int | None = None, priority: str | None = None) -> NumericResult:
        """`function` per time bucket: "rate" (default, events/s), "count", "mean(latency)", "p95(latency)"..."""
        payload = _body_dict(queryType="numeric", filter=filter or "", function=function,
                             startTime=time_param(start), endTime=time_param(end), buckets=buckets,
                             priority=priority)
        body = self._call("numericQuery", payload, (READ_LOGS,))
        return NumericResult(values=_values(body.get("values")), **_cost(body))

    def facet_query(self, field: str, filter: str = "", *, start, end=None, max_count: int | None = None,
                    priority: str | None = None) -> FacetResult:
        """The most frequent values of `field` among matching events, most frequent first."""
        payload = _body_dict(queryType="facet", filter=filter or "", field=field, maxCount=max_count,
                             startTime=time_param(start), endTime=time_param(end), priority=priority)
        body = self._call("facetQuery", payload, (READ_LOGS,))
        values = tuple(FacetValue(value=v.get("value"), count=int(v.get("count") or 0))
                       for v in body.get("values") or ())
        return FacetResult(values=values, match_count=int(body.get("matchCount") or 0), **_cost(body))

    def timeseries_query(self, queries: Iterable[TimeseriesQuery]) -> TimeseriesResult:
        """Several numeric series in one call; a dashboard's repeated stats belong here (summaries)."""
        specs = [
            _body_dict(filter=q.filter or "", function=q.function, startTime=time_param(q.start),
                       endTime=time_param(q.end), buckets=q.buckets, priority=q.priority,
                       createSummaries=q.create_summaries, onlyUseSummaries=q.only_use_summaries)
            for q in queries
        ]
        if not specs:
            raise ValueError("timeseries_query needs at least one query")
        body = self._call("timeseriesQuery", {"queries": specs}, (READ_LOGS,))
        series = tuple(
            TimeseriesSeries(values=_values(r.get("values")), found_existing_series=r.get("foundExistingSeries"),
                             execution_time_ms=r.get("executionTime"))
            for r in body.get("results") or ()
        )
        if len(series) != len(specs):
            raise errors.ProtocolError(f"Scalyr answered {len(series)} series for {len(specs)} timeseries queries")
        return TimeseriesResult(series=series, **_cost(body))

    def power_query(self, query: str, *, start=None, end=None, priority: str | None = None) -> PowerQueryResult:
        payload = _body_dict(query=query, startTime=time_param(start), endTime=time_param(end), priority=priority)
        body = self._call("powerQuery", payload, (READ_LOGS,))
        columns = tuple(str(c.get("name")) if isinstance(c, dict) else str(c) for c in body.get("columns") or ())
        rows = tuple(tuple(_cell(cell) for cell in row) for row in body.get("values") or ())
        return PowerQueryResult(columns=columns, rows=rows, matching_events=body.get("matchingEvents"),
                                omitted_events=body.get("omittedEvents"),
                                warnings=tuple(body.get("warnings") or ()), **_cost(body))

    # -- configuration files -------------------------------------------------------------
    def list_files(self) -> tuple[str, ...]:
        body = self._call("listFiles", {}, (READ_CONFIG, WRITE_CONFIG))
        return tuple(body.get("paths") or ())

    def get_file(self, path: str, *, expected_version: int | None = None, prettyprint: bool = False) -> ConfigFile:
        """A config file. With `expected_version` equal to the current one, `unchanged` and no content.

        A missing file (Scalyr's `success/noSuchFile`) raises NotFound.
        """
        payload = _body_dict(path=path, expectedVersion=expected_version, prettyprint=prettyprint or None)
        body = self._call("getFile", payload, (READ_CONFIG, WRITE_CONFIG))
        status = str(body.get("status", ""))
        if status.startswith("success/noSuchFile"):
            raise errors.NotFound(str(body.get("message") or f"No Scalyr config file at {path}"), status=404,
                                  code=status)
        return ConfigFile.from_body(body, path)

    def put_file(self, path: str, content: str | None = None, *, delete: bool = False,
                 expected_version: int | None = None, prettyprint: bool = False) -> None:
        """Create, replace (`content`) or delete (`delete=True`) a config file.

        With `expected_version`, Scalyr writes only if the file is still at that version,
        else Conflict. Without it a 5xx is not retried: the write may have happened.
        """
        if delete == (content is not None):
            raise ValueError("put_file needs either content or delete=True")
        payload = _body_dict(path=path, content=content, deleteFile=True if delete else None,
                             expectedVersion=expected_version, prettyprint=prettyprint or None)
        self._call("putFile", payload, (WRITE_CONFIG,), retry_5xx=expected_version is not None)

    def delete_file(self, path: str, *, expected_version: int | None = None) -> None:
        self.put_file(path, delete=True, expected_version=expected_version)

    # -- test connection -------------------------------------------------------------------
    def check(self, kind: str = READ_LOGS) -> None:
        """A cheap call proving the `kind` token works; raises the typed error when it does not.

        Read Logs: a facet query over an empty time range (what Scalyr's Grafana plugin did).
        Read/Write Config: listFiles with that token (Write Config proves valid, not its write right).
        """
        if kind not in TOKEN_KINDS:
            raise ValueError(f"token kind must be one of {TOKEN_KINDS}")
        if kind == READ_LOGS:
            now_ms = int(time.time() * 1000)
            self._call("facetQuery", {"queryType": "facet", "filter": "", "field": "serverHost", "maxCount": 1,
                                      "startTime": now_ms, "endTime": now_ms}, (READ_LOGS,))
        else:
            self._call("listFiles", {}, (kind,))

    def check_all(self) -> tuple[TokenCheck, ...]:
        """`check` for every configured token kind, never raising a VendorError."""
        results = []
        for kind, token in self.tokens.items():
            if not token:
                continue
            try:
                self.check(kind)
            except errors.VendorError as exc:
                results.append(TokenCheck(kind=kind, ok=False, error=str(exc), error_kind=exc.kind))
            else:
                results.append(TokenCheck(kind=kind, ok=True))
        return tuple(results)
