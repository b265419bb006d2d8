"""Request routing for the Scalingo simulator: a route table, the per-request context and
the documented error shapes (DD index.md "Errors"; §3.1 of the reference)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from vendors.core.simulator import Request, Response, json_response


class Reply(Exception):
    """Raised by a handler to answer at once (errors, mostly)."""

    def __init__(self, response: Response):
        super().__init__(response.status)
        self.response = response


def error(status: int, message: str, **extra) -> Reply:
    return Reply(json_response({"error": message, **extra}, status))


def not_found(resource: str) -> Reply:
    return Reply(json_response({"resource": resource, "error": "not found"}, 404))


def invalid(errors: dict[str, list[str]]) -> Reply:
    return Reply(json_response({"errors": errors}, 422))


@dataclass
class Ctx:
    """What a handler needs: the world, who is asking, in which region, and our own URLs."""

    sim: object
    request: Request
    region: str
    host: str  # scheme://host:port of the simulator as the client reached it
    base: str  # the region's API base (host + region prefix), without /v1
    user: dict | None = None

    @property
    def world(self):
        return self.sim.world

    def body(self) -> dict:
        if not self.request.body:
            return {}
        try:
            data = json.loads(self.request.body)
        except ValueError as exc:
            raise error(400, f"There was a problem in the JSON you submitted: {exc}") from None
        if not isinstance(data, dict):
            raise error(400, "There was a problem in the JSON you submitted: the root must be an object")
        return data

    def app(self, ref: str) -> dict:
        app = self.world.find_app(ref, self.region)
        if app is None or self.user is None or not self.world.can_see(self.user, app):
            raise not_found("app")
        return app

    def int_arg(self, name: str, default: int, *, low: int = 1, high: int | None = None) -> int:
        raw = self.request.arg(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            raise error(400, f"'{name}' should be an integer") from None
        value = max(low, value)
        return min(value, high) if high else value


def paginate(ctx: Ctx, items: list, root: str, serialize, *, per_page: int, max_per_page: int = 100) -> dict:
    """The documented pagination meta, with both spellings of the previous page.

    DD documents `prev_page`; the 2020 recordings emit `previous_page`; clients read one
    or the other, so we send both, null at the ends.
    """
    page = ctx.int_arg("page", 1)
    size = ctx.int_arg("per_page", per_page, high=max_per_page)
    total_pages = max(1, math.ceil(len(items) / size))
    chunk = items[(page - 1) * size: page * size]
    previous = page - 1 if 1 < page <= total_pages + 1 else None
    return {root: [serialize(item) for item in chunk], "meta": {"pagination": {
        "current_page": page, "prev_page": previous, "previous_page": previous,
        "next_page": page + 1 if page < total_pages else None, "total_pages": total_pages,
        "total_count": len(items)}}}


class Router:
    def __init__(self):
        self.routes: list[tuple[tuple[str, ...], re.Pattern, object, bool]] = []

    def add(self, methods: str, pattern: str, *, auth: bool = True):
        def register(handler):
            self.routes.append((tuple(methods.split()), re.compile(f"^{pattern}$"), handler, auth))
            return handler
        return register

    def match(self, method: str, path: str):
        """(handler, path parameters, needs auth), or None when nothing answers this path."""
        method = "GET" if method == "HEAD" else method
        for methods, pattern, handler, auth in self.routes:
            found = pattern.match(path)
            if found and method in methods:
                return handler, found.groupdict(), auth
        return None


router = Router()
APP = r"/v1/apps/(?P<ref>[^/]+)"
