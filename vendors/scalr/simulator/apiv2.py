"""APIv2 (`/api/v1beta0/...`): header signature checks in the server's order, envelopes,
pagination and filtering (scalr.md A1-A6). Endpoints live in `apiv2_routes`."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import math
import re
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from vendors.core.simulator import Request, Response
from vendors.scalr.simulator.model import Credential

logger = logging.getLogger("vendors.simulator")
JSON = "application/json; charset=utf-8"
UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
LIMIT_MESSAGE = ("The maximum request rate permitted by the Scalr APIs has been exceeded for your account. "
                 "For best results, use an increasing or variable sleep interval between requests.")
_OLD_ORDER = re.compile(r"^/api/(user|account|admin|global)/(v[^/]*)(/.*)?$")
_PATH = re.compile(r"^/api/([^/]+)/(user|account|admin|global)(/.*)?$")
_VERSION = re.compile(r"^v(\d+)(beta\d*)?$")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class DropConnection(Exception):
    """No answer at all: the connection is closed (a request held until the client gave up)."""


@dataclass
class Listing:
    """A list answer: the handler paginates and filters it."""

    items: list[dict]


@dataclass
class Context:
    request: Request
    credential: Credential
    params: dict[str, str]
    env_id: int = 0
    warnings: list[dict] = field(default_factory=list)

    def body(self) -> dict:
        if not self.request.body:
            return {}
        try:
            body = json.loads(self.request.body)
        except ValueError:
            raise ApiError(400, "InvalidStructure", "Invalid body: the request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "InvalidStructure", "Invalid body: a JSON object was expected")
        return body


def rfc3986(text: str) -> str:
    return "".join(ch if ch in UNRESERVED else "".join(f"%{b:02X}" for b in ch.encode()) for ch in text)


def last_values(raw_query: str) -> dict[str, str]:
    """PHP's query parser: the last of repeated names wins."""
    values: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        values[name] = value
    return values


def build_query(values: dict[str, str]) -> str:
    """ksort + http_build_query(PHP_QUERY_RFC3986)."""
    return "&".join(f"{rfc3986(k)}={rfc3986(str(values[k]))}" for k in sorted(values, key=lambda k: k.encode()))


