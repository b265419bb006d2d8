"""Calling an async view from a test: in a thread of its own, away from the event loop Playwright's sync
API may leave running in the main thread, and with that thread's database connection closed after
(left open, PostgreSQL refuses to drop the test database at the end of the run)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.db import connections

T = TypeVar("T")


def off_the_event_loop(call: Callable[..., T], *args, **kwargs) -> T:
    def run() -> T:
        try:
            return call(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()
