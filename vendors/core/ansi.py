"""ANSI colour codes (build logs, script output) rendered as HTML spans with CSS classes.

The text is cut into runs of one style each; every run is HTML-escaped on its own and wrapped
in at most one `<span class="ansi-...">` (no inline styles: the CSP forbids them), so no byte of
the vendor's text can open, close or split a span. SGR codes set the style; every other escape
sequence (cursor moves, titles) is dropped. Control bytes that are not whitespace (NUL, a lone
ESC, DEL, C1 codes) are shown as their visible Unicode "control picture" (␀, ␛, ␡) or as �.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from console.params import digits

# CSI (ESC [ parameters intermediates final) and OSC (ESC ] ... BEL or ST), per ECMA-48
_SEQUENCE = re.compile(r"\x1b\[([0-?]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
_COLOURS = {30: "black", 31: "red", 32: "green", 33: "yellow", 34: "blue", 35: "magenta", 36: "cyan", 37: "white"}
_VISIBLE = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\t\n\r"}
_VISIBLE |= {0x7F: "\u2421"} | {code: "\ufffd" for code in range(0x80, 0xA0)}


def _style(state: tuple[bool, str | None], parameters: str) -> tuple[bool, str | None]:
    """The (bold, colour) after one SGR sequence; codes we do not draw leave the state alone."""
    bold, colour = state
    for code in [n for c in parameters.split(";") if (n := digits(c)) is not None] or [0]:
        if code == 0:
            bold, colour = False, None
        elif code == 1:
            bold = True
        elif code == 22:
            bold = False
        elif code in _COLOURS or 90 <= code <= 97:
            colour = _COLOURS[code if code in _COLOURS else code - 60]
        elif code == 39:
            colour = None
    return bold, colour


def _runs(text: str) -> list[tuple[tuple[bool, str | None], str]]:
    """The text between escape sequences, each piece with the style it is drawn in (adjacent pieces
    of one style merged)."""
    runs: list[tuple[tuple[bool, str | None], str]] = []
    state: tuple[bool, str | None] = (False, None)
    position = 0
    for match in [*_SEQUENCE.finditer(text), None]:
        piece = text[position:match.start() if match else len(text)]
        if piece and runs and runs[-1][0] == state:
            runs[-1] = (state, runs[-1][1] + piece)
        elif piece:
            runs.append((state, piece))
        if match:
            position = match.end()
            if match.group(2) == "m" and re.fullmatch(r"[0-9;]*", match.group(1)):
                state = _style(state, match.group(1))
    return runs


def ansi_to_html(text: str) -> SafeString:
    html = []
    for (bold, colour), piece in _runs(text):
        shown = escape(piece.translate(_VISIBLE))
        classes = " ".join([*(["ansi-bold"] if bold else []), *([f"ansi-fg-{colour}"] if colour else [])])
        html.append(f'<span class="{classes}">{shown}</span>' if classes else shown)
    return mark_safe("".join(html))
