"""An app's logs: the last lines, and the live tail (the logs host's server-sent events)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from console import redaction
from vendors.core import answers, errors
from vendors.scalingo.client.base import ScalingoBase
from vendors.scalingo.client.records_activity import LogLine


def _with_query(url: str, params: dict) -> str:
    """Add parameters to a URL that has its own (httpx's `params=` would replace them)."""
    return str(httpx.URL(url).copy_merge_params(params))


@dataclass(frozen=True)
class TailPause:
    """What `tail_logs(pauses=True)` yields before it waits: Scalingo asked it to slow down."""

    seconds: float
    message: str


class LogsAPI(ScalingoBase):
    def logs_url(self, app: str) -> str:
        """A pre-authenticated URL on the logs host; it is a secret, registered for redaction."""
        url = self._rooted(self._send("GET", self._app(app, "/logs")), "logs_url")
        if not isinstance(url, str) or not url:
            raise errors.ProtocolError("scalingo answered without a logs_url")
        token = re.search(r"[?&]token=([^&]+)", url)
        redaction.register(url, token.group(1) if token else None)
        return url

    def logs(self, app: str, *, n: int = 100, filter: str | None = None) -> list[LogLine]:
        """The last `n` lines; `filter` is a container (web-1), a type (web) or a regexp."""
        return self._dump(self.logs_url(app), n, filter)

    def _dump(self, url: str, n: int, filter: str | None) -> list[LogLine]:
        params = {"n": n, **({"filter": filter} if filter else {})}
        try:
            response = self._send("GET", _with_query(url, params), auth="none", headers={"Accept": "text/plain"})
        except errors.NotFound:  # GO: 404 from the logs host means "no logs yet"
            return []
        if response.status_code == 204:
            return []
        return [LogLine.parse(line) for line in response.text.splitlines() if line.strip()]

    def tail_logs(self, app: str, *, n: int = 20, filter: str | None = None,
                  stop: threading.Event | None = None, timeout: float | None = None,
                  pauses: bool = False) -> Iterator[LogLine | TailPause]:
        """The last `n` lines, then new ones as they come, until `stop` is set, `timeout`
        seconds pass or the caller stops iterating.

        Like the CLI: a dump, then the same URL with `stream=true`; we read the
        server-sent-events form (no WebSocket upgrade) and reconnect when it ends. Frames
        are `{"event"|"name": "log"|"ping", "log": …}` (clients read `event`, docs say `name`).

        When Scalingo answers 429 the tail waits (its `Retry-After`, else a few seconds) and
        goes on where it was: the same logs URL remembers what it delivered, and a new one
        is caught up from the last line yielded, so no line comes twice. With `pauses`, a
        `TailPause` is yielded before each wait, for a page to say why nothing comes.
        """
        deadline = time.monotonic() + timeout if timeout is not None else None

        def over() -> bool:
            return bool((stop and stop.is_set()) or (deadline and time.monotonic() >= deadline))

        url: str | None = None
        primed = False  # the first dump (or, after a new URL, the catch-up) has been read
        started = False
        last: LogLine | None = None
        failures = 0
        while not over():
            try:
                if url is None:
                    url, primed = self.logs_url(app), False
                if not primed:
                    lines = self._catch_up(url, filter, last) if started else self._dump(url, n, filter)
                    primed = started = True
                    for last in lines:
                        yield last
                try:
                    for last in self._stream_once(url, filter):
                        failures = 0
                        yield last
                        if over():
                            return
                except errors.AuthenticationError:  # the logs URL's token expired: ask for a new one
                    url = None
            except errors.RateLimited as slow:
                wait = min(60.0, max(0.5, slow.retry_after if slow.retry_after is not None else 5.0))
                if pauses:
                    yield TailPause(wait, f"Scalingo asked to slow down; the live tail resumes in {wait:.0f} s.")
                self._pause(wait, stop, deadline)
            except (errors.VendorUnavailable, httpx.TransportError) as problem:
                failures += 1
                if failures >= 3:
                    raise errors.VendorUnavailable("Scalingo log stream keeps failing") from problem
                self._pause(min(5.0, 0.5 * failures), stop, deadline)

    @staticmethod
    def _pause(seconds: float, stop: threading.Event | None, deadline: float | None) -> None:
        if deadline is not None:
            seconds = max(0.0, min(seconds, deadline - time.monotonic()))
        if stop is not None:
            stop.wait(seconds)
        else:
            time.sleep(seconds)

    def _catch_up(self, url: str, filter: str | None, last: LogLine | None, depth: int = 100) -> list[LogLine]:
        """Lines written while we were getting a new URL: those after the last one we yielded."""
        recent = self._dump(url, depth, filter)
        if last is None:
            return []
        for index in range(len(recent) - 1, -1, -1):
            if recent[index].raw == last.raw:
                return recent[index + 1:]
        return [line for line in recent if line.time and last.time and line.time > last.time]

    def _stream_once(self, url: str, filter: str | None) -> Iterator[LogLine]:
        params = {"stream": "true", "n": 0, **({"filter": filter} if filter else {})}
        request = self.http.build_request("GET", _with_query(url, params), headers={"Accept": "text/event-stream"},
                                          extensions={"scalingo_auth": "none"})
        self.prepare(request)
        response = self.http.send(request, stream=True)
        try:
            if not response.is_success:
                answers.read_bounded(response, vendor=self.vendor)
                raise self.error_from_response(response)
            for raw in answers.bounded_lines(response):
                if not raw.startswith("data:"):
                    continue
                try:
                    frame = json.loads(raw[5:].strip())
                except (ValueError, RecursionError):
                    continue
                if isinstance(frame, dict) and (frame.get("event") or frame.get("name")) == "log":
                    for line in str(frame.get("log") or "").splitlines():
                        if line.strip():
                            yield LogLine.parse(line)
        finally:
            response.close()

