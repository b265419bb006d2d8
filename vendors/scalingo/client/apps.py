"""An app, its containers (formation, running containers, live stats, metrics), and the
operations a scale or restart starts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote, urlsplit

from vendors.core import errors
from vendors.scalingo.client.base import ScalingoBase
from vendors.scalingo.client.records import (
    App, Container, ContainerStat, ContainerType, MetricPoint, Operation, ScaleResult,
)

_OPERATION_PATH = re.compile(r"/apps/([^/]+)/operations/([^/?#]+)")


class AppsAPI(ScalingoBase):
    def apps(self) -> list[App]:
        """All apps of the region; this list is not paginated."""
        return self._many(self._send("GET", self._api("/apps")), "apps", App)

    def app(self, app: str) -> App:
        """`app` is the name or the id everywhere."""
        return self._one(self._send("GET", self._app(app)), "app", App)

    # -- containers, scale, restart, operations ---------------------------------------------------
    def formation(self, app: str) -> list[ContainerType]:
        return self._many(self._send("GET", self._app(app, "/containers")), "containers", ContainerType)

    def ps(self, app: str) -> list[Container]:
        return self._many(self._send("GET", self._app(app, "/ps")), "containers", Container)

    def scale(self, app: str, containers: Iterable[Mapping | ContainerType | tuple]) -> ScaleResult:
        """Set final amounts (and optionally sizes) per container type.

        Items are `{"name", "amount", "size"?}`, ContainerType or (name, amount[, size]).
        202 brings an operation to follow; 200 (never deployed) has none.
        """
        wanted = []
        for item in containers:
            if isinstance(item, ContainerType):
                item = {"name": item.name, "amount": item.amount, "size": item.size}
            elif isinstance(item, tuple):
                item = dict(zip(("name", "amount", "size"), item))
            entry = {"name": item["name"], "amount": int(item["amount"])}
            if item.get("size"):
                entry["size"] = item["size"]
            wanted.append(entry)
        response = self._send("POST", self._app(app, "/scale"), json={"containers": wanted})
        formation = tuple(self._many(response, "containers", ContainerType))
        return ScaleResult(formation, response.headers.get("Location") if response.status_code == 202 else None)

    def restart(self, app: str, scope: Iterable[str] | None = None) -> str | None:
        """Restart types (`web`) or containers (`web-1`); None restarts everything.
        Returns the operation's URL (the 202 has an empty body)."""
        response = self._send("POST", self._app(app, "/restart"), json={"scope": list(scope) if scope else None})
        return response.headers.get("Location")

    def operation(self, app: str, operation_id: str) -> Operation:
        return self._one(self._send("GET", self._app(app, f"/operations/{quote(operation_id, safe='')}")),
                         "operation", Operation)

    def operation_at(self, location: str) -> Operation:
        """Follow a `Location` header. Like the CLI we take the app and operation id from its
        path and ask our own API host, so the bearer never goes to a host we did not choose."""
        found = _OPERATION_PATH.search(urlsplit(location).path)
        if not found:
            raise errors.ProtocolError("scalingo sent an operation location we cannot read")
        return self.operation(*found.groups())

    # -- stats and metrics -------------------------------------------------------------------
    def stats(self, app: str) -> list[ContainerStat]:
        return self._many(self._send("GET", self._app(app, "/stats")), "stats", ContainerStat)

    def metric(self, app: str, metric: str, container_type: str | None = None, container_index: int | None = None,
               *, since_hours: float | None = None, last: bool = False, status_code: str | None = None,
               statistics_type: str | None = None) -> list[MetricPoint]:
        """A time series (a bare JSON array, one point a minute). cpu, memory and swap need a
        container type; without an index they are the mean over its containers. An app
        with no data yet (404 "no metrics found") gives an empty list."""
        path = f"/stats/{metric}"
        if container_type:
            path += f"/{container_type}" + (f"/{container_index}" if container_index is not None else "")
        params = {key: value for key, value in (("since", since_hours), ("status_code", status_code),
                                                 ("statistics_type", statistics_type)) if value is not None}
        if last:
            params["last"] = "true"
        try:
            response = self._send("GET", self._app(app, path), params=params)
        except errors.NotFound as missing:
            if missing.details.get("resource"):
                raise
            return []
        points = self.json(response)
        if not isinstance(points, list):
            raise errors.ProtocolError("scalingo sent a metric series that is not a list")
        return [self._parse(MetricPoint.from_json, point, "metric point") for point in points]

    def cpu(self, app: str, container_type: str, **kwargs) -> list[MetricPoint]:
        return self.metric(app, "cpu", container_type, **kwargs)

    def memory(self, app: str, container_type: str, **kwargs) -> list[MetricPoint]:
        return self.metric(app, "memory", container_type, **kwargs)

    def router(self, app: str, *, status_code: str | None = None, **kwargs) -> list[MetricPoint]:
        """Requests per minute through the router, optionally for one status class (`5XX`)."""
        return self.metric(app, "router", status_code=status_code, **kwargs)
