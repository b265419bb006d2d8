"""Alert thresholds of saved charts: when a chart needs attention, and how badly.

A chart's threshold is crossed when its latest value (the last non-empty bucket of the
last refresh) is strictly above (or below) it. It is *far* past it, and critical on the
overview, when it is past by at least the threshold's own size: twice the threshold for
"above 20" (40 or more), zero or less for "below 100". A zero threshold is never far
past (any crossing is a warning). The same rules exist twice: as Python for one chart, and
as ORM expressions so the overview asks the database once whatever the number of charts.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Abs

from vendors.scalyr.state import from_ms

ABOVE, BELOW = "above", "below"


def latest(values) -> float | None:
    """The last non-empty bucket (Scalyr's NaN buckets are stored as None)."""
    return next((v for v in reversed(values or ()) if v is not None), None)


def past(value, direction: str, threshold) -> bool:
    if value is None or threshold is None:
        return False
    if direction == ABOVE:
        return value > threshold
    if direction == BELOW:
        return value < threshold
    return False


def far_past(value, direction: str, threshold) -> bool:
    return past(value, direction, threshold) and threshold != 0 and abs(value - threshold) >= abs(threshold)


def crossed_since(*, values, start_ms: int | None, end_ms: int | None, direction: str, threshold) -> datetime | None:
    """Start of the trailing run of buckets past the threshold (empty buckets neither break nor extend it).

    None while the latest value is within the threshold. A run reaching back to the window's
    start gives the window's start: the chart does not know about earlier.
    """
    values = list(values or ())
    if start_ms is None or end_ms is None or not past(latest(values), direction, threshold):
        return None
    step = (end_ms - start_ms) / max(len(values), 1)
    first = len(values)
    for index in range(len(values) - 1, -1, -1):
        value = values[index]
        if value is None:
            continue
        if not past(value, direction, threshold):
            break
        first = index
    return from_ms(int(start_ms + first * step))


def alert_refresh(chart) -> None:
    """Recompute `latest_value` and `crossed_at` from the chart's stored series and threshold (not saved)."""
    chart.latest_value = latest(chart.values)
    chart.crossed_at = crossed_since(values=chart.values, start_ms=chart.window_start_ms,
                                     end_ms=chart.window_end_ms, direction=chart.threshold_direction,
                                     threshold=chart.threshold) if chart.threshold is not None else None


# -- the same rules in SQL --------------------------------------------------------------------
def over_q(prefix: str = "") -> Q:
    """Charts whose latest value is past their threshold."""
    return (Q(**{f"{prefix}threshold_direction": ABOVE, f"{prefix}latest_value__gt": F(f"{prefix}threshold")})
            | Q(**{f"{prefix}threshold_direction": BELOW, f"{prefix}latest_value__lt": F(f"{prefix}threshold")}))


def far_q() -> Q:
    """Past by at least the threshold's own size (use on a queryset annotated with `distance` and `size`)."""
    return over_q() & ~Q(threshold=0) & Q(distance__gte=F("size"))


def with_severity(charts):
    """Annotate `severity`: 0 far past the threshold, 1 past it, 2 not refreshed (its value is stale)."""
    return charts.annotate(distance=Abs(F("latest_value") - F("threshold")), size=Abs(F("threshold"))).annotate(
        severity=Case(When(~Q(refresh_error=""), then=Value(2)), When(far_q(), then=Value(0)), default=Value(1),
                      output_field=IntegerField()))
