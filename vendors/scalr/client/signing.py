"""Request signing for both Scalr API generations (scalr.md A2 and B3).

APIv2 signs five lines (method, date, path, canonical query, raw body) with HMAC-SHA256 and
sends them in `X-Scalr-*` headers. The Query API (AuthVersion 3) signs only
`Action:KeyID:TimeStamp`; the action parameters are not covered and the timestamp never
expires, which is why the v1 client can sign when it builds the form.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, quote

APIV2_SCHEME = "V1-HMAC-SHA256"


def _hmac_b64(secret: str, message: bytes) -> str:
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def utc_timestamp(now: float | None = None) -> str:
    """The timestamp format scalr-ctl and scalr-tools send: `2016-06-24T12:00:00.000Z`."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() if now is None else now))


# -- APIv2 ------------------------------------------------------------------------------------
def canonical_query(params: Mapping[str, object] | Iterable[tuple[str, object]] | str) -> str:
    """Sorted (byte-wise) `name=value` pairs, RFC 3986-encoded; the last of repeated names wins.

    Accepts a dict, pairs, or a raw query string (as found on a `pagination.next` link).
    """
    if isinstance(params, str):
        pairs = parse_qsl(params, keep_blank_values=True)
    elif isinstance(params, Mapping):
        pairs = list(params.items())
    else:
        pairs = list(params)
    last = {str(name): str(value) for name, value in pairs}
    ordered = sorted(last.items(), key=lambda item: item[0].encode())
    return "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in ordered)


def apiv2_string_to_sign(method: str, date: str, path: str, query: str, body: bytes | str) -> bytes:
    if isinstance(body, str):
        body = body.encode()
    return "\n".join([method.upper(), date, path, query, ""]).encode() + body


def apiv2_signature(secret: str, method: str, date: str, path: str,
                    query: Mapping[str, object] | Iterable[tuple[str, object]] | str = "",
                    body: bytes | str = b"") -> str:
    """The full `X-Scalr-Signature` value, scheme prefix included."""
    message = apiv2_string_to_sign(method, date, path, canonical_query(query), body)
    return f"{APIV2_SCHEME} {_hmac_b64(secret, message)}"


def apiv2_headers(key_id: str, secret: str, method: str, path: str,
                  query: Mapping[str, object] | Iterable[tuple[str, object]] | str = "",
                  body: bytes | str = b"", *, date: str | None = None) -> dict[str, str]:
    date = date or utc_timestamp()
    return {
        "X-Scalr-Key-Id": key_id,
        "X-Scalr-Date": date,
        "X-Scalr-Signature": apiv2_signature(secret, method, date, path, query, body),
    }


# -- Query API --------------------------------------------------------------------------------
def query_api_signature_v3(secret: str, action: str, key_id: str, timestamp: str) -> str:
    """AuthVersion 3: base64(HMAC-SHA256(secret, trim(Action:KeyID:TimeStamp)))."""
    return _hmac_b64(secret, f"{action}:{key_id}:{timestamp}".strip().encode())


def query_api_signature_v2(secret: str, params: Mapping[str, object]) -> str:
    """AuthVersion 2: every parameter but Signature/SysDebug, sorted case-insensitively, as name+value."""
    names = sorted((n for n in params if n not in ("Signature", "SysDebug")), key=str.lower)
    return _hmac_b64(secret, "".join(f"{name}{params[name]}" for name in names).encode())
