"""Scalingo API v1 client: regions, token exchange, rooted JSON, pagination, operations.

Modern auth (reference §2.1): the long-lived API token is exchanged at the auth service
for a bearer JWT that lives an hour. The bearer is kept in this process's memory only (a
module-level cache keyed by a hash of the API token and the auth URL, never the token
itself) and shared by every client built for that token, so polls, actions and page reads
do not each spend one of the minute's requests on an exchange. It is exchanged again when
fewer than five minutes remain (as go-scalingo does), and dropped when the API answers 401
(once more: the request is retried with a new one).
Legacy auth (§2.2, the 2015 docs): HTTP Basic with an empty user and the token as
password, the token coming from the dashboard or from `/users/sign_in`.

Every request counts in `requests_made`; `limited_requests` counts those that draw on the
token's documented 60 requests per minute (all but the pre-authenticated logs host's), so a
poller can budget against it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import logging
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit

import httpx

from console import redaction
from vendors.core import errors
from vendors.core.http import VendorClient, parse_retry_after
from vendors.scalingo.records import (
    Addon, AddonProvider, App, Collaborator, Container, ContainerSize, ContainerStat, ContainerType, Deployment,
    Domain, Event, LogLine, MetricPoint, Operation, Page, Pagination, Region, ScaleResult, User, Variable,
)

logger = logging.getLogger("vendors.scalingo")

AUTH_URL = "https://auth.scalingo.com"
LEGACY_API_URL = "https://api.scalingo.com"
_OPERATION_PATH = re.compile(r"/apps/([^/]+)/operations/([^/?#]+)")


class OperationTimeout(errors.VendorUnavailable):
    """An operation was still pending or running when our deadline passed."""

    kind = "timeout"


def _root_url(url: str) -> str:
    """Accept a base with or without the `/v1` suffix (docs show both forms)."""
    url = url.rstrip("/")
    return url[:-3] if url.endswith("/v1") else url


def _jwt_expiry(token: str) -> float | None:
    """`exp` of a JWT, read without checking the signature (only the auth service can)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return None


def _with_query(url: str, params: dict) -> str:
    """Add parameters to a URL that has its own (httpx's `params=` would replace them)."""
    return str(httpx.URL(url).copy_merge_params(params))


def _basic(token: str) -> str:
    return "Basic " + base64.b64encode(f":{token}".encode()).decode()


# -- bearers, shared by the clients of one process ------------------------------------------------
#: key (a hash of the API token and the auth URL) -> (bearer, its expiry as a Unix time). Process
#: memory only: never Django's cache (shared, possibly on disk or in Redis), never a file.
_bearers: dict[str, tuple[str, float]] = {}
_bearers_lock = threading.Lock()
_exchange_locks: dict[str, threading.Lock] = {}


def _bearer_key(token: str, auth_url: str) -> str:
    return hashlib.sha256(f"{auth_url}\n{token}".encode()).hexdigest()


def _exchange_lock(key: str) -> threading.Lock:
    """One exchange at a time per token: the threads and clients that need a bearer together share one."""
    with _bearers_lock:
        return _exchange_locks.setdefault(key, threading.Lock())


def forget_bearers() -> None:
    """Drop every cached bearer of this process (the next request of each token exchanges again)."""
    with _bearers_lock:
        _bearers.clear()


def _after_fork() -> None:
    # a forked worker must not inherit a lock held by a thread that does not exist in it
    global _bearers_lock
    _bearers_lock = threading.Lock()
    _exchange_locks.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


@dataclass(frozen=True)
class TailPause:
    """What `tail_logs(pauses=True)` yields before it waits: Scalingo asked it to slow down."""

    seconds: float
    message: str


