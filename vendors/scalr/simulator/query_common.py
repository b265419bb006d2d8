"""What the Query API actions share: the call they receive, their error, their registry."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from vendors.scalr.simulator.model import Credential

VERSIONS = ("2.0.0", "2.1.0", "2.2.0", "2.3.0")


class QueryError(Exception):
    """Answered as `<Error>` with HTTP 200."""


@dataclass
class Call:
    """One authenticated call, as the action functions see it."""

    action: str
    version: str
    params: dict
    env_id: int
    credential: Credential
    host: str

    def get(self, name: str, default: str = "") -> str:
        value = self.params.get(name, default)
        return value if isinstance(value, str) else default

    def int(self, name: str, default: int = 0) -> int:
        value = self.get(name).strip()
        if value == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise QueryError(f"Invalid value '{value}' for parameter '{name}'") from None

    def flag(self, name: str) -> bool:
        """PHP truthiness: "" and "0" are false."""
        return self.get(name) not in ("", "0")

    def array(self, name: str) -> dict[str, str]:
        value = self.params.get(name)
        return value if isinstance(value, dict) else {}


@dataclass
class Action:
    name: str
    required: tuple[str, ...]
    since: str
    handler: Callable  # (simulator, Call) -> response fields


ACTIONS: dict[str, Action] = {}


def action(name: str, *required: str, since: str = "2.0.0"):
    """Register a Query API action; `required` are the parameters Scalr refuses to go without."""
    def register(handler):
        ACTIONS[name] = Action(name, required, since, handler)
        return handler
    return register


def deprecated_on_5x(simulator, message: str) -> None:
    if not simulator.scalr_version.startswith("4"):
        raise QueryError(message)


def mysql_time(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(timestamp))


def paged(call: "Call", items: list) -> tuple[int, int, list]:
    """StartFrom/RecordsLimit paging (B8): 0 or empty falls back to the default."""
    start = call.int("StartFrom", 0) or 0
    limit = call.int("RecordsLimit", 20) or 20
    return start, limit, items[start:start + limit]
