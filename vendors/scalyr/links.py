"""Deep links from the other vendors' pages: a filter built from a per-connection template.

A template is Scalyr filter text with placeholders naming one attribute of the object the
link is for: `app == '{app.name}'`, `$serverHost contains '{server.hostname}'`. A
placeholder is replaced by a safely quoted literal (`filter_language.literal`), together with the
quotes around it when it stands alone in them, so no app or host name can change the
meaning of the filter. A placeholder inside a longer quoted string (`'web-{app.name}'`)
could not be quoted safely and is refused when the template is saved.
"""

from __future__ import annotations

import re

from vendors.scalyr import filter_language

#: link kind -> (settings key, placeholder object name, default template, label)
KINDS = {
    "scalingo.app": ("link_scalingo_app", "app", "app == '{app.name}'", "Scalingo app"),
    "scalr.farm": ("link_scalr_farm", "farm", "$serverHost contains '{farm.name}'", "Scalr farm"),
    "scalr.server": ("link_scalr_server", "server", "$serverHost contains '{server.hostname}'", "Scalr server"),
}
_PLACEHOLDER = re.compile(r"""(?P<q>['"]?)\{(?P<obj>[a-z_]+)\.(?P<attr>[a-z][a-z0-9_]*)\}(?P=q)""")
_ANY_BRACE = re.compile(r"[{}]")
_MARK = "\x00"


class TemplateError(ValueError):
    pass


def validate(template: str, kind: str) -> None:
    """Raise TemplateError unless every placeholder names the kind's object and can be quoted safely."""
    obj_name = KINDS[kind][1]
    found = False
    for match in _PLACEHOLDER.finditer(template):
        found = True
        if match.group("obj") != obj_name:
            raise TemplateError(f"Placeholders of this link name the {obj_name}: {{{obj_name}.name}}, "
                                f"not {{{match.group('obj')}.{match.group('attr')}}}.")
    remainder = _PLACEHOLDER.sub("", template)
    if _ANY_BRACE.search(remainder):
        raise TemplateError(f"Write placeholders as {{{obj_name}.attribute}}, alone or alone in their quotes "
                            f"(e.g. '{{{obj_name}.name}}'); braces cannot be used otherwise.")
    if not found:
        raise TemplateError(f"The template needs at least one placeholder such as {{{obj_name}.name}}.")
    _check_quoting(_PLACEHOLDER.sub(_MARK, template))


def _check_quoting(text: str) -> None:
    """Each placeholder was replaced by _MARK; one left inside a quoted string was not alone in it."""
    quote = None
    escaped = False
    enclosed = False
    for char in text:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = None
            elif char == _MARK:
                enclosed = True
        elif char in "'\"":
            quote = char
    if quote:
        raise TemplateError("A quoted string in the template is not closed.")
    if enclosed:
        raise TemplateError("A placeholder inside a longer quoted string cannot be quoted safely: "
                            "put it alone in its quotes, e.g. app == '{app.name}'.")


def build_filter(template: str, kind: str, obj) -> str | None:
    """The filter for `obj`, or None when an attribute the template names is missing or empty."""
    validate(template, kind)
    obj_name = KINDS[kind][1]
    missing = False

    def substitute(match: re.Match) -> str:
        nonlocal missing
        value = getattr(obj, match.group("attr"), None) if match.group("obj") == obj_name else None
        if isinstance(value, (list, tuple)):
            value = value[0] if value else None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)) or value == "":
            missing = True
            return ""
        return filter_language.literal(value)

    text = _PLACEHOLDER.sub(substitute, template)
    return None if missing else text


def balanced(text: str) -> bool:
    """Whether `text` could be a filter: its quoted strings closed and its parentheses paired.

    Scalyr has the last word on the syntax; this only keeps the global search from offering
    "Search logs for" text that cannot be one.
    """
    quote = None
    escaped = False
    depth = 0
    for char in text:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return False
    return quote is None and depth == 0
