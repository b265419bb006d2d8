"""Fuzzing every view's input: no answer is a 5xx, and every 4xx says why.

It walks the permission matrix's URL list (tests/harness/permissions.py), with the matrix's own
seeded objects (each vendor's `urls` fixture), as one user who may use every view:

    fuzzer = fuzz_matrix(web, MATRIX, urls, user=members[Role.ADMIN])
    assert not fuzzer.failures, report(fuzzer.failures)
    assert "hours" in fuzzer.asked[urls["scalingo:app-series"]]  # found, not listed

For every URL, GET and POST (a method the view refuses with 405 is skipped):

1. the parameters are discovered, not listed: each request is made while `QueryDict` lookups are
   recorded (`request.GET.get(...)`, `request.POST[...]`, `in`, `getlist`, and so every
   django-filter FilterSet and Django form bound to them), so a parameter a view starts reading
   tomorrow is fuzzed without editing a test; a parameter read only once another has a value is
   found on the way;
2. all of them at once get each value of `NASTY` in turn (on top of the row's own data), and a
   repeated pair; then each alone gets the values of `SHARP` (so no other field refuses first);
3. each path parameter (`<int:pk>`, `<str:...>`, `<slug:...>`) gets out-of-range and odd values;
4. Hypothesis then sends a few seeded mixes of those parameters (values from `NASTY`, integers
   and arbitrary text), with and without `HX-Request`, and shrinks a failure to its smallest form.

Each request runs in a savepoint that is rolled back, so a POST that deletes or changes the seeded
objects leaves them for the next one (and on_commit tasks are never queued). A request that
raises, answers 5xx, or answers 4xx with no visible text is a failure; the list of failures names
the method, URL and parameters, never a response body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.http import QueryDict
from django.urls import resolve, reverse
from django.utils.datastructures import MultiValueDict
from django.utils.html import strip_tags
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

#: what a careless or hostile user types: non-numeric, negative, huge, empty, unicode, NUL, very long
NASTY: tuple[str, ...] = (
    "", "abc", "-1", "0", "1.5", "-99999999999999999999", "99999999999999999999999999", "9" * 5000, "1e309",
    "nan", "2024-13-45T25:61", "ü漢字🙂\u202e\u0301", "a\x00b", "x" * 20000, "%", "'\"<b>&", "../../etc/passwd",
)
#: what each parameter gets alone: the values that break a parse (int(), a bigint column, PostgreSQL's text)
SHARP: tuple[str, ...] = ("abc", "-1", "9" * 25, "9" * 5000, "a\x00b")
#: path parameters, by converter
PATH_VALUES: dict[str, tuple] = {
    "int": (0, 2**31, 2**63, 10**30),
    "str": ("ü漢字🙂", "x" * 3000, "a\x00b", "%25", "..", " "),
    "slug": ("x" * 3000, "-", "0"),
}
PATH_VALUES["path"] = PATH_VALUES["str"]
#: keys asked of QueryDicts that are no input of a view
IGNORED_KEYS = frozenset({"csrfmiddlewaretoken"})
#: a probe's own parameter: keeps `request.POST or None` bound, so its form's fields are asked for
PROBE = {"fuzz": "1"}
MAX_KEYS = 40


@dataclass(frozen=True)
class Failure:
    method: str
    url: str
    params: dict
    what: str

    def __str__(self) -> str:
        by_value: dict[str, list[str]] = {}
        for key, value in self.params.items():
            by_value.setdefault(_short(value, 40), []).append(key)
        shown = "; ".join(f"{','.join(keys)}={value}" for value, keys in by_value.items())
        return f"{self.method.upper()} {_short(self.url, 120)} [{shown}]: {self.what}"


def report(failures: Iterable[Failure]) -> str:
    lines = [str(failure) for failure in failures]
    return f"{len(lines)} inputs answered badly:\n" + "\n".join(lines[:60])


@contextmanager
def asked_keys():
    """The keys looked up in any QueryDict (request.GET, request.POST, their copies) meanwhile."""
    asked: set[str] = set()
    patched = {}
    for name in ("__getitem__", "get", "getlist", "__contains__"):
        original = getattr(MultiValueDict, name)
        patched[name] = MultiValueDict.__dict__.get(name)

        def recording(self, key, *args, _original=original, **kwargs):
            if isinstance(key, str) and isinstance(self, QueryDict):
                asked.add(key)
            return _original(self, key, *args, **kwargs)

        setattr(MultiValueDict, name, recording)
    try:
        yield asked
    finally:
        for name, original in patched.items():
            if original is None:
                delattr(MultiValueDict, name)
            else:
                setattr(MultiValueDict, name, original)


def verdict(response, tolerated: frozenset[int] = frozenset()) -> str | None:
    """None when the answer is acceptable for any input; else what is wrong with it."""
    status = response.status_code
    if status in tolerated:
        return None
    if status >= 500:
        return f"answered {status}"
    if 400 <= status < 500:
        if getattr(response, "streaming", False):
            return None
        text = " ".join(strip_tags(response.content.decode(errors="replace")).split())
        if not re.search(r"[^\W\d_]{3}", text):
            return f"answered {status} with no message"
    return None


class Fuzzer:
    """One user's requests to one part of the project; `failures` collects what went wrong."""

    def __init__(self, client, *, examples: int = 4, tolerated: Iterable[int] = (), rollback: bool = True):
        self.client = client
        self.rollback = rollback  # off for a view of its own transactions, run in another thread (health)
        self.examples = examples
        #: statuses that say something other than the input (a health check's verdict)
        self.tolerated = frozenset(tolerated)
        self.failures: list[Failure] = []
        self.sent = 0
        #: the parameters found for each URL (either method): what a test checks the discovery by
        self.asked: dict[str, set[str]] = {}

    def send(self, method: str, url: str, params: dict, *, htmx: bool = False, asked: set | None = None):
        """One request in a rolled-back savepoint; returns the response, or None when it failed."""
        headers = {"HX-Request": "true"} if htmx else {}
        self.sent += 1
        try:
            with asked_keys() as seen, transaction.atomic() if self.rollback else nullcontext():
                if method == "get":
                    response = self.client.get(url, params, headers=headers)
                else:  # a POST's parameters are sent in its body and its query string (views read either)
                    query = urlencode(params, doseq=True)
                    response = self.client.post(f"{url}?{query}" if query else url, params, headers=headers)
                if getattr(response, "streaming", False):
                    _close_stream(response)
                if self.rollback:
                    transaction.set_rollback(True)
        except Exception as error:  # noqa: BLE001 - the test client re-raises a view's exception: a 500
            self.failures.append(Failure(method, url, params, f"raised {type(error).__name__}: {_short(error)}"))
            return None
        if asked is not None:
            asked |= {key for key in seen if key not in IGNORED_KEYS}
        problem = None if response.status_code == 405 else verdict(response, self.tolerated)  # 405: no such method
        if problem:
            self.failures.append(Failure(method, url, params, problem))
        return response

    def url(self, url: str, method: str, data: dict, thorough: bool = True) -> None:
        """Everything this module's docstring lists for one URL and method (not `thorough`: only its
        parameters all at once, for the method a view is not declared for in the matrix)."""
        base = {key: value if isinstance(value, list) else [str(value)] for key, value in data.items()}
        asked = self.asked.setdefault(url, set())
        probe = self.send(method, url, {**PROBE, **base}, asked=asked)
        if probe is None or probe.status_code == 405:
            return
        self.send(method, url, base, asked=asked)
        for value in (*NASTY, ["1", "abc"]):  # every parameter at once (found on the way ones included)
            self.send(method, url, {**base, **dict.fromkeys(sorted(asked), value)}, asked=asked)
        if not thorough:
            return
        keys = sorted(asked)[:MAX_KEYS]
        for key in keys:  # each alone, on top of the row's own data: no other field refuses first
            for value in SHARP:
                self.send(method, url, {**base, key: value})
        for variant in path_variants(url):
            self.send(method, variant, base)
        if keys:
            self.mixes(method, url, base, keys)

    def mixes(self, method: str, url: str, base: dict, keys: list[str]) -> None:
        values = st.one_of(st.sampled_from(NASTY), st.integers().map(str), st.text(max_size=50))

        @settings(max_examples=self.examples, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck), phases=(Phase.generate, Phase.shrink))
        @given(params=st.dictionaries(st.sampled_from(keys), st.lists(values, min_size=1, max_size=2), min_size=1),
               htmx=st.booleans())
        def mix(params, htmx):
            before = len(self.failures)
            self.send(method, url, {**base, **params}, htmx=htmx)
            failed = self.failures[before:]
            del self.failures[before:]
            assert not failed, failed[0].what

        try:
            mix()
        except AssertionError as error:
            notes = " ".join(getattr(error, "__notes__", []))
            self.failures.append(Failure(method, url, {}, f"{error} ({_short(notes, 400)})"))


