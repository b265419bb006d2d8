"""One way to wait in a test: poll a condition until it holds or a deadline passes.

    from tests.harness.waiting import wait_for

    row = wait_for(lambda: settled(connection), timeout=20, what="the poll settled")

`condition()` is called until it returns something truthy, which `wait_for` returns. Between
two calls it sleeps `interval` seconds, or, when `step` is given, calls `step()` instead (to
move a simulated world on rather than wait for it). Past `timeout` seconds it raises
AssertionError naming what it waited for and the last value the condition returned.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def wait_for(condition: Callable[[], T], *, timeout: float = 5.0, interval: float = 0.02, what: str | None = None,
             step: Callable[[], Any] | None = None) -> T:
    """Poll `condition()` until it returns something truthy (returned); fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not met within {timeout:g} s: {what or describe(condition)} "
                                 f"(last value: {value!r})")
        if step is not None:
            step()
        else:
            time.sleep(interval)


def describe(condition: Callable) -> str:
    """The condition's source line when it can be read (a lambda), else its name."""
    try:
        source = inspect.getsource(condition).strip()
    except (OSError, TypeError):
        return getattr(condition, "__qualname__", repr(condition))
    return source if len(source) <= 300 else source[:297] + "..."
