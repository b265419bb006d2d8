"""Live tails relayed to the browser as server-sent events, bounded three ways.

* **They end when the browser goes away.** The vendor's stream is read in a thread of its own;
  the request's thread writes what it reads and, when nothing comes for `HEARTBEAT_SECONDS`, a
  comment line. A browser that has gone makes that write fail within two heartbeats (the WSGI
  server then closes the response), and closing sets the tail's `Interrupt`, which shuts the
  vendor connection down under the reading thread: the vendor sees it close at once.
* **At most `CONSOLE_TAILS_PER_USER` per user,** counted across every web process in the
  shared cache (one slot key per tail, claimed with an atomic `add`, kept alive while the tail
  runs and expiring by itself if its process dies).
* **At most `CONSOLE_TAILS_PER_PROCESS` per process,** counted here, kept below the web
  server's threads (deploy/gunicorn.conf.py) so that pages always find a free one.

A refusal is a `TailRefused` whose message says which limit was reached, for the page to show.
"""

from __future__ import annotations

import queue
import socket
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import closing, suppress
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.cache import cache
from django.db import connections

from console.params import digits

#: a browser that went away is noticed at the second write after it left
HEARTBEAT_SECONDS = 1.0
#: a per-user slot outlives a dead process by at most this long
SLOT_SECONDS = 60.0
#: what the reading thread may hold unsent when the browser reads slowly
BACKLOG = 256

_lock = threading.Lock()
_open = 0  # tails open in this process


class TailRefused(Exception):
    """A limit on live tails was reached; the message says which, in the user's words."""


class Interrupt(threading.Event):
    """The stop signal of a tail that also cuts the vendor connections of the clients it `watch`es,
    so a thread blocked reading one wakes at once and the vendor sees it close (closing a socket
    from another thread would do neither)."""

    def __init__(self):
        super().__init__()
        self._guard = threading.Lock()
        self._streams: weakref.WeakSet = weakref.WeakSet()

    def watch(self, http: httpx.Client) -> None:
        """Record every connection `http` opens from now on (httpcore's trace of each request)."""
        def trace(event: str, info: dict) -> None:
            if event == "connection.connect_tcp.complete" and info.get("return_value") is not None:
                with self._guard:
                    self._streams.add(info["return_value"])
                    if self.is_set():
                        _cut(info["return_value"])

        def traced(request: httpx.Request) -> None:
            request.extensions = {**request.extensions, "trace": trace}

        http.event_hooks = {**http.event_hooks, "request": [*http.event_hooks["request"], traced]}

    def set(self) -> None:
        with self._guard:
            super().set()
            for stream in list(self._streams):
                _cut(stream)


def _cut(stream) -> None:
    sock = stream.get_extra_info("socket")
    if sock is not None:
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


@dataclass
class TailSlot:
    """One open tail: its place in this process and its key among the user's slots."""

    key: str
    token: str
    touched: float
    released: bool = False

    def keep(self) -> None:
        if time.monotonic() - self.touched > SLOT_SECONDS / 3:
            self.touched = time.monotonic()
            cache.touch(self.key, SLOT_SECONDS)

    def release(self) -> None:
        global _open
        with _lock:
            if self.released:
                return
            self.released = True
            _open -= 1
            if cache.get(self.key) == self.token:
                cache.delete(self.key)


def _slot_key(user, index: int) -> str:
    return f"console:live-tail:{user.pk}:{index}"


def _claim_user_slot(user, token: str, seconds: float) -> int:
    """The index of a free place among `user`'s live tails, now holding `token`, or TailRefused."""
    per_user = settings.CONSOLE_TAILS_PER_USER
    for index in range(per_user):
        if cache.add(_slot_key(user, index), token, timeout=seconds):
            return index
    raise TailRefused(f"You already have {per_user} live tails open, as many as one person may. "
                      "Stop one (in another tab or window) and press Live tail again.")


def tail_slot(*, user) -> TailSlot:
    """A place for one more live tail of `user`, or TailRefused saying which limit is reached."""
    global _open
    per_process = settings.CONSOLE_TAILS_PER_PROCESS
    with _lock:
        if _open >= per_process:
            raise TailRefused(f"This server is already relaying {per_process} live tails, as many as it "
                              "allows. Try again in a few minutes; Reload shows the latest lines meanwhile.")
        token = uuid.uuid4().hex
        index = _claim_user_slot(user, token, SLOT_SECONDS)
        _open += 1
    return TailSlot(_slot_key(user, index), token, time.monotonic())


#: a tail read in steps (the Scalyr explorer's, one short request every 2 s) keeps its place this long
#: after its last step: a browser that left frees it by itself
STEP_SLOT_SECONDS = 15.0


def step_slot(*, user, held: str = "") -> str:
    """The place among `user`'s live tails of a tail read in steps: `held` (as this returned it last step)
    is kept while it is still the tail's, else a new place is taken, or TailRefused. Such a tail holds no
    thread between its steps, so only the per-user limit applies; it shares it with streamed tails."""
    key = _held_key(user, held)
    if key:
        cache.touch(key, STEP_SLOT_SECONDS)
        return held
    token = uuid.uuid4().hex
    return f"{_claim_user_slot(user, token, STEP_SLOT_SECONDS)}.{token}"


def step_slot_release(*, user, held: str) -> None:
    """A tail read in steps paused or stopped: its place is free at once."""
    key = _held_key(user, held)
    if key:
        cache.delete(key)


def _held_key(user, held: str) -> str | None:
    """The cache key of the place `held` ("index.token", as `step_slot` gave it) while it is still that tail's."""
    index, _, token = held.partition(".")
    number = digits(index)
    if number is None or not token:
        return None
    key = _slot_key(user, number)
    return key if cache.get(key) == token else None


class EventStream:
    """The text/event-stream body of a live tail (give it to a StreamingHttpResponse, which closes it).

    `produce(stop)` yields the events' text; it runs in a thread of its own, reads the vendor with
    clients it has `stop.watch`ed, and ends when `stop` is set (`tail_logs(stop=...)`). The slot is released when the
    stream ends or is closed, whichever comes first."""

    def __init__(self, produce: Callable[[Interrupt], Iterator[str]], *, slot: TailSlot,
                 heartbeat: float = HEARTBEAT_SECONDS):
        self._produce, self._slot, self._heartbeat = produce, slot, heartbeat
        self._stop = Interrupt()
        self._queue: queue.Queue = queue.Queue(maxsize=BACKLOG)

    def __iter__(self) -> Iterator[str]:
        threading.Thread(target=self._read, name="live-tail", daemon=True).start()
        try:
            yield ": live\n\n"  # the headers go out now, not with the first line
            while True:
                self._slot.keep()
                try:
                    kind, value = self._queue.get(timeout=self._heartbeat)
                except queue.Empty:
                    yield ": keep-alive\n\n"
                    continue
                if kind == "error":
                    raise value
                if kind == "end":
                    return
                yield value
        finally:
            self.close()

    def close(self) -> None:
        self._stop.set()
        self._slot.release()

    def _read(self) -> None:
        try:
            with closing(self._produce(self._stop)) as events:
                for event in events:
                    if not self._put("event", event):
                        return
            self._put("end", None)
        except Exception as exc:  # the request's thread raises it where the server logs it
            self._put("error", exc)
        finally:
            connections.close_all()  # this thread's own, if the tail opened one

    def _put(self, kind: str, value) -> bool:
        while not self._stop.is_set():
            with suppress(queue.Full):
                self._queue.put((kind, value), timeout=0.5)
                return True
        return False
