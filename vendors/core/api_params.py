"""What every vendor's API verbs check in `params` before building the page's form from it."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError


def params_checked(params: dict, *, required: tuple[str, ...] = (), optional: tuple[str, ...] = (),
                   text: tuple[str, ...] = ()) -> None:
    """Refuse unknown keys (a typo must not widen an action, e.g. restart every container), missing
    ones, and values of `text` keys that are not strings (a form would take str() of a list)."""
    known = required + optional
    problems = {key: [f"Unknown parameter; this verb takes {', '.join(known) or 'none'}."]
                for key in params if key not in known}
    problems |= {key: ["This parameter is required."] for key in required if key not in params}
    problems |= {key: ["A string."] for key in text if key in params and not isinstance(params[key], str)}
    if problems:
        raise ValidationError(problems)
