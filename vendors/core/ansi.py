"""ANSI colour codes (build logs, script output) rendered as HTML spans with CSS classes.

The text is HTML-escaped first; SGR codes become `<span class="ansi-...">` (no inline
styles: the CSP forbids them). Unknown escape sequences are dropped.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_ESCAPE = re.compile(r"\x1b\[([0-9;]*)([A-Za-z])")
_COLOURS = {30: "black", 31: "red", 32: "green", 33: "yellow", 34: "blue", 35: "magenta", 36: "cyan", 37: "white"}


def ansi_to_html(text: str) -> SafeString:
    out: list[str] = []
    classes: list[str] = []
    position = 0
    for match in _ESCAPE.finditer(text):
        out.append(escape(text[position:match.start()]))
        position = match.end()
        if match.group(2) != "m":
            continue
        for code in [int(c) for c in match.group(1).split(";") if c.isdigit()] or [0]:
            if code == 0:
                classes = []
            elif code == 1:
                classes = [*classes, "ansi-bold"]
            elif code in _COLOURS or 90 <= code <= 97:
                colour = _COLOURS[code if code in _COLOURS else code - 60]
                classes = [c for c in classes if not c.startswith("ansi-fg")] + [f"ansi-fg-{colour}"]
            elif code == 39:
                classes = [c for c in classes if not c.startswith("ansi-fg")]
        out.append("\x00")  # a span boundary, resolved below
        out.append(" ".join(dict.fromkeys(classes)))
        out.append("\x00")
    out.append(escape(text[position:]))
    html, open_span = [], False
    parts = "".join(out).split("\x00")
    html.append(parts[0])
    for index in range(1, len(parts) - 1, 2):
        css, following = parts[index], parts[index + 1]
        if open_span:
            html.append("</span>")
            open_span = False
        if css:
            html.append(f'<span class="{css}">')
            open_span = True
        html.append(following)
    if open_span:
        html.append("</span>")
    return mark_safe("".join(html))
