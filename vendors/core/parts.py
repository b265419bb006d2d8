"""A poll is made of named parts, and a part fails alone.

A vendor's poll reads its root (the environment list, the app list) outside any part:
when that fails, the whole poll fails. Everything else it reads (an environment's farm
list, each catalog, a farm's details, an app's details, a chart's series) goes through
`PollParts.read(key, label, read)`. A part the vendor refuses (401/403 on that resource
only), lacks (404 endpoint), answers with garbage or too slowly is recorded with the
vendor's own words and `read` returns `MISSING`: the vendor's sync keeps that part's
rows as they were, and the connection is *Degraded* with what is missing.

A 429 is not a part's failure: the vendor's limit is shared by every part, so `read`
raises it and the poll decides (stop reading details, or defer the whole poll).

A part that keeps failing does not cost its request at every poll forever: after each
failure in a row it waits twice as long (one interval, two, four... up to the console's
longest backoff) before it is asked again; meanwhile it stays listed as failing.

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

from vendors.core.errors import RateLimited, VendorError

logger = logging.getLogger("vendors.polling")

T = TypeVar("T")


class _Missing:
    """What `PollParts.read` returns for a part that failed or waits for its backoff."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
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
        self.waiting: set[str] = set()

    # -- reading ---------------------------------------------------------------------------
    def read(self, key: str, label: str, read: Callable[[], T]) -> T:
        """`read()`'s answer, or MISSING when it failed (recorded) or the part waits for its backoff."""
        earlier = self._before.get(key)
        if earlier and self._backing_off(earlier):
            with self._lock:
                self.waiting.add(key)
                self.failures[key] = earlier
            return MISSING
        try:
            value = read()
        except RateLimited:
            raise  # the vendor's limit is shared by every part: the poll decides (stop reading, or defer)
        except VendorError as exc:
            self.fail(key, label, str(exc))
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

    def fail(self, key: str, label: str, message: str) -> None:
        """Record a part's failure (for parts a vendor reads some other way than `read`)."""
        earlier = self._before.get(key) or {}
        failures = int(earlier.get("failures", 0)) + 1
        retry_at = self.now + timedelta(seconds=part_backoff_seconds(self.connection.poll_seconds, failures)
                                        - self.connection.poll_seconds / 2)  # the next due poll asks again
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

    def failed_labels(self) -> list[str]:
        return [f"{f['label']}: {f['message']}" for _key, f in sorted(self.failures.items())]

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
