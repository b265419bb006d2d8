"""The one way the console writes a moment: 24-hour and ISO-like, in the configured time zone.

    2026-12-07 14:02            (minutes: tables, timelines)
    2026-12-07 14:02:33         (seconds: "updated", poll times, tooltips)
    2026-12-07 12:55:33.187     (milliseconds: log timestamps)
    2026-12-07                  (a day: creation dates, certificate validity)

The page footer names the time zone once ("Times in UTC"); the text itself never repeats it.
Templates use the `moment` and `stamp` filters of `console/templatetags/console.py`; JavaScript
uses `consoleTime` of `static/js/console.js` (uPlot axes and legends), which writes the same text.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

PRECISIONS = ("day", "minutes", "seconds", "ms")


def local(when: datetime) -> datetime:
    """`when` in the console's current time zone (a naive datetime is taken as already local)."""
    return timezone.localtime(when) if timezone.is_aware(when) else when


def moment_text(when: datetime | date | None, precision: str = "minutes") -> str:
    """`when` as the console writes it, to `precision` ("day", "minutes", "seconds" or "ms"); "" for none."""
    if when is None or when == "":
        return ""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}: one of {', '.join(PRECISIONS)}")
    if not isinstance(when, datetime):  # a date
        return f"{when.year:04d}-{when.month:02d}-{when.day:02d}"
    when = local(when)
    text = f"{when.year:04d}-{when.month:02d}-{when.day:02d}"
    if precision == "day":
        return text
    text += f" {when.hour:02d}:{when.minute:02d}"
    if precision == "minutes":
        return text
    text += f":{when.second:02d}"
    return text if precision == "seconds" else f"{text}.{when.microsecond // 1000:03d}"


def age_text(when: datetime | None, now: datetime | None = None) -> str:
    """A short, exact-enough age: "12 s ago", "4 min ago", "3 h ago", "2 d ago" ("in 5 min" ahead)."""
    if not when:
        return "never"
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    seconds = int(((now or timezone.now()) - when).total_seconds())
    ahead, seconds = seconds < 0, abs(seconds)
    if seconds < 60:
        amount = f"{seconds} s"
    elif seconds < 3600:
        amount = f"{seconds // 60} min"
    elif seconds < 86400:
        amount = f"{seconds // 3600} h"
    else:
        amount = f"{seconds // 86400} d"
    return f"in {amount}" if ahead and seconds >= 1 else f"{amount} ago"


def zone_name() -> str:
    """The time zone the console shows times in, as the footer names it ("UTC", "Europe/Paris")."""
    return str(timezone.get_current_timezone_name())


def input_value(when: datetime | None) -> str:
    """`when` as an `<input type="datetime-local">` holds it: the console's zone, to the second (a wire format)."""
    return local(when).strftime("%Y-%m-%dT%H:%M:%S") if when else ""
