"""Start/end times as Scalyr accepts them (scalyr.md §4.1), resolved to epoch nanoseconds.

Relative ("24h", "-30m", "0d", "1w"), "now", ISO-like absolute times ("2026-03-10T09:00:00-0500";
no offset means UTC here, the account's zone on the real service), and bare epoch numbers
in seconds, milliseconds or nanoseconds (JSON numbers or numeric strings).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from vendors.scalyr.simulator.params import Params, bad_param

NS = 1_000_000_000
DAY_NS = 86_400 * NS
_UNITS = {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "mins": 60,
          "minute": 60, "minutes": 60, "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
          "d": 86400, "day": 86400, "days": 86400, "w": 604800, "week": 604800, "weeks": 604800}
_RELATIVE = re.compile(r"^-?(\d+(?:\.\d+)?)\s*([a-z]+)$", re.IGNORECASE)
_FIVE_HUNDRED_YEARS_S = 500 * 365 * 86400


def epoch_to_ns(number: float) -> int:
    """Seconds, milliseconds or nanoseconds by magnitude (the Java client's heuristic)."""
    if abs(number) < _FIVE_HUNDRED_YEARS_S:
        return int(number * NS)
    if abs(number) < _FIVE_HUNDRED_YEARS_S * 1000:
        return int(number * 1_000_000)
    return int(number)


def parse_time(value, now_ns: int, name: str = "time") -> int:
    if isinstance(value, bool):
        raise bad_param(f"could not parse {name} [{value}]")
    if isinstance(value, (int, float)):
        return epoch_to_ns(value)
    text = str(value).strip()
    try:
        return epoch_to_ns(int(text))
    except ValueError:
        pass
    try:
        return epoch_to_ns(float(text))
    except ValueError:
        pass
    if text.lower() == "now":
        return now_ns
    match = _RELATIVE.match(text)
    if match and match.group(2).lower() in _UNITS:
        return now_ns - int(float(match.group(1)) * _UNITS[match.group(2).lower()] * NS)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise bad_param(f"could not parse {name} [{text}]") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp()) * NS + when.microsecond * 1000


def time_range(params: Params, now_ns: int, *, start_required: bool) -> tuple[int, int]:
    """[start, end) in ns. Queries default to 24 h windows; stats need a start (§4.1)."""
    start_raw, end_raw = params.raw("startTime"), params.raw("endTime")
    if start_raw is None and start_required:
        raise bad_param("startTime is required")
    start = None if start_raw is None else parse_time(start_raw, now_ns, "startTime")
    end = None if end_raw is None else parse_time(end_raw, now_ns, "endTime")
    if start is None and end is None:
        end = now_ns
    if start is None:
        start = end - DAY_NS
    if end is None:
        end = now_ns if start_required else start + DAY_NS
    if end < start:
        raise bad_param("endTime must not be before startTime")
    return start, end