class ScalingoClient(VendorClient):
    vendor = "scalingo"
    #: exchange the API token again when the bearer has fewer seconds than this left
    refresh_margin = 300.0

    def __init__(self, token: str, *, region: str = "osc-fr1", api_url: str | None = None,
                 auth_url: str = AUTH_URL, legacy: bool = False, clock=time.time,
                 on_limited_request=None, **kwargs):
        """
        token: the API token (`tk-us-…`), or in legacy mode the authentication token.
        region: resolved through the auth service's regions list unless `api_url` is given.
        api_url: the regional API base (with or without `/v1`), for custom or test set-ups.
        legacy: send the token with HTTP Basic on every call instead of exchanging it.
        on_limited_request: called (no argument) as each request that draws on the token's
            minute is sent, for a long-lived client (a live tail) to count it as it goes.
        Other keywords go to VendorClient (timeout, transport, retry and backoff settings).
        """
        self.auth_url = _root_url(auth_url)
        kwargs.setdefault("timeout", httpx.Timeout(30.0, connect=5.0))  # GO's default is 30 s
        super().__init__(self.auth_url + "/v1", secrets=[token, _basic(token) if token else None],
                         headers={"Accept": "application/json"}, **kwargs)
        self.token = token
        self.region = region
        self.legacy = legacy
        self.clock = clock
        self.requests_made = 0
        self.limited_requests = 0
        self.on_limited_request = on_limited_request
        self._api_url = _root_url(api_url) if api_url else (LEGACY_API_URL if legacy else None)
        self._bearer: str | None = None
        self._bearer_expires = 0.0
        # One client may serve several threads (a poller fetching app details in parallel).
        self._region_lock = threading.Lock()
        self._count_lock = threading.Lock()

    @classmethod
    def sign_in(cls, login: str, password: str, *, api_url: str = LEGACY_API_URL, **kwargs) -> "ScalingoClient":
        """Legacy flow: trade a login and password for an authentication token (201)."""
        redaction.register(password)
        client = cls("", legacy=True, api_url=api_url, **kwargs)
        response = client._send("POST", client._api("/users/sign_in"), auth="none",
                                json={"user": {"login": login, "password": password}})
        token = client._rooted(response, "authentication_token")
        if not isinstance(token, str) or not token:
            raise errors.ProtocolError("scalingo answered sign_in without an authentication token")
        redaction.register(token, _basic(token))
        client.token = token
        return client

    # -- transport -------------------------------------------------------------------------
    def prepare(self, request: httpx.Request) -> None:
        mode = request.extensions.get("scalingo_auth", "api")
        with self._count_lock:
            self.requests_made += 1
            limited = mode != "none"  # the logs host's pre-authenticated URLs are not the API's minute
            if limited:
                self.limited_requests += 1
        if limited and self.on_limited_request is not None:
            self.on_limited_request()
        if mode == "exchange" or (mode == "api" and self.legacy):
            request.headers["Authorization"] = _basic(self.token)
        elif mode == "api":
            request.headers["Authorization"] = f"Bearer {self._bearer}"

    def retry_after(self, response: httpx.Response) -> float | None:
        """As the base, except that a `Retry-After` longer than this client may wait is reported
        at once (the caller decides when to come back) instead of retried before its time."""
        delay = super().retry_after(response)
        if delay and delay > self.max_retry_seconds:
            return None
        return delay

    def _send(self, method: str, url: str, *, auth: str = "api", idempotent: bool | None = None,
              **kwargs) -> httpx.Response:
        """One logical call: retries come from the base; a refused bearer is renewed once.

        Writes are not idempotent unless said: a scale, a restart or a delete whose answer was
        lost is reported (OutcomeUnknown), never sent again behind the caller's back (a second
        scale meets "app is scaling", a second delete a 404: both would hide that the first worked).
        """
        kwargs["extensions"] = {"scalingo_auth": auth}
        kwargs["idempotent"] = method in ("GET", "HEAD") if idempotent is None else idempotent
        if auth != "api" or self.legacy:
            return self.request(method, url, **kwargs)
        used = self._ensure_bearer()
        try:
            return self.request(method, url, **kwargs)
        except errors.AuthenticationError:
            # 401: Scalingo did nothing with the request, so it may be sent again, once
            logger.info("scalingo refused the bearer token; exchanging the API token again")
            renewed = self._ensure_bearer(refused=used)
            try:
                return self.request(method, url, **kwargs)
            except errors.AuthenticationError:
                self._forget_bearer(renewed)  # the next request exchanges again
                raise

    def _bearer_key(self) -> str:
        return _bearer_key(self.token, self.auth_url)

    def _forget_bearer(self, bearer: str) -> None:
        key = self._bearer_key()
        with _bearers_lock:
            if _bearers.get(key, ("",))[0] == bearer:
                del _bearers[key]

    def _ensure_bearer(self, *, refused: str | None = None) -> str:
        """A bearer with more than `refresh_margin` seconds left, shared by the process's clients
        of this token; a new one if `refused` is still the cached one (another thread or client
        may have renewed it meanwhile)."""
        key = self._bearer_key()
        with _exchange_lock(key):
            with _bearers_lock:
                cached = _bearers.get(key)
            if cached:
                bearer, expires = cached
                if bearer != refused and expires - self.clock() > self.refresh_margin:
                    self._bearer, self._bearer_expires = bearer, expires
                    return bearer
                self._forget_bearer(bearer)
            response = self.request("POST", self.auth_url + "/v1/tokens/exchange",
                                    extensions={"scalingo_auth": "exchange"})
            bearer = self._rooted(response, "token")
            if not isinstance(bearer, str) or not bearer:
                raise errors.ProtocolError("scalingo answered the token exchange without a token")
            redaction.register(bearer)
            # The docs promise an hour; trust the token's own `exp` when it has one.
            expires = _jwt_expiry(bearer) or self.clock() + 3600
            now = self.clock()
            with _bearers_lock:
                for stale in [k for k, (_, until) in _bearers.items() if until <= now]:
                    del _bearers[stale]  # tokens nobody used for an hour (a deleted connection...)
                _bearers[key] = (bearer, expires)
            self._bearer, self._bearer_expires = bearer, expires
            return bearer

    def raise_for_error(self, response: httpx.Response) -> None:
        if not response.is_success:
            raise self.error_from_response(response)

    def error_from_response(self, response: httpx.Response) -> errors.VendorError:
        """Map the documented error shapes (reference §3.1) to typed errors, keeping the
        vendor's own words: `error`, 422 `errors` per field, 404 `resource`, 402 `url`."""
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        message, details, code = None, {}, None
        if isinstance(body, dict):
            code = body.get("code") if isinstance(body.get("code"), str) else None
            if isinstance(body.get("errors"), dict):
                details = {name: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
                           for name, msgs in body["errors"].items()}
                message = "; ".join(f"{name}: {m}" for name, msgs in details.items() for m in msgs)
            elif isinstance(body.get("error"), str):
                message = body["error"]
            for key in ("resource", "url", "name"):
                if isinstance(body.get(key), str):
                    details[key] = body[key]
            if details.get("resource") and message and details["resource"] not in message:
                message = f"{details['resource']} {message}"
        if not message:
            kind = response.headers.get("Content-Type", "")
            text = response.text.strip() if "json" in kind or "text/plain" in kind or not kind else ""
            message = text[:300] or f"{status} {response.reason_phrase}"
        if status == 401 and message == "OTP Required":
            code = "otp_required"
        kw = {"code": code, "details": details, "request_id": response.headers.get("X-Request-Id")}
        if status == 402:  # free-trial limits: the account may not do this until billing is set up
            return errors.VendorForbids(message, status=status, **{**kw, "code": code or "payment_required"})
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return self.error_for_status(status, message, retry_after=retry_after, **kw)

    # -- decoding ----------------------------------------------------------------------------
    def _body(self, response: httpx.Response, root: str) -> dict:
        """The decoded body, checked to hold its root key (resources are always rooted, reference §3)."""
        data = self.json(response)
        if not isinstance(data, dict) or root not in data:
            raise errors.ProtocolError(f"scalingo answered {response.request.method} {response.request.url.path} "
                                       f"without the expected '{root}' key")
        return data

    def _rooted(self, response: httpx.Response, root: str):
        return self._body(response, root)[root]

    @staticmethod
    def _parse(parser, data, what: str):
        try:
            parsed = parser(data)
        except (KeyError, TypeError, ValueError, AttributeError):
            parsed = None
        if parsed is None:
            raise errors.ProtocolError(f"scalingo sent a {what} we cannot read")
        return parsed

    def _one(self, response: httpx.Response, root: str, record):
        return self._parse(record.from_json, self._rooted(response, root), root)

    def _many(self, response: httpx.Response, root: str, record, *, body: dict | None = None) -> list:
        items = (body or self._body(response, root))[root]
        if not isinstance(items, list):
            raise errors.ProtocolError(f"scalingo sent '{root}' that is not a list")
        return [self._parse(record.from_json, item, root) for item in items]

    # -- URLs ------------------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        """The regional API base, resolved once through the auth service's regions list."""
        with self._region_lock:
            if self._api_url is None:
                found = next((r for r in self.regions() if r.name == self.region), None)
                if found is None:
                    raise errors.NotFound(f"Scalingo has no region named {self.region!r}", status=404,
                                          details={"resource": "region"})
                self._api_url = _root_url(found.api)
            return self._api_url

    def _api(self, path: str) -> str:
        return f"{self.api_url}/v1{path}"

    def _app(self, app: str, rest: str = "") -> str:
        return self._api(f"/apps/{quote(app, safe='')}{rest}")

    # -- account -----------------------------------------------------------------------------
    def regions(self) -> list[Region]:
        """Regions from the auth service; signed in, so non-public ones are listed too."""
        return self._many(self._send("GET", self.auth_url + "/v1/regions"), "regions", Region)

    def whoami(self) -> User:
        url = self._api("/users/self") if self.legacy else self.auth_url + "/v1/users/self"
        return self._one(self._send("GET", url), "user", User)

    def check(self) -> User:
        """"Test connection": the token is accepted and the region resolves (2 to 3 requests)."""
        user = self.whoami()
        _ = self.api_url
        return user

    # -- apps ------------------------------------------------------------------------------
    def apps(self) -> list[App]:
        """All apps of the region; this list is not paginated."""
        return self._many(self._send("GET", self._api("/apps")), "apps", App)

    def app(self, app: str) -> App:
        """`app` is the name or the id everywhere."""
        return self._one(self._send("GET", self._app(app)), "app", App)

    def create_app(self, name: str, *, dry_run: bool = False) -> App:
        headers = {"X-Dry-Run": "true"} if dry_run else None
        response = self._send("POST", self._api("/apps"), json={"app": {"name": name}}, headers=headers)
        return self._one(response, "app", App)

    def update_app(self, app: str, **settings) -> App:
        """force_https, sticky_session, router_logs, stack_id."""
        return self._one(self._send("PATCH", self._app(app), json={"app": settings}), "app", App)

    def rename_app(self, app: str, new_name: str, *, current_name: str) -> App:
        body = {"current_name": current_name, "new_name": new_name}
        return self._one(self._send("POST", self._app(app, "/rename"), json=body), "app", App)

    def delete_app(self, app: str, *, current_name: str) -> None:
        self._send("DELETE", self._app(app), params={"current_name": current_name})

    # -- containers, scale, restart, operations ---------------------------------------------------
    def formation(self, app: str) -> list[ContainerType]:
        return self._many(self._send("GET", self._app(app, "/containers")), "containers", ContainerType)

    def ps(self, app: str) -> list[Container]:
        return self._many(self._send("GET", self._app(app, "/ps")), "containers", Container)

    def container_sizes(self) -> list[ContainerSize]:
        return self._many(self._send("GET", self._api("/features/container_sizes")), "container_sizes", ContainerSize)

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

    def wait_operation(self, location: str, *, poll_interval: float = 1.0, timeout: float = 300.0) -> Operation:
        """Poll until `done` or `error` (returned, check `.status`); OperationTimeout past `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            operation = self.operation_at(location)
            if operation.finished:
                return operation
            if time.monotonic() + poll_interval > deadline:
                raise OperationTimeout(f"Scalingo {operation.type} operation still {operation.status} "
                                       f"after {timeout:g} s")
            time.sleep(poll_interval)

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

    # -- paginated lists -----------------------------------------------------------------------
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

    def _all_pages(self, url: str, root: str, record, *, per_page: int | None = None) -> Iterator:
        page = 1
        while True:
            result = self._page(url, root, record, page=page, per_page=per_page)
            yield from result.items
            following, total = result.pagination.next_page, result.pagination.total_pages
            # Go services clamp next_page to the last page instead of null: stop when it stops growing.
            if not result.items or following is None or following <= page or (total and page >= total):
                return
            page = following

    def events(self, app: str | None = None, *, page: int = 1, per_page: int | None = None,
               from_hours: int | None = None) -> Page:
        """One page of an app's timeline, or of the user's feed when `app` is None (newest first).
        `from_hours` (1..72) asks for that window instead of pages."""
        url = self._app(app, "/events") if app else self._api("/events")
        params = {"from": from_hours} if from_hours else None
        return self._page(url, "events", Event, page=page, per_page=per_page, params=params)

    def iter_events(self, app: str | None = None, *, since: datetime | None = None,
                    per_page: int | None = None) -> Iterator[Event]:
        """Every event (newest first) across pages, stopping before the first older than `since`."""
        url = self._app(app, "/events") if app else self._api("/events")
        for event in self._all_pages(url, "events", Event, per_page=per_page):
            if since and event.created_at and event.created_at < since:
                return
            yield event

    def deployments(self, app: str, *, page: int = 1, per_page: int | None = None) -> Page:
        return self._page(self._app(app, "/deployments"), "deployments", Deployment, page=page, per_page=per_page)

    def iter_deployments(self, app: str, *, per_page: int | None = None) -> Iterator[Deployment]:
        return self._all_pages(self._app(app, "/deployments"), "deployments", Deployment, per_page=per_page)

    def deployment(self, app: str, deployment_id: str) -> Deployment:
        return self._one(self._send("GET", self._app(app, f"/deployments/{quote(deployment_id, safe='')}")),
                         "deployment", Deployment)

    def deployment_output(self, app: str, deployment_id: str) -> str:
        """The build log, text with ANSI colour codes."""
        response = self._send("GET", self._app(app, f"/deployments/{quote(deployment_id, safe='')}/output"),
                              headers={"Accept": "text/plain"})
        return response.text

    def deploy(self, app: str, source_url: str, *, git_ref: str | None = None) -> Deployment:
        """Deploy a tarball; the docs say 200, go-scalingo expects 201: both are fine here."""
        spec = {"source_url": source_url, **({"git_ref": git_ref} if git_ref else {})}
        return self._one(self._send("POST", self._app(app, "/deployments"), json={"deployment": spec}),
                         "deployment", Deployment)

    # -- logs ----------------------------------------------------------------------------------
    def logs_url(self, app: str) -> str:
        """A pre-authenticated URL on the logs host; it is a secret, registered for redaction."""
        url = self._rooted(self._send("GET", self._app(app, "/logs")), "logs_url")
        if not isinstance(url, str) or not url:
            raise errors.ProtocolError("scalingo answered without a logs_url")
        token = re.search(r"[?&]token=([^&]+)", url)
        redaction.register(url, token.group(1) if token else None)
        return url

    def logs(self, app: str, *, n: int = 100, filter: str | None = None) -> list[LogLine]:
        """The last `n` lines; `filter` is a container (web-1), a type (web) or a regexp."""
        return self._dump(self.logs_url(app), n, filter)

    def _dump(self, url: str, n: int, filter: str | None) -> list[LogLine]:
        params = {"n": n, **({"filter": filter} if filter else {})}
        try:
            response = self._send("GET", _with_query(url, params), auth="none", headers={"Accept": "text/plain"})
        except errors.NotFound:  # GO: 404 from the logs host means "no logs yet"
            return []
        if response.status_code == 204:
            return []
        return [LogLine.parse(line) for line in response.text.splitlines() if line.strip()]

    def tail_logs(self, app: str, *, n: int = 20, filter: str | None = None,
                  stop: threading.Event | None = None, timeout: float | None = None,
                  pauses: bool = False) -> Iterator[LogLine | TailPause]:
        """The last `n` lines, then new ones as they come, until `stop` is set, `timeout`
        seconds pass or the caller stops iterating.

        Like the CLI: a dump, then the same URL with `stream=true`; we read the
        server-sent-events form (no WebSocket upgrade) and reconnect when it ends. Frames
        are `{"event"|"name": "log"|"ping", "log": …}` (clients read `event`, docs say `name`).

        When Scalingo answers 429 the tail waits (its `Retry-After`, else a few seconds) and
        goes on where it was: the same logs URL remembers what it delivered, and a new one
        is caught up from the last line yielded, so no line comes twice. With `pauses`, a
        `TailPause` is yielded before each wait, for a page to say why nothing comes.
        """
        deadline = time.monotonic() + timeout if timeout is not None else None

        def over() -> bool:
            return bool((stop and stop.is_set()) or (deadline and time.monotonic() >= deadline))

        url: str | None = None
        primed = False  # the first dump (or, after a new URL, the catch-up) has been read
        started = False
        last: LogLine | None = None
        failures = 0
        while not over():
            try:
                if url is None:
                    url, primed = self.logs_url(app), False
                if not primed:
                    lines = self._catch_up(url, filter, last) if started else self._dump(url, n, filter)
                    primed = started = True
                    for last in lines:
                        yield last
                try:
                    for last in self._stream_once(url, filter):
                        failures = 0
                        yield last
                        if over():
                            return
                except errors.AuthenticationError:  # the logs URL's token expired: ask for a new one
                    url = None
            except errors.RateLimited as slow:
                wait = min(60.0, max(0.5, slow.retry_after if slow.retry_after is not None else 5.0))
                if pauses:
                    yield TailPause(wait, f"Scalingo asked to slow down; the live tail resumes in {wait:.0f} s.")
                self._pause(wait, stop, deadline)
            except (errors.VendorUnavailable, httpx.TransportError) as problem:
                failures += 1
                if failures >= 3:
                    raise errors.VendorUnavailable("Scalingo log stream keeps failing") from problem
                self._pause(min(5.0, 0.5 * failures), stop, deadline)

    @staticmethod
    def _pause(seconds: float, stop: threading.Event | None, deadline: float | None) -> None:
        if deadline is not None:
            seconds = max(0.0, min(seconds, deadline - time.monotonic()))
        if stop is not None:
            stop.wait(seconds)
        else:
            time.sleep(seconds)

    def _catch_up(self, url: str, filter: str | None, last: LogLine | None, depth: int = 100) -> list[LogLine]:
        """Lines written while we were getting a new URL: those after the last one we yielded."""
        recent = self._dump(url, depth, filter)
        if last is None:
            return []
        for index in range(len(recent) - 1, -1, -1):
            if recent[index].raw == last.raw:
                return recent[index + 1:]
        return [line for line in recent if line.time and last.time and line.time > last.time]

    def _stream_once(self, url: str, filter: str | None) -> Iterator[LogLine]:
        params = {"stream": "true", "n": 0, **({"filter": filter} if filter else {})}
        request = self.http.build_request("GET", _with_query(url, params), headers={"Accept": "text/event-stream"},
                                          extensions={"scalingo_auth": "none"})
        self.prepare(request)
        response = self.http.send(request, stream=True)
        try:
            if not response.is_success:
                response.read()
                raise self.error_from_response(response)
            for raw in response.iter_lines():
                if not raw.startswith("data:"):
                    continue
                try:
                    frame = json.loads(raw[5:].strip())
                except ValueError:
                    continue
                if isinstance(frame, dict) and (frame.get("event") or frame.get("name")) == "log":
                    for line in str(frame.get("log") or "").splitlines():
                        if line.strip():
                            yield LogLine.parse(line)
        finally:
            response.close()

    # -- variables -------------------------------------------------------------------------------
    def variables(self, app: str, *, aliases: bool = True) -> list[Variable]:
        """With `aliases=False`, values like `$OTHER` come back resolved."""
        response = self._send("GET", self._app(app, "/variables"), params={"aliases": str(aliases).lower()})
        return self._many(response, "variables", Variable)

    def create_variable(self, app: str, name: str, value: str) -> Variable:
        body = {"variable": {"name": name, "value": value}}
        return self._one(self._send("POST", self._app(app, "/variables"), json=body), "variable", Variable)

    def update_variable(self, app: str, variable_id: str, value: str) -> Variable:
        body = {"variable": {"value": value}}
        return self._one(self._send("PATCH", self._app(app, f"/variables/{quote(variable_id, safe='')}"), json=body),
                         "variable", Variable)

    def delete_variable(self, app: str, variable_id: str) -> None:
        self._send("DELETE", self._app(app, f"/variables/{quote(variable_id, safe='')}"))

    def set_variables(self, app: str, variables: Mapping[str, str]) -> list[Variable]:
        """Bulk create-or-update (PUT). Changing variables does not restart the app."""
        body = {"variables": [{"name": name, "value": value} for name, value in variables.items()]}
        return self._many(self._send("PUT", self._app(app, "/variables"), json=body), "variables", Variable)

    def delete_variables(self, app: str, variable_ids: Iterable[str]) -> None:
        """Bulk delete; ids in the query as the recorded client sent them."""
        self._send("DELETE", self._app(app, "/variables"), params={"variable_ids[]": list(variable_ids)})

    # -- addons, domains, collaborators --------------------------------------------------------------
    def addons(self, app: str) -> list[Addon]:
        return self._many(self._send("GET", self._app(app, "/addons")), "addons", Addon)

    def addon(self, app: str, addon_id: str) -> Addon:
        return self._one(self._send("GET", self._app(app, f"/addons/{quote(addon_id, safe='')}")), "addon", Addon)

    def provision_addon(self, app: str, provider_id: str, plan_id: str, *, options: dict | None = None) -> Addon:
        spec = {"addon_provider_id": provider_id, **({"plan_id": plan_id} if plan_id else {}),
                **({"options": options} if options else {})}
        return self._one(self._send("POST", self._app(app, "/addons"), json={"addon": spec}), "addon", Addon)

    def upgrade_addon(self, app: str, addon_id: str, plan_id: str) -> Addon:
        response = self._send("PATCH", self._app(app, f"/addons/{quote(addon_id, safe='')}"),
                              json={"addon": {"plan_id": plan_id}})
        return self._one(response, "addon", Addon)

    def delete_addon(self, app: str, addon_id: str) -> None:
        self._send("DELETE", self._app(app, f"/addons/{quote(addon_id, safe='')}"))

    def addon_providers(self) -> list[AddonProvider]:
        return self._many(self._send("GET", self._api("/addon_providers")), "addon_providers", AddonProvider)

    def domains(self, app: str) -> list[Domain]:
        return self._many(self._send("GET", self._app(app, "/domains")), "domains", Domain)

    def add_domain(self, app: str, name: str, *, canonical: bool | None = None) -> Domain:
        spec = {"name": name, **({"canonical": canonical} if canonical is not None else {})}
        return self._one(self._send("POST", self._app(app, "/domains"), json={"domain": spec}), "domain", Domain)

    def delete_domain(self, app: str, domain_id: str) -> None:
        self._send("DELETE", self._app(app, f"/domains/{quote(domain_id, safe='')}"))

    def collaborators(self, app: str) -> list[Collaborator]:
        """People invited on the app (the owner is not listed)."""
        return self._many(self._send("GET", self._app(app, "/collaborators")), "collaborators", Collaborator)

    def invite_collaborator(self, app: str, email: str, *, is_limited: bool | None = None) -> Collaborator:
        spec = {"email": email, **({"is_limited": is_limited} if is_limited is not None else {})}
        return self._one(self._send("POST", self._app(app, "/collaborators"), json={"collaborator": spec}),
                         "collaborator", Collaborator)

    def delete_collaborator(self, app: str, collaborator_id: str) -> None:
        self._send("DELETE", self._app(app, f"/collaborators/{quote(collaborator_id, safe='')}"))
