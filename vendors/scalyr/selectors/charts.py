"""Charts read live (the chart page: any filter and function over a range) and stored (a saved
chart's tile: the series of the last poll and its threshold).

The chart page asks `timeseriesQuery` for the series and its value over the whole range in
one call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from vendors.scalyr import thresholds
from vendors.scalyr.client import client_for
from vendors.scalyr.client.records import TimeseriesQuery
from vendors.scalyr.models import SavedQuery
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


def with_threshold(data: dict, chart: SavedQuery | None) -> dict:
    """A chart's data for scalyr.js, with the saved chart's alert threshold (drawn as a dashed line) if it has one."""
    if chart is not None and chart.has_threshold:
        data.update(threshold=chart.threshold, threshold_label=f"alert {chart.threshold_label}")
    return data


def tile(chart: SavedQuery, prefix: str = "scalyr-tile") -> dict:
    """What a tile draws: the stored series, its latest value, and the threshold (a dashed line)."""
    values = chart.values or []
    times = bucket_times(chart.window_start_ms or 0, chart.window_end_ms or 0, len(values))
    state = ChartState.from_params(chart.state)
    series = with_threshold({"times": times, "values": values, "label": state.function}, chart)
    over = chart.is_over
    return {"chart": chart, "state": state, "latest": thresholds.latest(values), "chart_id": f"{prefix}-{chart.pk}",
            "series": series, "over": over, "far": over and chart.is_far_over}
