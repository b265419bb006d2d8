"""The suspects' rules (dashboard/incidents/suspects.py), on made-up series: plain, and each said in one sentence."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from dashboard.incidents.suspects import gap_text, rate, rise_after, suspects
from vendors.core.registry import Change, Signal

T0 = datetime(2026, 12, 7, 14, 0, tzinfo=timezone.utc)
APP, OTHER = "scalingo.app:1", "scalingo.app:2"


def minute(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def errors(per_minute: list[float], objects=(APP,), label="error rate of shop-api") -> Signal:
    """A signal in one-minute buckets from T0, given in errors a minute (stored per second)."""
    return Signal(objects=frozenset(objects), label=label, unit="/s", start=T0, step_seconds=60,
                  values=tuple(v / 60 for v in per_minute), url="/scalyr/1/?filter=x")


def change(kind: str, at: float, key: str = APP, text: str = "ana deployed 0123abc to shop-api: success.") -> Change:
    return Change(when=minute(at), vendor="scalingo", kind=kind, text=text, object_key=key, object_label="shop-api")


QUIET_THEN_BURST = [12] * 20 + [1860] * 10  # 0.2/s for 20 minutes, then 31/s


def test_a_deploy_before_a_burst_is_the_first_suspect_with_its_evidence_in_one_sentence():
    deploy, scale = change("deploy", 16.5), change("scale", 5, text="ops scaled web.")
    [first, *rest] = suspects([scale, deploy], [errors(QUIET_THEN_BURST)])
    assert first.change == deploy and first.gap == timedelta(minutes=4)
    assert first.evidence == "Deployed 4 min before the error rate of shop-api went from 0.2/s to 31/s."
    assert first.url == "/scalyr/1/?filter=x"
    assert [s.change for s in rest] == [scale]  # 15 min before it: also a suspect, ranked after
    assert rest[0].evidence.startswith("Scaled 16 min before")  # a rise is dated by the middle of its minute


def test_no_rise_no_baseline_another_object_or_too_long_after_is_no_evidence():
    flat = errors([12] * 30)
    assert suspects([change("deploy", 16)], [flat]) == []  # errors never rose
    assert rise_after(errors(QUIET_THEN_BURST), minute(0)) is None  # nothing before the change to compare with
    assert suspects([change("deploy", 16, key=OTHER)], [errors(QUIET_THEN_BURST)]) == []  # not the same object
    late = errors([12] * 50 + [1860] * 5)
    assert suspects([change("deploy", 10)], [late]) == []  # 40 min later: more than 30


def test_a_small_rise_at_a_low_rate_is_noise():
    """Three times the rate before, but less than one more error a minute, is no rise."""
    assert rise_after(errors([0.1] * 20 + [0.3] * 10), minute(15)) is None
    assert rise_after(errors([0.1] * 20 + [2] * 10), minute(15)) is not None


def test_a_crash_of_the_same_object_after_a_change_is_evidence():
    restart = change("restart", 10, text="ops restarted web.")
    crash = change("crash", 13, text="web of shop-api crashed.")
    other_crash = change("crash", 11, key=OTHER, text="worker of billing crashed.")
    [suspect] = suspects([restart, crash, other_crash], [])
    assert suspect.evidence == "Restarted 3 min before web of shop-api crashed."
    assert suspects([crash], []) == []  # a crash is what happened, never a suspect


def test_the_soonest_evidence_ranks_first():
    deploy = change("deploy", 16)  # the burst starts in its minute's next bucket
    config = change("config", 19.5, text="ops changed a variable.")
    signal = errors([12] * 20 + [1860] * 10)
    assert [s.change.kind for s in suspects([deploy, config], [signal])] == ["config", "deploy"]
    assert gap_text(timedelta(seconds=30)) == "less than a minute" and gap_text(timedelta(hours=3)) == "3.0 h"
    assert (rate(0), rate(0.0083), rate(0.2), rate(31.4)) == ("0", "0.0083", "0.2", "31")
