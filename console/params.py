"""Input from the query string and forms, read without trusting it.

    hours, problem = whole_number(request.GET, "hours", default=3, low=1, high=24, label="Hours")

Django's IntegerField parses it (so "abc", "1e309", 5000 digits or a NUL are refused, never
raised); a number outside [low, high] is clamped; anything else gives the default and a sentence
to show the user ("" when the value was fine or absent). `digits(value)` reads an id the same way.
`RefuseNulMiddleware` answers 400 to a request carrying a NUL character, which no field accepts.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest

NUL = "\x00"


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


class RefuseNulMiddleware:
    """No field of ours holds a NUL character, and PostgreSQL refuses one in text (a 500 then), so a
    request whose path, query string or form carries one is refused before its view reads it. A view
    exempt from CSRF reads its own body (Scalr's callback refuses a large one by its length before
    anything reads it), so only its path and query string are looked at here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        form = request.method == "POST" and not getattr(view, "csrf_exempt", False)
        if NUL in request.path or carries_nul(request.GET) or (form and carries_nul(request.POST)):
            return HttpResponseBadRequest("This request carries a NUL character (\\0), which no field accepts.\n",
                                          content_type="text/plain")
        return None


def carries_nul(query) -> bool:
    """Whether a QueryDict (request.GET, request.POST) holds a NUL character in a key or a value."""
    return any(NUL in text for key, values in query.lists() for text in (key, *values))
