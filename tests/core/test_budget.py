"""Request budgets count the last `window` seconds, as a vendor with a sliding limit does."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache

from vendors.core import budget as budget_module
from vendors.core.budget import RequestBudget


@pytest.fixture
def clock(monkeypatch):
    cache.clear()
    state = SimpleNamespace(now=1_800_000_000.0)
    monkeypatch.setattr(budget_module, "time", SimpleNamespace(time=lambda: state.now))
    yield state
    cache.clear()


def test_requests_leave_the_budget_a_window_after_they_were_spent(clock):
    minute = RequestBudget("test", limit=60, window_seconds=60)
    clock.now += 50  # the end of one calendar minute...
    minute.spend(40)
    clock.now += 15  # ...and the start of the next: a fixed window would forget the 40
    assert minute.used() == 40 and minute.remaining() == 20
    minute.spend(15)
    assert minute.remaining() == 5
    assert minute.seconds_to_reset() == pytest.approx(46.0)  # when the 40 leave the last 60 seconds
    clock.now += 46
    assert minute.used() == 15 and minute.remaining() == 45
    clock.now += 60
    assert minute.used() == 0 and minute.remaining() == 60


def test_an_hourly_budget_and_an_unlimited_one(clock):
    hour = RequestBudget("env", limit=10_000, window_seconds=3600)
    hour.spend(9_000)
    clock.now += 1800
    hour.spend(500)
    assert hour.remaining() == 500
    clock.now += 1860
    assert hour.remaining() == 9_500
    unlimited = RequestBudget("free", limit=None, window_seconds=60)
    unlimited.spend(1_000)
    assert unlimited.remaining() is None
