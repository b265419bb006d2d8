"""How much of a vendor's answer the console reads, and how much of it a person may see.

Bounded answers: every answer is read as a stream, at most `CONSOLE_MAX_RESPONSE_MB`; one
that declares or turns out to be larger fails with `AnswerTooLarge` (never retried: it would
be as large again), and what was read of it is dropped, so a web or worker process never holds
more than the cap for one answer, whatever a vendor (or whoever answers in its place) sends.

No relayed bodies: a vendor's error is shown in its own words only when it comes in that
vendor's documented error shape (each client knows its shape), and then through
`vendor_words`: cut to a sentence's length, without control or formatting characters. Any
other answer (a proxy's HTML page, an unknown JSON, a stranger's service) is `described`:
status, where it came from, its media type and size, never a word of its content.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator

import httpx
from django.conf import settings

from vendors.core import errors

#: the longest vendor message shown (a sentence or two; a page of text is not a message)
MAX_WORDS = 300
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: the longest line of a streamed answer kept (a log line; anything longer is not one)
MAX_LINE = 256 * 1024
#: raw bytes decoded at a time: deflate expands at most about 1,000 times, so 1 KB stands for 1 MB at most
_RAW_PIECE = 1024


class AnswerTooLarge(errors.ProtocolError):
    """The answer is larger than `CONSOLE_MAX_RESPONSE_MB`; it was not read (past the cap)."""


def max_answer_mb() -> int | float:
    return getattr(settings, "CONSOLE_MAX_RESPONSE_MB", 32)


def read_bounded(response: httpx.Response, *, vendor: str) -> None:
    """Read a response sent with `stream=True` into memory (`response.content`), at most the cap; close it.

    A `Content-Length` above the cap fails before a byte of the body is read; an answer without one
    (chunked) fails as soon as what was read passes the cap.
    """
    limit_mb = max_answer_mb()
    limit = int(limit_mb * 1024 * 1024)
    request = response.request
    too_large = AnswerTooLarge(f"{vendor} sent an answer larger than {limit_mb:g} MB to {request.method} "
                               f"{request.url.path}; it was not read")
    try:
        declared = response.headers.get("Content-Length", "")
        # a length of more digits than any cap (int() refuses thousands of them) is over it all the same
        if request.method != "HEAD" and declared.isascii() and declared.isdigit() and (
                len(declared) > 15 or int(declared) > limit):
            raise too_large
        chunks, size = [], 0
        for chunk in _decoded(response):
            size += len(chunk)
            if size > limit:
                chunks.clear()
                raise too_large
            chunks.append(chunk)
    finally:
        response.close()
    # what httpx's own `Response.read()` does: later `.content`, `.text` and `.json()` read this
    response._content = b"".join(chunks)


def _decoded(response: httpx.Response) -> Iterator[bytes]:
    """The body's bytes as sent before compression. httpx decodes each network read whole, and 64 KB of
    gzip can stand for 64 MB: small raw pieces go through httpx's own decoder (gzip, deflate, and br or
    zstd when installed) one at a time, so what one piece expands to stays small however it was packed."""
    if hasattr(response, "_content"):  # already read and decoded (a transport answering from memory)
        yield response.content
        return
    decoder = response._get_content_decoder()
    for raw in response.iter_raw():  # as it arrives: a live stream's line must not wait for a full piece
        for start in range(0, len(raw), _RAW_PIECE):
            yield decoder.decode(raw[start:start + _RAW_PIECE])
    yield decoder.flush()


def _text(response: httpx.Response) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(response.encoding or "utf-8")(errors="replace")
    for piece in _decoded(response):
        yield decoder.decode(piece)
    yield decoder.decode(b"", True)


def bounded_lines(response: httpx.Response, *, max_line: int = MAX_LINE) -> Iterator[str]:
    """The lines of a streamed answer (a log stream), as `iter_lines` gives them, except that a line longer
    than `max_line` characters is dropped as it arrives rather than held until its end comes."""
    pending, dropping = "", False
    for text in _text(response):
        *complete, pending = (pending + text).split("\n")
        for line in complete:
            if not dropping:
                yield line.rstrip("\r")
            dropping = False
        if len(pending) > max_line:
            pending, dropping = "", True
    if pending and not dropping:
        yield pending.rstrip("\r")


def vendor_words(text, limit: int = MAX_WORDS) -> str:
    """A message from the vendor's documented error shape, as a page, a log line or an audit entry may
    show it: control and formatting characters (line breaks, ANSI escapes, bidirectional overrides)
    become spaces, runs of spaces one, and it is cut to `limit` characters."""
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in str(text))
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[:limit - 1].rstrip() + "…"


def _size(length: int) -> str:
    if not length:
        return "empty"
    if length < 1024:
        return f"{length} B"
    if length < 1024 * 1024:
        return f"{round(length / 1024)} KB"
    return f"{round(length / (1024 * 1024))} MB"


def described(response: httpx.Response) -> str:
    """`HTTP 404 from host:port (text/html, 3 KB)`: an answer outside the vendor's error shape, said
    without its content (the media type only when it is one, as the header is the sender's too)."""
    url = response.request.url
    port = url.port or _DEFAULT_PORTS.get(url.scheme)
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    media = media if _MEDIA_TYPE.fullmatch(media) else ("no content type" if not media else "unknown type")
    return f"HTTP {response.status_code} from {url.host}:{port} ({media}, {_size(len(response.content))})"