def path_variants(url: str) -> list[str]:
    """`url` with each of its path parameters replaced by the odd values of its converter."""
    match = resolve(url)
    converters = dict((name, kind or "str") for kind, name in re.findall(r"<(?:(\w+):)?(\w+)>", match.route))
    variants = []
    for name in match.kwargs:
        for value in PATH_VALUES.get(converters.get(name, "str"), ()):
            variants.append(reverse(match.view_name, kwargs={**match.kwargs, name: value}))
    return variants


def fuzz_matrix(client, matrix, urls: dict[str, str], *, user=None, names: Iterable[str] | None = None,
                examples: int = 4) -> Fuzzer:
    """Fuzz every URL of `matrix` (or only `names`), GET and POST, as `user` (None: anonymous); the
    fuzzer's `failures` say what went wrong, its `asked` which parameters each URL was found to read."""
    fuzzer = Fuzzer(client, examples=examples)
    rows = {(row.name, row.method): row for row in matrix}
    for name in sorted(names if names is not None else {row.name for row in matrix}):
        for method in ("get", "post"):  # the method the matrix declares thoroughly; the other one for a 500
            row = rows.get((name, method)) or rows.get((name, "get")) or rows[(name, "post")]
            if user is not None:
                client.force_login(user)  # again: a fuzzed logout or a deleted membership ends the session
            data = {**dict(QueryDict(row.query.lstrip("?")).lists()), **row.data}
            fuzzer.url(urls[name], method, data, thorough=row.method == method)
    return fuzzer


def _close_stream(response) -> None:
    """End a stream never read (a live tail) as a WSGI server would, keeping the test's database
    connection (Django's test client does the same when a stream ends)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def _short(value, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value) if not isinstance(value, Exception) else str(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"
