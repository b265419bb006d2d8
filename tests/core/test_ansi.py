"""Build logs and script output with ANSI colours, as the Scalingo app page shows them."""

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from vendors.core.ansi import ansi_to_html

TAG = re.compile(r'<span class="(ansi-bold|ansi-fg-[a-z]+|ansi-bold ansi-fg-[a-z]+)">|</span>')


def parse(rendered: str) -> tuple[list[tuple[str, str]], str]:
    """The (classes, text) runs a browser would draw, and the text between tags as it is in the HTML.
    Fails on a span that is not closed, a close without an open, or a span inside a span."""
    runs, between, open_class, position = [], [], None, 0
    for tag in TAG.finditer(rendered):
        chunk = rendered[position:tag.start()]
        between.append(chunk)
        if chunk:
            runs.append((open_class or "", html.unescape(chunk)))
        position = tag.end()
        if tag.group(0) == "</span>":
            assert open_class is not None, rendered
            open_class = None
        else:
            assert open_class is None, rendered
            open_class = tag.group(1)
    assert open_class is None, rendered
    between.append(rendered[position:])
    if rendered[position:]:
        runs.append(("", html.unescape(rendered[position:])))
    return runs, "".join(between)


def test_colours_and_bold_become_classes_and_reset_ends_them():
    rendered = ansi_to_html("plain \x1b[31merror\x1b[0m then \x1b[1;32mbold green\x1b[39m bold\x1b[0m end")
    assert parse(rendered)[0] == [("", "plain "), ("ansi-fg-red", "error"), ("", " then "),
                                  ("ansi-bold ansi-fg-green", "bold green"), ("ansi-bold", " bold"), ("", " end")]


def test_markup_in_the_text_is_escaped():
    rendered = ansi_to_html('\x1b[33m<script>alert("x")</script>\x1b[0m & <b>')
    assert "<script>" not in rendered and "<b>" not in rendered
    assert parse(rendered)[0] == [("ansi-fg-yellow", '<script>alert("x")</script>'), ("", " & <b>")]


def test_a_nul_in_vendor_text_is_shown_and_splits_no_span():
    """The old renderer cut spans at NULs: a NUL inside coloured text opened a span named by the text."""
    rendered = ansi_to_html('\x1b[31mred\x00 class="x" onmouseover=alert(1)\x00tail\x1b[0m')
    assert parse(rendered)[0] == [("ansi-fg-red", 'red\u2400 class="x" onmouseover=alert(1)\u2400tail')]
    assert "\x00" not in rendered


def test_control_bytes_are_visible_and_whitespace_is_kept():
    rendered = ansi_to_html("a\x01b\x07c\x08d\x7fe\x9bf\x1bg\tline\r\nnext")
    assert parse(rendered)[0] == [("", "a\u2401b\u2407c\u2408d\u2421e\ufffdf\u241bg\tline\r\nnext")]


def test_escape_sequences_other_than_colours_are_dropped():
    rendered = ansi_to_html("\x1b[2K\x1b[1Gprogress \x1b[?25lhidden cursor\x1b]0;title\x07 done \x1b[38;5;196mx")
    assert parse(rendered)[0] == [("", "progress hidden cursor done x")]


def test_empty_styles_draw_no_empty_span():
    assert ansi_to_html("\x1b[31m\x1b[0m\x1b[1m\x1b[0mtext") == "text"


alphabet = st.one_of(st.characters(), st.sampled_from(["\x1b[", "\x1b]", "m", ";", "1", "31", "0", "<", "&", "\x00",
                                                       "\x1b[0m", "\x1b[1;31m", "\x07", '"']))


@settings(max_examples=400, deadline=None)
@given(st.lists(alphabet, max_size=40).map("".join))
def test_any_text_gives_balanced_spans_and_no_markup_of_its_own(text):
    rendered = ansi_to_html(text)
    runs, between_tags = parse(rendered)
    assert "<" not in between_tags and ">" not in between_tags
    shown = "".join(piece for _, piece in runs)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", shown)
    if "\x1b" not in text:
        assert len(shown) == len(text)  # every character is drawn, one for one


def test_a_colour_code_of_thousands_of_digits_is_text_not_a_crash():
    assert str(ansi_to_html("\x1b[" + "9" * 5000 + "mred")) == "red"
