"""The Scalingo API v1 client's machinery: regions, token exchange, rooted JSON, error shapes.

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
poller can budget against it. The resources are read in apps.py, activity.py, logs.py and
resources.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import threading
import time
from urllib.parse import quote

import httpx

from console import redaction
from vendors.core import errors
from vendors.core.answers import described, vendor_words
from vendors.core.http import VendorClient, parse_retry_after
from vendors.scalingo.client.records import Region, User

logger = logging.getLogger("vendors.scalingo")

AUTH_URL = "https://auth.scalingo.com"
LEGACY_API_URL = "https://api.scalingo.com"
#: the documented body of a 429: plain text, no Retry-After (DD index.md "Rate Limit")
RATE_LIMITED_TEXT = "Retry later"


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
    except (IndexError, ValueError, KeyError, TypeError, RecursionError):
        return None


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


class ScalingoBase(VendorClient):
    """The machinery every resource module's methods share; ScalingoClient (client/__init__.py)
    is this with all of them."""

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

    @property
    def budgeted_requests(self) -> int:
        """What this client spent of the token's minute (vendors.core.budget.budgeted reads it)."""
        return self.limited_requests

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
        vendor's own words: `error`, 422 `errors` per field, 404 `resource`, 402 `url`, and the 429's
        plain-text "Retry later" (exactly those words, nothing else in plain text). Any other
        body (a proxy's page, plain text, an unknown JSON) is described, never relayed."""
        status = response.status_code
        try:
            body = response.json()
        except (ValueError, RecursionError):
            body = None
        message, details, code = None, {}, None
        if isinstance(body, dict) and (isinstance(body.get("errors"), dict) or isinstance(body.get("error"), str)):
            code = vendor_words(body["code"], 80) if isinstance(body.get("code"), str) else None
            if isinstance(body.get("errors"), dict):
                details = {vendor_words(name, 80): [vendor_words(m) for m in (ms if isinstance(ms, list) else [ms])]
                           for name, ms in body["errors"].items()}
                message = vendor_words("; ".join(f"{name}: {m}" for name, msgs in details.items() for m in msgs))
            else:
                message = vendor_words(body["error"])
            for key in ("resource", "url", "name"):
                if isinstance(body.get(key), str):
                    details[key] = vendor_words(body[key])
            if details.get("resource") and message and details["resource"] not in message:
                message = f"{details['resource']} {message}"
        if not message and status == 429 and response.text.strip() == RATE_LIMITED_TEXT:
            message = RATE_LIMITED_TEXT  # the documented 429 body is this plain text (DD index.md "Rate Limit")
        if not message:
            message = described(response)
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
