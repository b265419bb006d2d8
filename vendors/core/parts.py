"""A poll is made of named parts, and a part fails alone.

A vendor's poll reads its root (the environment list, the app list) outside any part:
when that fails, the whole poll fails. Everything else it reads (an environment's farm
list, each catalog, a farm's details, an app's details, a chart's series) goes through
`PollParts.read(key, label, read)`. A part the vendor refuses (401/403 on that resource
only), lacks (404 endpoint), answers with garbage or too slowly is recorded with the
vendor's own words and `read` returns `MISSING`: the vendor's sync keeps that part's
rows as they were, and the connection is *Degraded* with what is missing.

A 429 is not a part's failure: the vendor's limit is shared by every part. The first one
stops the poll's reading: that part and every later one return `MISSING` at once (their rows
stay, their earlier state too), `limited` holds the vendor's answer, and the poll stores
everything it read before (only a 429 on the root defers the whole poll).

A part the vendor refuses or lacks (a lasting answer: 401/403/404, an undefined action, a
bad request) does not cost its request at every poll forever: after each failure in a row
it waits twice as long (one interval, two, four... up to the console's longest backoff)
before it is asked again; meanwhile it stays listed as failing. A passing fault (a timeout,
a 5xx, a garbled answer) is asked again at the next poll.

State lives on the connection (`part_failures`, `parts_total`), written by the poll
that holds the lease, so every process and page sees the same.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from vendors.core.errors import ProtocolError, RateLimited, VendorError, VendorUnavailable

logger = logging.getLogger("vendors.polling")

T = TypeVar("T")


class _Missing:
    """What `PollParts.read` returns for a part that failed or waits for its backoff."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
#: failures that pass by themselves: asked again at the next poll, without backing off
PASSING = (VendorUnavailable, ProtocolError)
#: shown for a part whose read raised something that is not a vendor's answer (a bug of ours)
INTERNAL = "Internal error while reading this part; the worker log has the details"


def part_backoff_seconds(poll_seconds: int, failures: int) -> float:
    """How long a part that failed `failures` times in a row waits before it is asked again."""
    return min(poll_seconds * 2 ** max(0, failures - 1), settings.CONSOLE_MAX_BACKOFF_SECONDS)


class PollParts:
    """The parts of one poll of one connection. Thread-safe: farm details are read by a pool."""

    def __init__(self, connection, *, now: datetime | None = None):
        self.connection = connection
        self.now = now or timezone.now()
        self._lock = threading.Lock()
        self._before: dict[str, dict] = dict(getattr(connection, "part_failures", None) or {})
        self.failures: dict[str, dict] = {}
        self.succeeded: set[str] = set()
        #: the vendor's 429 that stopped this poll's reading, if one did
        self.limited: RateLimited | None = None
        self.skipped: set[str] = set()

    # -- reading ---------------------------------------------------------------------------
    def read(self, key: str, label: str, read: Callable[[], T]) -> T:
        """`read()`'s answer, or MISSING when it failed (recorded) or the part waits for its backoff."""
        earlier = self._before.get(key)
        if earlier and (self.limited is not None or self._backing_off(earlier)):
            with self._lock:
                self.failures[key] = earlier  # still failing, not asked: listed as it was
            return MISSING
        if self.limited is not None:
            with self._lock:
                self.skipped.add(key)
            return MISSING
        try:
            value = read()
        except RateLimited as exc:
            with self._lock:
                self.limited = self.limited or exc
                self.skipped.add(key)
                if earlier:
                    self.failures[key] = earlier
            return MISSING
        except VendorError as exc:
            self.fail(key, label, str(exc), lasting=not isinstance(exc, PASSING))
            return MISSING
        except Exception:
            logger.exception("Reading part %r of connection %s failed unexpectedly", key, self.connection.name)
            self.fail(key, label, INTERNAL)
            return MISSING
        self.ok(key)
        return value

    def ok(self, key: str) -> None:
        with self._lock:
            self.succeeded.add(key)
            self.failures.pop(key, None)

    def fail(self, key: str, label: str, message: str, *, lasting: bool = True) -> None:
        """Record a part's failure (for parts a vendor reads some other way than `read`). Only a `lasting`
        one (a refusal, a missing endpoint) backs off; a passing one is asked again at the next poll."""
        earlier = self._before.get(key) or {}
        failures = int(earlier.get("failures", 0)) + 1
        backoff = part_backoff_seconds(self.connection.poll_seconds, failures) if lasting else 0
        retry_at = self.now + timedelta(seconds=backoff - self.connection.poll_seconds / 2)  # due polls ask again
        with self._lock:
            self.succeeded.discard(key)
            self.failures[key] = {"label": label, "message": message[:500], "failures": failures,
                                  "since": earlier.get("since") or self.now.isoformat(),
                                  "retry_at": retry_at.isoformat()}

    def _backing_off(self, earlier: dict) -> bool:
        retry_at = parse_datetime(earlier.get("retry_at") or "")
        return retry_at is not None and retry_at > self.now

    # -- what the poll tells -----------------------------------------------------------------
    @property
    def total(self) -> int:
        return len(self.succeeded) + len(self.failures)

    def limited_note(self, vendor: str) -> str:
        """What a 429 during this poll left for the next one, or ''."""
        if self.limited is None:
            return ""
        return (f"{vendor} asked to slow down during this poll: {len(self.skipped)} part(s) were not read and "
                f"keep what was read before; the next poll reads them.")

    def summary(self) -> str:
        """'2 of 31 parts failed: images in staging: Insufficient permissions; …', or ''."""
        return failures_sentence(self.failures, self.total)


def failures_sentence(failures: dict[str, dict], total: int, *, limit: int = 3) -> str:
    if not failures:
        return ""
    items = [f"{f['label']}: {f['message']}" for _key, f in sorted(failures.items())]
    shown = "; ".join(items[:limit]) + ("; …" if len(items) > limit else "")
    return f"{len(failures)} of {max(total, len(failures))} parts failed: {shown}"


def part_failure(connection, key: str) -> dict | None:
    """The stored failure of one part of `connection` (for the page of the missing thing), or None."""
    failure = (getattr(connection, "part_failures", None) or {}).get(key)
    if failure is None:
        return None
    return {**failure, "since": parse_datetime(failure.get("since") or ""),
            "retry_at": parse_datetime(failure.get("retry_at") or "")}


def part_failures(connection, prefix: str) -> list[dict]:
    """Every stored failure of `connection` whose key starts with `prefix`, oldest first."""
    keys = sorted(k for k in (getattr(connection, "part_failures", None) or {}) if k.startswith(prefix))
    return [part_failure(connection, key) for key in keys]


def missing_parts(connection, *keys: str) -> list[dict]:
    """The stored failures of these parts of `connection` (for the page that shows them), in key order."""
    return [failure for failure in (part_failure(connection, key) for key in keys) if failure]
