"""Stored log events: a bounded, time-ordered buffer plus the sessions that uploaded them.

Events are kept sorted by (timestamp, session, seq), the order §8 of scalyr.md pages in;
the oldest are dropped beyond `max_events` so a long-running demo keeps bounded memory.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from vendors.scalyr.simulator.filterlang import MISSING

@dataclass(slots=True)
class Event:
    ts: int  # ns since the epoch
    session: str
    seq: int
    severity: int = 3
    thread: str = "1"
    attrs: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.ts, self.session, self.seq)


class EventStore:
    def __init__(self, max_events: int = 200_000):
        self.max_events = max_events
        self.events: list[Event] = []
        self.sessions: dict[str, dict] = {}
        #: addEvents' sequence ids (`si`) -> the highest sequence number (`sn`) accepted
        self.sequences: dict[str, int] = {}
        self._seq = itertools.count(1)

    def __len__(self) -> int:
        return len(self.events)

    def add_session(self, session: str, info: dict) -> None:
        fields = self.sessions.setdefault(session, {"session": session})
        fields.update(info)

    def add(self, ts: int, session: str, *, severity: int = 3, thread: str = "1", attrs: dict | None = None) -> Event:
        if session not in self.sessions:
            self.add_session(session, {})
        event = Event(ts=int(ts), session=session, seq=next(self._seq), severity=int(severity),
                      thread=thread if isinstance(thread, str) else str(thread), attrs=dict(attrs or {}))
        if not self.events or self.events[-1].key <= event.key:
            self.events.append(event)
        else:
            bisect.insort(self.events, event, key=lambda e: e.key)
        overflow = len(self.events) - self.max_events
        if overflow > 0:
            del self.events[:overflow]
        return event

    def index(self, key: tuple) -> int:
        """Position of the first event whose key is >= `key` (a (ts,) prefix works too)."""
        return bisect.bisect_left(self.events, key, key=lambda e: e.key)

    def scan(self, start: int, end: int, *, after: tuple | None = None, before: tuple | None = None,
             reverse: bool = False) -> Iterator[Event]:
        """Events with start <= ts < end (and key > after / key < before), oldest first or reversed."""
        low = self.index((start,))
        high = self.index((end,))
        if after is not None:
            low = max(low, bisect.bisect_right(self.events, after, key=lambda e: e.key))
        if before is not None:
            high = min(high, self.index(before))
        events = self.events
        if reverse:
            return (events[i] for i in range(high - 1, low - 1, -1))
        return (events[i] for i in range(low, high))

    def matching(self, start: int, end: int, predicate: Callable, **kw) -> Iterable[Event]:
        return (e for e in self.scan(start, end, **kw) if predicate(e))

    # -- field lookup for the filter language ------------------------------------------
    def getter(self, name: str) -> Callable:
        """`event -> value` for a field name: attributes, then session fields, then built-ins."""
        sessions = self.sessions
        builtin = _BUILTIN_GETTERS.get(name)

        def get(event: Event):
            value = event.attrs.get(name, MISSING)
            if value is MISSING:
                value = sessions.get(event.session, {}).get(name, MISSING)
                if value is MISSING and builtin is not None:
                    value = builtin(event)
            return value

        return get

    def row(self, event: Event) -> dict:
        """Every field of an event as one flat record (PowerQuery's starting table)."""
        return {**self.sessions.get(event.session, {}), **event.attrs, "timestamp": event.ts,
                "severity": event.severity, "thread": event.thread, "session": event.session}

    def match_json(self, event: Event) -> dict:
        attributes = {k: v for k, v in event.attrs.items() if k != "message"}
        match = {"timestamp": str(event.ts), "message": event.attrs.get("message", ""), "severity": event.severity,
                 "session": event.session, "thread": event.thread, "attributes": attributes}
        return match


_BUILTIN_GETTERS = {
    "message": lambda e: e.attrs.get("message", MISSING),
    "severity": lambda e: e.severity,
    "sev": lambda e: e.severity,
    "thread": lambda e: e.thread,
    "session": lambda e: e.session,
    "timestamp": lambda e: e.ts,
}