class Apiv2Handler:
    def __init__(self, simulator, routes):
        self.sim = simulator
        self.routes = routes  # apiv2_routes.Routes
        self.clock = time.time  # tests move it to check signatures made at a fixed date

    def handle(self, request: Request) -> Response | None:
        meta = {"requestId": str(uuid.uuid4())}
        warnings: list[dict] = []
        path = request.path
        old = _OLD_ORDER.match(path)
        if old:
            path = f"/api/{old.group(2)}/{old.group(1)}{old.group(3) or '/'}"
            warnings.append({"code": "Moved Permanently", "message": f"Location {path}"})
        try:
            credential = self._authenticate(request, meta)
            self._check_limit(credential)
            scope, rest = self._version_and_scope(path)
            if request.body and (request.header("content-type") or "").split(";")[0].strip() != "application/json":
                raise ApiError(400, "BadRequest", "Invalid Content-Type")
            ctx = Context(request, credential, last_values(request.raw_query), warnings=warnings)
            status, result = self.routes.dispatch(ctx, request.method, scope, rest)
            if isinstance(result, Listing):
                data, pagination = self._paginate(ctx, path, result.items)
                body = {"meta": meta, "data": data, "pagination": pagination, "warnings": warnings}
            else:
                body = {"meta": meta, "data": result, "warnings": warnings}
        except ApiError as exc:
            return Response(exc.status, {"meta": meta, "errors": [{"code": exc.code, "message": exc.message}]},
                            content_type=JSON)
        except DropConnection:
            return None
        except Exception:  # what Scalr does with an unexpected exception (A3); the log keeps the bug visible
            logger.exception("APIv2 simulator failed on %s %s", request.method, request.path)
            return Response(500, {"meta": meta, "errors": [{"code": "InternalServerError", "message": "Server Error"}]},
                            content_type=JSON)
        return Response(status, body, content_type=JSON)

    # -- A2: authentication, in the server's order ---------------------------------------
    def _authenticate(self, request: Request, meta: dict) -> Credential:
        key_id = request.header("x-scalr-key-id")
        signature = request.header("x-scalr-signature")
        debug = request.header("x-scalr-debug") == "1"
        if not key_id or not signature:
            raise ApiError(401, "BadAuthentication", "Unsigned request")
        date = re.sub(r"\s+", "", request.header("x-scalr-date") or "")
        when = _parse_date(date)
        if when is None:
            raise ApiError(400, "BadRequest", "Missing or invalid X-Scalr-Date header")
        scheme, _, received = signature.partition(" ")
        if scheme != "V1-HMAC-SHA256":
            raise ApiError(401, "BadAuthentication", "Invalid signature")
        credential = self.sim.credentials.get(key_id)
        if credential is None:
            raise ApiError(401, "BadAuthentication", "Invalid API Key")
        now = self.clock()
        if abs(now - when) > 300:
            message = "Request is expired."
            if debug:
                message += " Now is " + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
            raise ApiError(401, "BadAuthentication", message)
        string_to_sign = "\n".join([request.method, date, request.path, build_query(last_values(request.raw_query)),
                                    ""]).encode() + request.body
        if debug:
            meta["stringToSign"] = string_to_sign.decode("utf-8", "replace")
        expected = base64.b64encode(hmac.new(credential.secret.encode(), string_to_sign, hashlib.sha256).digest())
        if received != expected.decode():
            raise ApiError(401, "BadAuthentication", "Signature does not match")
        return credential

    def _check_limit(self, credential: Credential) -> None:
        if self.sim.over_apiv2_limit(credential.key_id):
            raise ApiError(403, "LimitExceeded", LIMIT_MESSAGE)

    def _version_and_scope(self, path: str) -> tuple[str, str]:
        match = _PATH.match(path)
        version = _VERSION.match(match.group(1)) if match else None
        if not match or not version:
            raise ApiError(404, "EndpointNotFound", "The endpoint you are trying to access does not exist.")
        if version.group(1) != "1":
            raise ApiError(400, "BadRequest", "Invalid API version")
        return match.group(2), match.group(3) or "/"

    # -- A4: pagination and filtering -----------------------------------------------------
    def _paginate(self, ctx: Context, path: str, items: list[dict]) -> tuple[list[dict], dict]:
        params = dict(ctx.params)
        try:
            limit = int(params.get("maxResults", "100"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            raise_value("Limit should be a positive number less then or equal to 100.")
        try:
            page = int(params.get("pageNum", "1"))
        except ValueError:
            page = 0
        if page < 1:
            raise_value("Page number should be more than 0.")
        for name, value in params.items():
            if name not in ("maxResults", "pageNum"):
                items = [item for item in items if _matches(item, name, value)]
        total = len(items)
        data = items[(page - 1) * limit: page * limit]
        links = {"first": None, "last": None, "prev": None, "next": None}
        if total > limit:
            last = math.ceil(total / limit)

            def link(number: int) -> str:
                return f"{path}?{build_query({**params, 'maxResults': str(limit), 'pageNum': str(number)})}"

            links = {"first": link(1), "last": link(last), "prev": link(page - 1) if page > 1 else None,
                     "next": link(page + 1) if page < last else None}
        return data, links


def raise_value(message: str):
    raise ApiError(400, "InvalidValue", message)


def _matches(item: dict, name: str, value: str) -> bool:
    """Exact-match filter on a property; a foreign key by its bare id; unknown names are ignored."""
    if name not in item:
        return True
    actual = item[name]
    if isinstance(actual, dict):
        actual = actual.get("id")
    if isinstance(actual, bool):
        actual = "true" if actual else "false"
    return str(actual) == value


def _parse_date(text: str) -> float | None:
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.timestamp()
