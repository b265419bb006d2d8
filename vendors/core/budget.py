"""Request budgets shared by every process that uses one credential.

Vendors limit requests per credential (Scalingo: 60 a minute per token; Scalr's Query
API: 10,000 an hour per environment). Polls, "refresh now" and interactive reads all
draw from counters in the shared cache (Redis in production), one per sixtieth of the window, so a
poll can plan how much it may fetch and the rest of the console stays within the limit.
The window slides, as the vendor's does (the last 60 seconds, not the calendar's minute):
with fixed windows, polls spending the end of one minute and the start of the next would
eat the reserve kept for people.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager

from django.core.cache import cache


class RequestBudget:
    """A limit of `limit` requests in any `window_seconds`, counted in 60 buckets of the window each."""

    BUCKETS = 60

    def __init__(self, key: str, *, limit: int | None, window_seconds: int):
        self.key = key
        self.limit = limit  # None: unlimited
        self.window = window_seconds
        self.bucket = window_seconds / self.BUCKETS

    def _key(self, index: int) -> str:
        return f"budget:{self.key}:{self.bucket:g}:{index}"

    def _counts(self) -> tuple[float, int, dict[int, int]]:
        now = time.time()
        current = int(now // self.bucket)
        indices = range(current - self.BUCKETS, current + 1)
        found = cache.get_many([self._key(i) for i in indices])
        return now, current, {i: int(found.get(self._key(i), 0)) for i in indices}

    def used(self) -> int:
        """Requests in the last `window` seconds, as a vendor counting a sliding window sees them (the
        oldest bucket, half outside the window, is counted for the share still inside)."""
        now, current, counts = self._counts()
        oldest = current - self.BUCKETS
        inside = 1.0 - (now % self.bucket) / self.bucket
        return sum(n for i, n in counts.items() if i != oldest) + math.ceil(counts[oldest] * inside)

    def remaining(self) -> int | None:
        if self.limit is None:
            return None
        return max(0, self.limit - self.used())

    def spend(self, count: int = 1) -> None:
        if count <= 0 or self.limit is None:
            return
        key = self._key(int(time.time() // self.bucket))
        timeout = int(self.window + 2 * self.bucket) + 1
        cache.add(key, 0, timeout=timeout)
        try:
            cache.incr(key, count)
        except ValueError:  # the bucket expired between add and incr
            cache.set(key, count, timeout=timeout)

    def seconds_to_reset(self) -> float:
        """Seconds until the oldest requests still counted leave the window (at least one)."""
        now, current, counts = self._counts()
        oldest = next((i for i in sorted(counts) if counts[i]), None)
        if oldest is None:
            return 1.0
        return max(1.0, (oldest + 1) * self.bucket + self.window - now)


@contextmanager
def budgeted(client, budget: RequestBudget):
    """Lend `client` (any vendor client with `budgeted_requests` and `close()`) for one action or
    read; when it is done, the requests it sent are spent from `budget`, so the next poll plans
    with what is really left. Actions do not ask the budget first: they may use the reserve polls
    leave for people."""
    try:
        yield client
    finally:
        try:
            budget.spend(client.budgeted_requests)
        finally:
            client.close()
