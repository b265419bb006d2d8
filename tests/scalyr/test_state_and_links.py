"""URL state of the explorer and chart pages, and the deep-link filter templates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from django.http import QueryDict

from vendors.scalyr import links
from vendors.scalyr.state import ChartState, ExplorerState, format_instant, parse_instant

UTC = timezone.utc


def state(query: str) -> ExplorerState:
    return ExplorerState.from_params(QueryDict(query))


def test_defaults_stay_out_of_the_url():
    assert state("").params() == {}
    assert state("range=1h&order=newest&facets=serverHost,logfile,severity&columns=").params() == {}
    full = state("filter=a&range=24h&order=oldest&columns=status,latency&facets=uriPath&tail=1")
    assert ExplorerState.from_params(QueryDict(full.query())) == full


def test_absolute_times_round_trip_to_the_millisecond():
    frozen = state("start=2026-05-01T10:00:00.250Z&end=2026-05-01T11:00:00Z")
    assert frozen.start == datetime(2026, 5, 1, 10, 0, 0, 250000, tzinfo=UTC)
    assert frozen.params() == {"start": "2026-05-01T10:00:00.250Z", "end": "2026-05-01T11:00:00Z"}
    assert frozen.window() == (frozen.start, frozen.end)
    assert parse_instant("1777629600000") == datetime(2026, 5, 1, 10, 0, tzinfo=UTC)  # epoch ms
    assert parse_instant("2026-05-01T10:00") == datetime(2026, 5, 1, 10, 0, tzinfo=UTC)  # datetime-local, UTC here
    assert format_instant(datetime(2026, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))) == "2026-05-01T10:00:00Z"


def test_freezing_a_relative_range_keeps_everything_else():
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    frozen = state("filter=error&range=15m&columns=status").frozen(now)
    assert frozen.params() == {"filter": "error", "start": "2026-05-01T11:45:00Z", "end": "2026-05-01T12:00:00Z",
                               "columns": "status"}


@pytest.mark.parametrize("query,field", [
    ("range=forever", "range"), ("range=99d", "range"), ("start=yesterday", "start"),
    ("start=2026-05-01T10:00Z&end=2026-05-01T09:00Z", "end"), ("columns=status,bad%20name", "columns"),
    ("order=random", "order"),
])
def test_bad_values_fall_back_and_are_reported(query, field):
    parsed = state(query)
    assert field in parsed.errors
    assert parsed.window()  # still a usable state


def test_live_tail_reads_the_end_of_the_range_whatever_the_order():
    assert state("").page_mode == "tail" and state("order=oldest").page_mode == "head"
    assert state("order=oldest&tail=1").page_mode == "tail"


def test_chart_state():
    chart = ChartState.from_params(QueryDict("function=p95(latency)&buckets=30&range=6h"))
    assert chart.params() == {"function": "p95(latency)", "buckets": "30", "range": "6h"}
    assert "buckets" in ChartState.from_params(QueryDict("buckets=0")).errors


class Farm:
    name = "prod' OR true OR '"
    id = 42
    connection = object()


def test_a_value_can_never_change_the_meaning_of_the_filter():
    text = links.build_filter("$serverHost contains '{farm.name}' farm_id == {farm.id}", "scalr.farm", Farm())
    assert text == "$serverHost contains \"prod' OR true OR '\" farm_id == 42"


def test_only_plain_values_of_the_kinds_object_are_reachable():
    assert links.build_filter("x == '{farm.connection}'", "scalr.farm", Farm()) is None
    with pytest.raises(links.TemplateError):
        links.validate("x == '{farm.__class__}'", "scalr.farm")
    with pytest.raises(links.TemplateError):
        links.validate("x == '{app.name}'", "scalr.farm")
