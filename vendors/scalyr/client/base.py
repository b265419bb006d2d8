"""Scalyr's transport: tokens, requests, and what its answers mean (the methods are in query.py and
config_files.py).

Every method is `POST /api/<method>` with a JSON body; the token travels in that body
(or, with `bearer=True`, in an `Authorization` header), never in a URL. Each token kind is
used only for the methods it exists for (scalyr.md §2.1): Read Logs for the queries,
Read Config for listing and reading files (Write Config also accepted there), Write Config
for `putFile`. A method whose token is missing raises `MissingToken` before any HTTP.

Scalyr reports outcomes in a hierarchical `status` string, checked by prefix (§1.2);
`error/server/backoff`, 429, 5xx and timeouts are retried by the core's backoff, also
when `errorStatus: always200` makes errors arrive as HTTP 200 (§1.3).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

import httpx

from vendors.core import errors
from vendors.core.answers import described, vendor_words
from vendors.core.http import VendorClient, parse_retry_after
from vendors.scalyr.client.records import TokenCheck

READ_LOGS = "read_logs"
READ_CONFIG = "read_config"
WRITE_CONFIG = "write_config"
WRITE_LOGS = "write_logs"
TOKEN_KINDS = (READ_LOGS, READ_CONFIG, WRITE_CONFIG, WRITE_LOGS)
TOKEN_LABELS = {READ_LOGS: "Read Logs", READ_CONFIG: "Read Config", WRITE_CONFIG: "Write Config",
                WRITE_LOGS: "Write Logs"}

#: the session of "Test connection"'s empty addEvents (it adds no event, so it opens no session worth a new id)
PING_SESSION = "ops-console-ping"

REGIONS = {"us": "https://app.scalyr.com", "eu": "https://eu.scalyr.com"}

_RELATIVE_TIME = re.compile(r"^\s*-?\d+(\.\d+)?\s*[a-z]*\s*$", re.IGNORECASE)


class MissingToken(errors.VendorError):
    """The connection has no token of the kind this method needs; nothing was sent."""

    kind = "missing_token"


def resolve_base_url(region_or_url: str) -> str:
    if region_or_url in REGIONS:
        return REGIONS[region_or_url]
    if region_or_url.startswith(("http://", "https://")):
        return region_or_url
    raise ValueError(f"Scalyr region must be one of {sorted(REGIONS)} or a URL")


def time_param(value) -> str | int | float | None:
    """A start/end time as Scalyr takes it (§4.1).

    datetime -> epoch milliseconds; timedelta -> relative ("3600s" = an hour ago);
    str (e.g. "24h", "2026-03-10T09:00:00-0500") and epoch numbers pass through.
    """
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("pass timezone-aware datetimes to Scalyr queries")
        return int(value.timestamp() * 1000)
    if isinstance(value, timedelta):
        return f"{int(value.total_seconds())}s"
    raise TypeError(f"unsupported time value {value!r}")


def is_relative(value) -> bool:
    return isinstance(value, timedelta) or (
        isinstance(value, str) and bool(_RELATIVE_TIME.match(value)) and not value.strip().lstrip("-").isdigit())


def non_null(**fields) -> dict:
    """The request body: only the fields given (Scalyr applies its own defaults to the others)."""
    return {key: value for key, value in fields.items() if value is not None}


class ScalyrTransport(VendorClient):
    """What every Scalyr call shares: the tokens, the request, and reading the answer."""

    vendor = "scalyr"

    def __init__(self, base_url: str = "us", *, read_logs_token: str | None = None,
                 read_config_token: str | None = None, write_config_token: str | None = None,
                 write_logs_token: str | None = None, bearer: bool = False, always200: bool = False, **kwargs):
        self.tokens = {READ_LOGS: read_logs_token or None, READ_CONFIG: read_config_token or None,
                       WRITE_CONFIG: write_config_token or None, WRITE_LOGS: write_logs_token or None}
        self.bearer = bearer
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault("Accept", "application/json")
        if always200:
            headers["errorStatus"] = "always200"
        super().__init__(resolve_base_url(base_url), secrets=self.tokens.values(), headers=headers, **kwargs)

    def __repr__(self) -> str:  # never the tokens
        kinds = ",".join(kind for kind, token in self.tokens.items() if token)
        return f"<ScalyrClient {self.base_url} tokens={kinds or 'none'}>"

    # -- transport ------------------------------------------------------------------------
    def _token(self, kinds: Sequence[str], method: str) -> str:
        for kind in kinds:
            if self.tokens.get(kind):
                return self.tokens[kind]
        raise MissingToken(
            f"No Scalyr {TOKEN_LABELS[kinds[0]]} token is configured for this connection ({method} needs one)",
            code="missingToken")

    def _call(self, method: str, payload: dict, kinds: Sequence[str], *, retry_5xx: bool = True) -> dict:
        token = self._token(kinds, method)
        body = {**payload} if self.bearer else {"token": token, **payload}
        headers = {"Authorization": f"Bearer {token}"} if self.bearer else None
        response = self.request("POST", f"/api/{method}", json=body, headers=headers, idempotent=retry_5xx)
        return self._body(response)

    def _body(self, response: httpx.Response) -> dict:
        """The decoded JSON object, parsed once per response (retry and error checks share it)."""
        cached = getattr(response, "_scalyr_body", None)
        if cached is None:
            cached = self.json(response)
            if not isinstance(cached, dict):
                raise errors.ProtocolError(f"scalyr answered {response.request.url.path} with a non-object body")
            response._scalyr_body = cached
        return cached

    def _error_body(self, response: httpx.Response) -> dict | None:
        try:
            return self._body(response)
        except errors.ProtocolError:
            return None

    def retry_after(self, response: httpx.Response) -> float | None:
        body = self._error_body(response)
        status = str(body.get("status", "")) if body else ""
        code = response.status_code
        if body and code == 200 and isinstance(body.get("__status"), int):
            code = body["__status"]  # always200 mode echoes the real code (§1.3)
        hinted = parse_retry_after(response.headers.get("Retry-After")) or 0.0
        if status.startswith("error/server/backoff") or code == 429:
            return hinted
        if code >= 500 or (status.startswith("error/server") and response.status_code == 200):
            return hinted
        return None

    def refused_without_acting(self, response: httpx.Response) -> bool:
        """Backoff and 429 mean Scalyr did nothing, so even a write without expectedVersion may be resent."""
        body = self._error_body(response)
        return response.status_code == 429 or str((body or {}).get("status", "")).startswith("error/server/backoff")

    def raise_for_error(self, response: httpx.Response) -> None:
        """Scalyr's words only from its documented shape, a JSON object with a `status` (§1.2); any
        other answer is described, never relayed."""
        body = self._error_body(response)
        status = body.get("status") if body is not None else None
        if not isinstance(status, str) or not status:
            if response.is_success:
                self._body(response)  # raises the ProtocolError of a body that is not an object
                raise errors.ProtocolError(f"scalyr answered {response.request.url.path} without a status")
            raise self.error_for_status(response.status_code, described(response),
                                        retry_after=parse_retry_after(response.headers.get("Retry-After")))
        if response.is_success and status.startswith("success"):
            return
        status = vendor_words(status, 80)
        http_status = body.get("__status") if isinstance(body.get("__status"), int) else response.status_code
        message = vendor_words(body.get("message") or status)
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise self._error(status, message, http_status, retry_after)

    def _error(self, status: str, message: str, http_status: int, retry_after: float | None) -> errors.VendorError:
        kw = {"status": http_status, "code": status or None}
        if status.startswith("error/client/noPermission"):
            return errors.AuthenticationError(message, **kw)
        if status.startswith("error/client/versionMismatch"):
            return errors.Conflict(message if message != status else "The file changed since it was read "
                                   "(expectedVersion did not match)", **kw)
        if status.startswith("error/client"):
            return errors.InvalidRequest(message, **kw)
        if status.startswith("error/server/backoff"):
            return errors.RateLimited(message, retry_after=retry_after, **kw)
        if status.startswith("error/server"):
            return errors.VendorUnavailable(message, **kw)
        if status.startswith("success"):  # a success status with an error HTTP code
            return self.error_for_status(http_status, message, retry_after=retry_after, code=status)
        if not status and http_status >= 400:
            return self.error_for_status(http_status, message, retry_after=retry_after)
        return errors.ProtocolError(f"Scalyr answered an unknown status {status!r}: {message}", **kw)

    # -- test connection -------------------------------------------------------------------
    def check(self, kind: str = READ_LOGS) -> None:
        """A cheap call proving the `kind` token works; raises the typed error when it does not.

        Read Logs: a facet query over an empty time range (what Scalyr's Grafana plugin did).
        Read/Write Config: listFiles with that token (Write Config proves valid, not its write right).
        Write Logs: an empty addEvents batch, which Scalyr accepts and stores nothing for (the agent's ping).
        """
        if kind not in TOKEN_KINDS:
            raise ValueError(f"token kind must be one of {TOKEN_KINDS}")
        if kind == READ_LOGS:
            now_ms = int(time.time() * 1000)
            self._call("facetQuery", {"queryType": "facet", "filter": "", "field": "serverHost", "maxCount": 1,
                                      "startTime": now_ms, "endTime": now_ms}, (READ_LOGS,))
        elif kind == WRITE_LOGS:
            self._call("addEvents", {"session": PING_SESSION, "events": []}, (WRITE_LOGS,))
        else:
            self._call("listFiles", {}, (kind,))

    def check_all(self) -> tuple[TokenCheck, ...]:
        """`check` for every configured token kind, never raising a VendorError."""
        results = []
        for kind, token in self.tokens.items():
            if not token:
                continue
            try:
                self.check(kind)
            except errors.VendorError as exc:
                results.append(TokenCheck(kind=kind, ok=False, error=str(exc), error_kind=exc.kind))
            else:
                results.append(TokenCheck(kind=kind, ok=True))
        return tuple(results)
