"""Keep secrets out of log lines and exception texts.

Every secret the process decrypts or is handed is registered here; `redact()` masks all of
them, and `RedactingFilter` applies it to every log record (installed on all handlers by
settings.LOGGING). A registry per process is enough: a secret can only leak from a
process that has held it.

Some URLs carry a secret in their path (an event callback's token). Their shape is registered
with `register_secret_path`, so the segment is masked in any log line that shows such a path,
whether the secret is right, wrong or never decrypted by this process; `RequestLineMiddleware`
hands gunicorn's access log the request line masked the same way.
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "[redacted]"
_MIN_LENGTH = 6  # shorter values are too likely to appear by chance in ordinary text
_lock = threading.Lock()
_secrets: set[str] = set()
_paths: list[re.Pattern] = []
#: the WSGI environ key gunicorn's `access_log_format` prints as `%({console_request_line}e)s`
REQUEST_LINE = "CONSOLE_REQUEST_LINE"


def register(*values: str | None) -> None:
    with _lock:
        for value in values:
            if value and len(value) >= _MIN_LENGTH:
                _secrets.add(value)


def register_secret_path(prefix: str) -> None:
    """`prefix` (a regular expression) is followed, in a URL path, by a segment that is a secret."""
    with _lock:
        _paths.append(re.compile(rf"({prefix})[^/\s?#\"'>]+"))


def redact(text: str) -> str:
    if not text or not (_secrets or _paths):
        return text
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
        paths = list(_paths)
    for path in paths:
        text = path.sub(rf"\g<1>{MASK}", text)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets or _paths:
            message = record.getMessage()
            clean = redact(message)
            if clean != message:
                record.msg, record.args = clean, None
            request = getattr(record, "request", None)  # django.request's extra: a JSON log prints it
            if request is not None and redact(repr(request)) != repr(request):
                record.request = redact(repr(request))
            if record.exc_info and record.exc_info[1] is not None:
                text = logging.Formatter().formatException(record.exc_info)
                record.exc_text = redact(text)
                record.exc_info = None
        return True


class RequestLineMiddleware:
    """Puts the request line, with secrets masked, in the WSGI environ for the access log (first in
    MIDDLEWARE, so every answer has it; gunicorn prints "-" where it is missing, never the raw line)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        uri = meta.get("RAW_URI") or request.get_full_path()
        meta[REQUEST_LINE] = redact(f"{request.method} {uri} {meta.get('SERVER_PROTOCOL', '')}")
        return self.get_response(request)
