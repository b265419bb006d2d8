"""What happened to an app, a page at a time: its events (or the account's feed) and its
deployments, with a deployment's build output."""

from __future__ import annotations

from urllib.parse import quote

from vendors.scalingo.client.base import ScalingoBase
from vendors.scalingo.client.records import Page, Pagination
from vendors.scalingo.client.records_activity import Deployment, Event


class ActivityAPI(ScalingoBase):
    def _page(self, url: str, root: str, record, *, page: int = 1, per_page: int | None = None,
              params: dict | None = None) -> Page:
        query = {**(params or {}), "page": page}
        if per_page:
            query["per_page"] = per_page
        response = self._send("GET", url, params=query)
        body = self._body(response, root)
        items = self._many(response, root, record, body=body)
        meta = body.get("meta")
        return Page(tuple(items), Pagination.from_json(meta if isinstance(meta, dict) else None))

    def events(self, app: str | None = None, *, page: int = 1, per_page: int | None = None,
               from_hours: int | None = None) -> Page:
        """One page of an app's timeline, or of the user's feed when `app` is None (newest first).
        `from_hours` (1..72) asks for that window instead of pages."""
        url = self._app(app, "/events") if app else self._api("/events")
        params = {"from": from_hours} if from_hours else None
        return self._page(url, "events", Event, page=page, per_page=per_page, params=params)

    def deployments(self, app: str, *, page: int = 1, per_page: int | None = None) -> Page:
        return self._page(self._app(app, "/deployments"), "deployments", Deployment, page=page, per_page=per_page)

    def deployment_output(self, app: str, deployment_id: str) -> str:
        """The build log, text with ANSI colour codes."""
        response = self._send("GET", self._app(app, f"/deployments/{quote(deployment_id, safe='')}/output"),
                              headers={"Accept": "text/plain"})
        return response.text
