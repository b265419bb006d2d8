"""Numbers from the query string, read without trusting them.

    hours, problem = whole_number(request.GET, "hours", default=3, low=1, high=24, label="Hours")

Django's IntegerField parses it (so "abc", "1e309", 5000 digits or a NUL are refused, never
raised); a number outside [low, high] is clamped; anything else gives the default and a sentence
to show the user ("" when the value was fine or absent). `digits(value)` reads an id the same way.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def whole_number(params, name: str, *, default: int, low: int, high: int, label: str) -> tuple[int, str]:
    raw = params.get(name)
    if raw is None or not str(raw).strip():
        return default, ""
    try:
        value = forms.IntegerField().clean(raw)
    except ValidationError:
        return default, f"{label}: a whole number from {low} to {high} (showing {default})."
    return min(max(value, low), high), ""


#: the largest id a database column holds (a bigint): a larger number names nothing
MAX_ID = 2**63 - 1


def digits(value) -> int | None:
    """A whole number written in ASCII digits that a bigint holds, else None: never int() of a
    stranger's 5000 digits, never an id SQLite or PostgreSQL refuse to compare."""
    text = value if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if number <= MAX_ID else None
