"""Sending events to Scalyr: `addEvents` with a Write Logs token (scalyr.md §6.10).

An upload is one session (a UUID per uploading process, never one per request) and its
`sessionInfo` (`serverHost`...), then the events, each with its time in nanoseconds as a string.
Each event also carries the agent's sequence fields: `si`, the id of the stream it belongs to,
and `sn`, its number in that stream. Scalyr keeps the highest number it accepted per stream and
drops an event whose number is not above it, so a batch sent again after a lost answer is not
stored twice; that makes the request safe to resend, and it is retried like a read.

The body is encoded here, once, so what is measured against the documented limit (3,000,000
bytes, §6.10: the older and smaller of the two figures in use) is what is sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vendors.core import errors
from vendors.core.answers import vendor_words
from vendors.scalyr.client.base import WRITE_LOGS

#: the largest addEvents body Scalyr documents (DOC; newer clients send up to ~6 MB)
MAX_REQUEST_BYTES = 3_000_000


def encode(value) -> bytes:
    """Compact JSON, as sent: the size of a batch is measured with the same encoding."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


@dataclass(frozen=True)
class UploadEvent:
    ts_ns: int
    attrs: Mapping
    sev: int = 3
    #: the stream (`si`) and the event's number in it (`sn`)
    stream: str = ""
    number: int | None = None

    def wire(self) -> dict:
        event = {"ts": str(self.ts_ns), "sev": self.sev, "attrs": dict(self.attrs)}
        if self.stream and self.number is not None:
            event["si"], event["sn"] = self.stream, self.number
        return event


@dataclass(frozen=True)
class UploadAnswer:
    """Scalyr took the batch. `message` is its warning on a success (say, events too old and dropped)."""

    bytes_charged: int | None = None
    message: str = ""


class EventUploads:
    """The Write Logs method of `ScalyrClient` (a mixin over `ScalyrTransport`)."""

    def add_events(self, *, session: str, session_info: Mapping, events: Sequence[UploadEvent]) -> UploadAnswer:
        token = self._token((WRITE_LOGS,), "addEvents")
        body = {"session": session, "sessionInfo": dict(session_info), "events": [e.wire() for e in events]}
        if not self.bearer:
            body = {"token": token, **body}
        content = encode(body)
        if len(content) > MAX_REQUEST_BYTES:
            raise errors.InvalidRequest(f"An addEvents body of {len(content):,} bytes is over Scalyr's "
                                        f"{MAX_REQUEST_BYTES:,}; nothing was sent")
        headers = {"Content-Type": "application/json"}
        if self.bearer:
            headers["Authorization"] = f"Bearer {token}"
        answer = self._body(self.request("POST", "/api/addEvents", content=content, headers=headers))
        charged = answer.get("bytesCharged")
        message = answer.get("message")
        return UploadAnswer(bytes_charged=charged if isinstance(charged, int) else None,
                            message=vendor_words(message) if isinstance(message, str) and message.strip() else "")
