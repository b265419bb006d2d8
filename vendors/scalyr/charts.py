"""Numeric and time-series charts: interactive reads, and the poller's refresh of saved charts.

Both go through `timeseriesQuery`, which batches: the chart page asks for the series and
its value over the whole range in one call, and a poll refreshes every saved chart of a
connection in one call with `createSummaries`, so repeating it is cheap for Scalyr.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from vendors.core import errors
from vendors.scalyr import thresholds
from vendors.scalyr.clients import client_for
from vendors.scalyr.models import SavedQuery
from vendors.scalyr.records import TimeseriesQuery
from vendors.scalyr.state import ChartState, to_ms


def finite(values) -> list[float | None]:
    """JSON-safe values: Scalyr's infinities and NaN become gaps."""
    return [v if isinstance(v, (int, float)) and math.isfinite(v) else None for v in values]


def bucket_times(start_ms: int, end_ms: int, count: int) -> list[float]:
    """The start of each bucket in epoch seconds (uPlot's x axis)."""
    step = (end_ms - start_ms) / max(count, 1)
    return [round((start_ms + i * step) / 1000, 3) for i in range(count)]


@dataclass(frozen=True)
class Series:
    times: list[float]
    values: list[float | None]
    overall: float | None
    start: datetime
    end: datetime
    execution_time_ms: float | None

    def as_json(self, label: str) -> dict:
        return {"times": self.times, "values": self.values, "label": label}


def chart_series(*, connection, state: ChartState) -> Series:
    start, end = state.window()
    start_ms, end_ms = to_ms(start), to_ms(end)
    common = {"start": start_ms, "end": end_ms, "filter": state.filter, "function": state.function,
              "create_summaries": False}
    result = client_for(connection).timeseries_query([
        TimeseriesQuery(buckets=state.buckets, **common), TimeseriesQuery(buckets=1, **common)])
    series, overall = result.series
    values = finite(series.values)
    return Series(times=bucket_times(start_ms, end_ms, len(values)), values=values,
                  overall=(finite(overall.values) or [None])[0], start=start, end=end,
                  execution_time_ms=result.execution_time_ms)


def saved_charts_refresh(*, connection, client, parts=None) -> tuple[int, int]:
    """Refresh every saved chart of `connection` in one timeseriesQuery; returns (charts, new summaries).

    Each chart is a part of the poll: one that Scalyr refuses (its filter...) keeps its stored series
    and says why; when the whole batch cannot be read (Scalyr slow, garbled, down), every chart keeps
    its series and the poll names them. Refused credentials fail the poll.
    """
    charts = list(SavedQuery.objects.filter(connection=connection, kind=SavedQuery.Kind.CHART))
    if not charts:
        return 0, 0
    now = timezone.now()
    windows, queries = [], []
    for chart in charts:
        state = ChartState.from_params(chart.state)
        start, end = state.window(now)
        windows.append((to_ms(start), to_ms(end)))
        queries.append(TimeseriesQuery(start=to_ms(start), end=to_ms(end), filter=state.filter,
                                       function=state.function, buckets=state.buckets, create_summaries=True))
    try:
        answers = _batched(client, queries)
    except (errors.AuthenticationError, errors.RateLimited):
        raise
    except errors.VendorError as exc:
        answers = [exc] * len(charts)
    created = 0
    for chart, (start_ms, end_ms), series in zip(charts, windows, answers):
        key, label = f"chart:{chart.pk}", f"chart {chart.name}"
        if isinstance(series, errors.VendorError):
            chart.refresh_error = str(series)  # this chart's filter or function; the others still refresh
            if parts is not None:
                parts.fail(key, label, str(series))
            continue
        if parts is not None:
            parts.ok(key)
        chart.values = finite(series.values)
        chart.window_start_ms, chart.window_end_ms = start_ms, end_ms
        chart.refreshed_at = now
        chart.refresh_error = ""
        thresholds.alert_refresh(chart)
        created += series.found_existing_series is False
    SavedQuery.objects.bulk_update(charts, ["values", "window_start_ms", "window_end_ms", "refreshed_at",
                                            "refresh_error", "latest_value", "crossed_at"])
    return len(charts), created


def _batched(client, queries: list[TimeseriesQuery]) -> list:
    """All series in one call; when Scalyr refuses the batch, each alone so one bad chart spoils only itself."""
    try:
        return list(client.timeseries_query(queries).series)
    except errors.InvalidRequest as exc:
        if len(queries) == 1:
            return [exc]
    answers = []
    for query in queries:
        try:
            answers.append(client.timeseries_query([query]).series[0])
        except errors.InvalidRequest as exc:
            answers.append(exc)
    return answers


def tile(chart: SavedQuery, prefix: str = "scalyr-tile") -> dict:
    """What a tile draws: the stored series, its latest value, and the threshold (a dashed line)."""
    values = chart.values or []
    times = bucket_times(chart.window_start_ms or 0, chart.window_end_ms or 0, len(values))
    state = ChartState.from_params(chart.state)
    series = {"times": times, "values": values, "label": state.function}
    if chart.has_threshold:
        series.update(threshold=chart.threshold, threshold_label=f"alert {chart.threshold_label}")
    over = chart.is_over
    return {"chart": chart, "state": state, "latest": thresholds.latest(values), "chart_id": f"{prefix}-{chart.pk}",
            "series": series, "over": over, "far": over and chart.is_far_over}
