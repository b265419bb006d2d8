"""Typed errors every vendor client raises, so callers never parse HTTP themselves.

Each error carries a clean sentence (`str(err)`) that is safe to store on a connection
and show in the UI: no traceback, no secret (see `redaction`).
"""

from __future__ import annotations


class VendorError(Exception):
    """Base of everything a vendor client raises on purpose."""

    #: short machine name shown in metrics and used by the poller to pick a health state
    kind = "vendor"

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 request_id: str | None = None, details: dict | None = None):
        from console.redaction import redact

        self.message = redact(message)
        self.status = status
        self.code = code
        self.request_id = request_id
        self.details = details or {}
        super().__init__(self.message)

    def __str__(self) -> str:
        text = self.message
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text


class AuthenticationError(VendorError):
    """The vendor refused our credentials (wrong key, expired token, bad signature)."""

    kind = "auth"


class VendorForbids(VendorError):
    """The vendor says our valid credentials may not do this (not named `PermissionDenied`, which is
    Django's: ours is the vendor's refusal, never a console role check)."""

    kind = "permission"


class NotFound(VendorError):
    kind = "not_found"


class RateLimited(VendorError):
    """The vendor asked us to slow down; `retry_after` is in seconds when it said so."""

    kind = "rate_limited"

    def __init__(self, message: str = "Rate limited by the vendor", *, retry_after: float | None = None, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class InvalidRequest(VendorError):
    """The vendor rejected the request's content (validation errors, bad filter...).

    `details` maps field names to the vendor's messages where it gave them.
    """

    kind = "invalid"


class Conflict(VendorError):
    """The object is in a state that forbids the action (locked, already running...)."""

    kind = "conflict"


class VendorUnavailable(VendorError):
    """Timeouts, connection errors and 5xx answers that outlived our retries."""

    kind = "unavailable"


class OutcomeUnknown(VendorUnavailable):
    """A write was sent but no answer came back (a timeout, a lost connection, a gateway error):
    the vendor may have acted on it. An action that meets this is *unconfirmed*, never resent."""

    kind = "unknown"


class ProtocolError(VendorError):
    """The vendor answered something we cannot understand (malformed JSON or XML...)."""

    kind = "protocol"


class Deferred(Exception):
    """A poll waits for a rate budget instead of polling: the console's own choice, not a failure.

    `retry_in`: seconds until it is worth trying again (the budget's next window).
    """

    def __init__(self, message: str, *, retry_in: float):
        super().__init__(message)
        self.retry_in = retry_in


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with any configured key."""
