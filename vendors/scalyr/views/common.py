"""What the Scalyr views share."""

from __future__ import annotations

from vendors.core.errors import VendorError


def scalyr_error(exc: VendorError) -> dict:
    """Scalyr's own sentence, and what kind of refusal it was (for the hint next to it)."""
    return {"message": str(exc), "kind": exc.kind, "code": exc.code or ""}
