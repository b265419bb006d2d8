"""Graph functions for numericQuery/timeseriesQuery (scalyr.md §7.4) and their bucketing.

`rate` (default: events per second), `count` (events per bucket), `mean(f)` or bare `f`,
`min(f)`, `max(f)`, `sum(f)`, `sumPerSecond(f)`, `median(f)`, `p10 p25 p50 p75 p90 p95 p99
p999 (f)` and `p(f, n)`. Undefined values (mean of nothing) are None, except `sumPerSecond`
and `sum`, which are 0. `fraction(expr)` is refused, as numericQuery does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from vendors.scalyr.simulator.filterlang import MISSING, as_number
from vendors.scalyr.simulator.params import bad_param
from vendors.scalyr.simulator.timespec import NS

_CALL = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]*)\s*\(\s*(.*?)\s*\)\s*$")
_FIELD = re.compile(r"^\$?[A-Za-z_][\w.\\-]*$")
_PERCENTILES = {"p10": 10, "p25": 25, "p50": 50, "p75": 75, "p90": 90, "p95": 95, "p99": 99, "p999": 99.9,
                "median": 50}


def percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _mean(values):
    return sum(values) / len(values) if values else None


AGGREGATES: dict[str, Callable[[list[float]], float | None]] = {
    "mean": _mean, "avg": _mean, "min": lambda v: min(v) if v else None, "max": lambda v: max(v) if v else None,
    "sum": lambda v: float(sum(v)),
}


@dataclass(frozen=True)
class GraphFunction:
    kind: str  # count, rate, or an aggregate name / "percentile" / "sumPerSecond"
    field: str | None = None
    p: float | None = None

    def bucket_value(self, events: list, width_seconds: float, getter: Callable):
        if self.kind == "count":
            return len(events)
        if self.kind == "rate":
            return len(events) / width_seconds if width_seconds else 0.0
        get = getter(self.field)
        numbers = [n for n in (as_number(v) for v in (get(e) for e in events) if v is not MISSING) if n is not None]
        if self.kind == "sumPerSecond":
            return sum(numbers) / width_seconds if width_seconds else 0.0
        if self.kind == "percentile":
            return percentile(numbers, self.p)
        return AGGREGATES[self.kind](numbers)


def parse_function(text: str | None) -> GraphFunction:
    text = (text or "").strip()
    if text in ("", "rate"):
        return GraphFunction("rate")
    if text == "count":
        return GraphFunction("count")
    call = _CALL.match(text)
    if not call:
        if _FIELD.match(text):
            return GraphFunction("mean", _field(text))
        raise bad_param(f"could not parse function [{text}]")
    name, args = call.group(1), [a.strip() for a in call.group(2).split(",")] if call.group(2) else []
    if name == "fraction":
        raise bad_param("the fraction() function is not supported by numericQuery")
    if name == "count" and not args:
        return GraphFunction("count")
    if name == "rate" and not args:
        return GraphFunction("rate")
    if name == "p" and len(args) == 2 and _FIELD.match(args[0]):
        try:
            p = float(args[1])
        except ValueError:
            p = -1
        if not 0 <= p <= 100:
            raise bad_param(f"percentile must be between 0 and 100 in [{text}]")
        return GraphFunction("percentile", _field(args[0]), p)
    if len(args) != 1 or not _FIELD.match(args[0]):
        raise bad_param(f"could not parse function [{text}]")
    if name in _PERCENTILES:
        return GraphFunction("percentile", _field(args[0]), _PERCENTILES[name])
    if name in AGGREGATES or name == "sumPerSecond":
        return GraphFunction(name, _field(args[0]))
    raise bad_param(f"unknown function '{name}' in [{text}]")


def _field(name: str) -> str:
    return name.lstrip("$").replace("\\", "")


def bucketize(events: Iterable, start: int, end: int, buckets: int) -> list[list]:
    """Events of [start, end) split into `buckets` equal slices, oldest first."""
    slots: list[list] = [[] for _ in range(buckets)]
    span = end - start
    if span <= 0:
        return slots
    for event in events:
        index = (event.ts - start) * buckets // span
        if 0 <= index < buckets:
            slots[index].append(event)
    return slots


def series(function: GraphFunction, events: Iterable, start: int, end: int, buckets: int,
           getter: Callable) -> list:
    width = (end - start) / NS / buckets
    return [function.bucket_value(slot, width, getter) for slot in bucketize(events, start, end, buckets)]
