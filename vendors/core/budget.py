"""Request budgets shared by every process that uses one credential.

Vendors limit requests per credential (Scalingo: 60 a minute per token; Scalr's Query
API: 10,000 an hour per environment). Polls, "refresh now" and interactive reads all
draw from one counter in the shared cache (Redis in production), in fixed windows, so a
poll can plan how much it may fetch and the rest of the console stays within the limit.
"""

from __future__ import annotations

import time

from django.core.cache import cache


class RequestBudget:
    def __init__(self, key: str, *, limit: int | None, window_seconds: int):
        self.key = key
        self.limit = limit  # None: unlimited
        self.window = window_seconds

    def _slot(self) -> str:
        return f"budget:{self.key}:{int(time.time() // self.window)}"

    def used(self) -> int:
        return int(cache.get(self._slot(), 0))

    def remaining(self) -> int | None:
        if self.limit is None:
            return None
        return max(0, self.limit - self.used())

    def spend(self, count: int = 1) -> None:
        if count <= 0 or self.limit is None:
            return
        slot = self._slot()
        cache.add(slot, 0, timeout=self.window * 2)
        try:
            cache.incr(slot, count)
        except ValueError:  # the slot expired between add and incr
            cache.set(slot, count, timeout=self.window * 2)

    def seconds_to_reset(self) -> float:
        return self.window - (time.time() % self.window)
