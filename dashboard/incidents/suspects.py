"""Suspects: the changes of an incident's window ranked by how close they came before a rise in errors
or a crash of the same objects. Plain rules, each said in one sentence on the page:

- A **rise** in a measure (Scalyr's error rate of an app, a saved chart's own filter) after a change is the
  first bucket, from the change's own bucket up to LOOKAHEAD after it, at least RISE_FACTOR times the mean
  of the BASELINE before the change and at least RISE_MIN more; it is dated by the middle of its bucket
  (the measure says no better), never before the change. Without a bucket before the change there is
  no "before" to compare with, and no rise.
- A **crash** of the same object (a Scalingo crash, a failed Scalr launch) up to LOOKAHEAD after a change.
- A change's evidence is the soonest of those; suspects are ranked by it, soonest first. A change with none
  is no suspect (the timeline still lists it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from vendors.core.registry import Change, Signal

RISE_FACTOR = 3
RISE_MIN = 1 / 60  # one more error a minute
BASELINE = timedelta(minutes=10)
LOOKAHEAD = timedelta(minutes=30)
#: how long after its start a rise is followed to say where it went
PEAK_SPAN = timedelta(minutes=10)
LIMIT = 10
VERBS = {"deploy": "Deployed", "scale": "Scaled", "restart": "Restarted", "farm": "Farm launched or terminated",
         "server": "Server launched or terminated", "config": "Changed"}


@dataclass(frozen=True)
class Rise:
    when: datetime
    before: float
    peak: float


@dataclass(frozen=True)
class Suspect:
    change: Change
    gap: timedelta
    evidence: str  # "Deployed 4 min before the error rate of shop-api went from 0.2/s to 31/s."
    url: str = ""  # where the evidence can be seen


def rise_after(signal: Signal, when: datetime) -> Rise | None:
    """The first rise of `signal` from the bucket holding `when` to LOOKAHEAD after it (see the module's rule)."""
    if not signal.values or signal.step_seconds <= 0:
        return None
    step = timedelta(seconds=signal.step_seconds)
    starts = [signal.start + i * step for i in range(len(signal.values))]
    before = [v for s, v in zip(starts, signal.values) if s + step <= when and s >= when - BASELINE - step]
    if not before:
        return None
    base = sum(before) / len(before)
    threshold = max(base * RISE_FACTOR, base + RISE_MIN)
    for i, (start, value) in enumerate(zip(starts, signal.values)):
        if start + step <= when or start > when + LOOKAHEAD:
            continue
        if value >= threshold:
            following = [v for s, v in zip(starts[i:], signal.values[i:]) if s < start + PEAK_SPAN]
            return Rise(when=max(start + step / 2, when), before=base, peak=max(following))
    return None


def rate(value: float) -> str:
    """31, 2.5, 0.2, 0.0083: two significant digits below 10, whole numbers above."""
    if value == 0:
        return "0"
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}" if value >= 1 else f"{value:.2g}"


def gap_text(gap: timedelta) -> str:
    seconds = gap.total_seconds()
    if seconds < 60:
        return "less than a minute"
    if seconds < 2 * 3600:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def suspects(changes: list[Change], signals: list[Signal], *, limit: int = LIMIT) -> list[Suspect]:
    """Changes with evidence, soonest evidence first (then the latest change)."""
    crashes = [c for c in changes if c.is_event]
    found = []
    for change in changes:
        if change.is_event:
            continue
        verb = VERBS.get(change.kind, "Changed")
        best: Suspect | None = None
        for signal in signals:
            if change.object_key not in signal.objects:
                continue
            rise = rise_after(signal, change.when)
            if rise is None:
                continue
            gap = rise.when - change.when
            if best is None or gap < best.gap:
                best = Suspect(change=change, gap=gap, url=signal.url, evidence=(
                    f"{verb} {gap_text(gap)} before the {signal.label} went from {rate(rise.before)}{signal.unit} "
                    f"to {rate(rise.peak)}{signal.unit}."))
        for crash in crashes:
            gap = crash.when - change.when
            if crash.object_key == change.object_key and timedelta(0) < gap <= LOOKAHEAD \
                    and (best is None or gap < best.gap):
                best = Suspect(change=change, gap=gap, url=crash.url,
                               evidence=f"{verb} {gap_text(gap)} before {crash.text[0].lower()}{crash.text[1:]}")
        if best is not None:
            found.append(best)
    found.sort(key=lambda s: (s.gap, -s.change.when.timestamp()))
    return found[:limit]
