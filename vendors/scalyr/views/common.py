"""What the Scalyr views share."""

from __future__ import annotations

from vendors.core.errors import VendorError


def is_partial(request) -> bool:
    """An HTMX request for a fragment (boosted navigations and history restores want the whole page)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def scalyr_error(exc: VendorError) -> dict:
    """Scalyr's own sentence, and what kind of refusal it was (for the hint next to it)."""
    return {"message": str(exc), "kind": exc.kind, "code": exc.code or ""}
