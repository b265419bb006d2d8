"""Keep secrets out of log lines and exception texts.

Every secret the process decrypts or is handed is registered here; `redact()` masks all of
them, and `RedactingFilter` applies it to every log record (installed on all handlers by
settings.LOGGING). A registry per process is enough: a secret can only leak from a
process that has held it.
"""

from __future__ import annotations

import logging
import threading

MASK = "[redacted]"
_MIN_LENGTH = 6  # shorter values are too likely to appear by chance in ordinary text
_lock = threading.Lock()
_secrets: set[str] = set()


def register(*values: str | None) -> None:
    with _lock:
        for value in values:
            if value and len(value) >= _MIN_LENGTH:
                _secrets.add(value)


def redact(text: str) -> str:
    if not text or not _secrets:
        return text
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            message = record.getMessage()
            clean = redact(message)
            if clean != message:
                record.msg, record.args = clean, None
            if record.exc_info and record.exc_info[1] is not None:
                text = logging.Formatter().formatException(record.exc_info)
                record.exc_text = redact(text)
                record.exc_info = None
        return True
