"""Credentials of the simulated auth service: API tokens, bearer JWTs, legacy tokens, rate limit.

The real JWT is HS512 with claims iss, iat, uuid (user id), rnd and exp = iat + 3600
(decoded from the 2020 recording). We sign ours too, so a forged or mangled bearer is
refused like an unknown one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from collections import defaultdict, deque


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Credentials:
    def __init__(self, *, token_lifetime: float = 3600):
        self.token_lifetime = token_lifetime
        self.secret = secrets.token_bytes(32)
        self.api_tokens: dict[str, str] = {}  # API token -> user id
        self.legacy_tokens: dict[str, str] = {}  # users/sign_in authentication_token -> user id
        self.issued: dict[str, str] = {}  # JWT `rnd` -> the API token it was exchanged for
        self.expired: set[str] = set()  # `rnd`s forced to expiry by the expired-token fault
        self.reject_next = 0  # the next N bearer checks fail as expired, whatever the token

    def exchange(self, api_token: str) -> str | None:
        user_id = self.api_tokens.get(api_token)
        if not user_id:
            return None
        now = int(time.time())
        rnd = secrets.token_hex(16)
        self.issued[rnd] = api_token
        header = {"typ": "JWT", "alg": "HS512"}
        claims = {"iss": "Scalingo", "iat": now, "uuid": user_id, "rnd": rnd, "exp": now + int(self.token_lifetime)}
        head, body = (_b64(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
        signing_input = f"{head}.{body}"
        signature = hmac.new(self.secret, signing_input.encode(), hashlib.sha512).digest()
        return signing_input + "." + _b64(signature)

    def check_bearer(self, token: str) -> tuple[str | None, str | None, str]:
        """(user id, API token behind it, refusal message); the ids are None when refused."""
        try:
            head, body, signature = token.split(".")
            expected = hmac.new(self.secret, f"{head}.{body}".encode(), hashlib.sha512).digest()
            if not hmac.compare_digest(expected, _unb64(signature)):
                return None, None, "invalid token"
            claims = json.loads(_unb64(body))
        except (ValueError, binascii.Error):
            return None, None, "invalid token"
        api_token = self.issued.get(claims.get("rnd"))
        if api_token is None or self.api_tokens.get(api_token) != claims.get("uuid"):
            return None, None, "invalid token"  # the API token was revoked
        if self.reject_next:
            self.reject_next -= 1
            return None, None, "token expired"
        if claims.get("exp", 0) <= time.time() or claims["rnd"] in self.expired:
            return None, None, "token expired"
        return claims["uuid"], api_token, ""

    def check_basic(self, header: str) -> tuple[str, str] | None:
        """Decode `Basic base64(user:password)` into (user, password)."""
        if not header or not header.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
        return user, password

    def expire_all(self) -> None:
        self.expired.update(self.issued)

    def sign_in(self, user_id: str) -> str:
        token = secrets.token_hex(10) + "-"
        self.legacy_tokens[token] = user_id
        return token


class RateLimiter:
    """At most `limit` requests per `window` seconds per credential (sliding window)."""

    def __init__(self, limit: int | None, window: float = 60.0):
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        if not self.limit:
            return True
        now = time.monotonic()
        hits = self._hits[key]
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True
