"""Build Scalyr filter expressions from values safely (scalyr.md §7).

A user's value (a facet value clicked in a table, a hostname in a deep-link template) must
never change the meaning of the filter it lands in, so values always go through
`literal()`: strings become double-quoted with `\\` and `"` escaped, numbers and booleans
stay bare so they compare as numbers.

    >>> equals("uriPath", '/a "b"')
    'uriPath == "/a \\\\"b\\\\""'
    >>> format_filter("$serverHost == {host} status >= {code}", host="web-1", code=500)
    '$serverHost == "web-1" status >= 500'
"""

from __future__ import annotations

import re
import string

_PLAIN_FIELD = re.compile(r"[A-Za-z0-9_.]+")
_FIELD_CHAR = re.compile(r"[^A-Za-z0-9_.]")
_SERVER_PREFIX = "$"


def quote(text: str) -> str:
    """A double-quoted string literal: a phrase for full-text search, or a field value."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def literal(value) -> str:
    """A value as it must appear on the right of a field operator."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return quote(value)


def field(name: str) -> str:
    """A field name, punctuation backslash-escaped (`service\\-name`); a leading `$` is kept."""
    server = name.startswith(_SERVER_PREFIX)
    bare = name[1:] if server else name
    if not bare:
        raise ValueError("a field name cannot be empty")
    escaped = bare if _PLAIN_FIELD.fullmatch(bare) else _FIELD_CHAR.sub(lambda m: "\\" + m.group(), bare)
    return (_SERVER_PREFIX if server else "") + escaped


def compare(name: str, op: str, value) -> str:
    if op not in ("==", "!=", "<", "<=", ">", ">=", "contains", "matches"):
        raise ValueError(f"unknown filter operator {op!r}")
    if op == "matches":
        return f"{field(name)} matches {regex_literal(value)}"
    return f"{field(name)} {op} {literal(value)}"


def equals(name: str, value) -> str:
    """`name == value`; None (a facet row for events without the field) means "field absent"."""
    if value is None:
        return f"{field(name)} != *"
    return compare(name, "==", value)


def present(name: str) -> str:
    return f"{field(name)} == *"


def phrase(text: str) -> str:
    """Full-text search for `text` in the message, case-insensitive."""
    return quote(text)


def regex_literal(pattern: str) -> str:
    # Inside a regex only the quote needs escaping: backslashes are the regex's own.
    return '"' + pattern.replace('"', '\\"') + '"'


def regex(pattern: str) -> str:
    """Regex search in the message: `$"pattern"`."""
    return "$" + regex_literal(pattern)


def all_of(*filters: str) -> str:
    parts = [f for f in filters if f and f.strip()]
    if len(parts) == 1:
        return parts[0]
    return " ".join(f"({p})" for p in parts)


def any_of(*filters: str) -> str:
    parts = [f for f in filters if f and f.strip()]
    if len(parts) == 1:
        return parts[0]
    return " OR ".join(f"({p})" for p in parts)


def negate(filter_: str) -> str:
    return f"!({filter_})"


class _LiteralFormatter(string.Formatter):
    def format_field(self, value, format_spec):
        return literal(value)


def format_filter(template: str, /, **values) -> str:
    """Fill `{name}` placeholders of a filter template with safely quoted values."""
    return _LiteralFormatter().format(template, **values)


#: fields Scalyr keeps on the session or the log file rather than the event: `$` in filters (scalyr.md §7.3)
SERVER_FIELDS = frozenset({"serverHost", "serverIP", "logfile", "serverType", "region", "env"})
_TOP_LEVEL_OR = re.compile(r"(?i)\bor\b|\|\|")


def filter_field(name: str) -> str:
    """The name as a filter should spell it: server and log-file fields get their `$`."""
    return f"${name}" if name in SERVER_FIELDS else name


def facet_term(name: str, value, *, exclude: bool = False) -> str:
    """`field == value` for a clicked facet value, or its exclusion."""
    if value is None:
        return present(filter_field(name)) if exclude else f"{field(filter_field(name))} != *"
    return compare(filter_field(name), "!=" if exclude else "==", value)


def and_term(base: str, term: str) -> str:
    """`base` narrowed by `term`; a base with an OR is parenthesised so the term applies to all of it."""
    base = (base or "").strip()
    if not base:
        return term
    if term in base:
        return base
    if _TOP_LEVEL_OR.search(base):
        base = f"({base})"
    return f"{base} {term}"


_QUOTED = re.compile(r"""(?<!\$)(["'])((?:\\.|(?!\1).)*)\1""")


def quoted_strings(text: str) -> list[str]:
    """The string literals of a filter (`app == 'shop-api'` -> shop-api), unescaped; regexes (`$"..."`) left out.
    They are what a filter names: the apps and hosts whose changes its charts draw."""
    return [re.sub(r"\\(.)", r"\1", body) for _, body in _QUOTED.findall(text or "")]
