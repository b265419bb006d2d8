"""Scalyr's query methods: log events (paged), numbers per time bucket, facets, batched time
series and PowerQueries. Every result keeps the server's cost figure."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence

from vendors.core import errors
from vendors.scalyr.client.base import READ_LOGS, is_relative, non_null, time_param
from vendors.scalyr.client.records import (
    FacetResult,
    FacetValue,
    LogEvent,
    NumericResult,
    PowerQueryResult,
    QueryPage,
    TimeseriesQuery,
    TimeseriesResult,
    TimeseriesSeries,
)

_SPECIAL_CELLS = {"+infinity": math.inf, "-infinity": -math.inf, "NaN": math.nan}


def _cost(body: dict) -> dict:
    return {"execution_time_ms": body.get("executionTime"), "cpu_usage": body.get("cpuUsage")}


def _values(raw) -> tuple:
    return tuple(None if v is None else float(v) for v in raw or ())


def _cell(value):
    if isinstance(value, dict) and "special" in value:
        return _SPECIAL_CELLS.get(value["special"], value)
    return value


class LogQueries:
    """The Read Logs methods of `ScalyrClient` (a mixin over `ScalyrTransport`)."""

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
        payload = non_null(queryType="log", filter=filter or "", startTime=time_param(start),
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

    def numeric_query(self, filter: str = "", *, start, end=None, function: str | None = None,
                      buckets: int | None = None, priority: str | None = None) -> NumericResult:
        """`function` per time bucket: "rate" (default, events/s), "count", "mean(latency)", "p95(latency)"..."""
        payload = non_null(queryType="numeric", filter=filter or "", function=function,
                           startTime=time_param(start), endTime=time_param(end), buckets=buckets,
                           priority=priority)
        body = self._call("numericQuery", payload, (READ_LOGS,))
        return NumericResult(values=_values(body.get("values")), **_cost(body))

    def facet_query(self, field: str, filter: str = "", *, start, end=None, max_count: int | None = None,
                    priority: str | None = None) -> FacetResult:
        """The most frequent values of `field` among matching events, most frequent first."""
        payload = non_null(queryType="facet", filter=filter or "", field=field, maxCount=max_count,
                           startTime=time_param(start), endTime=time_param(end), priority=priority)
        body = self._call("facetQuery", payload, (READ_LOGS,))
        values = tuple(FacetValue(value=v.get("value"), count=int(v.get("count") or 0))
                       for v in body.get("values") or ())
        return FacetResult(values=values, match_count=int(body.get("matchCount") or 0), **_cost(body))

    def timeseries_query(self, queries: Iterable[TimeseriesQuery]) -> TimeseriesResult:
        """Several numeric series in one call; a dashboard's repeated stats belong here (summaries)."""
        specs = [
            non_null(filter=q.filter or "", function=q.function, startTime=time_param(q.start),
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
        payload = non_null(query=query, startTime=time_param(start), endTime=time_param(end), priority=priority)
        body = self._call("powerQuery", payload, (READ_LOGS,))
        columns = tuple(str(c.get("name")) if isinstance(c, dict) else str(c) for c in body.get("columns") or ())
        rows = tuple(tuple(_cell(cell) for cell in row) for row in body.get("values") or ())
        return PowerQueryResult(columns=columns, rows=rows, matching_events=body.get("matchingEvents"),
                                omitted_events=body.get("omittedEvents"),
                                warnings=tuple(body.get("warnings") or ()), **_cost(body))
