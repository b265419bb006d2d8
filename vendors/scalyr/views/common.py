"""What the Scalyr views share."""

from __future__ import annotations

from vendors.core.errors import VendorError
from console.htmx import wants_fragment as is_partial  # noqa: F401  (one rule for every vendor)


def scalyr_error(exc: VendorError) -> dict:
    """Scalyr's own sentence, and what kind of refusal it was (for the hint next to it)."""
    return {"message": str(exc), "kind": exc.kind, "code": exc.code or ""}
