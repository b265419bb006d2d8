"""Chart thresholds: when a value is past (or far past) one, since when, and setting one as a team."""

from __future__ import annotations

import pytest
from django.urls import reverse

from console.audit.models import AuditEvent
from console.teams.models import Role
from vendors.core import registry
from vendors.scalyr import thresholds
from vendors.scalyr.models import SavedQuery
from vendors.scalyr.state import from_ms

from .app_helpers import seed
from .chart_helpers import HOUR_MS, chart, teams_of

SPEC = registry.get("scalyr")


# -- the rules ----------------------------------------------------------------------------------
@pytest.mark.parametrize("value,direction,threshold,past,far", [
    (21, "above", 20, True, False),
    (20, "above", 20, False, False),  # strictly above
    (40, "above", 20, True, True),  # past by the threshold's own size
    (5, "below", 10, True, False),
    (0, "below", 10, True, True),
    (11, "below", 10, False, False),
    (0.5, "above", 0, True, False),  # a zero threshold is never "far"
    (-25, "below", -10, True, True),
    (None, "above", 20, False, False),
    (50, "", 20, False, False),
    (50, "above", None, False, False),
])
def test_past_and_far_past(value, direction, threshold, past, far):
    assert thresholds.past(value, direction, threshold) is past
    assert thresholds.far_past(value, direction, threshold) is far


def test_the_crossing_starts_with_the_trailing_run_of_buckets_past_the_threshold():
    start, end = 0, 6 * 60_000  # six one-minute buckets
    since = thresholds.crossed_since(values=[30, 5, 25, None, 30, 22, None], start_ms=start, end_ms=7 * 60_000,
                                     direction="above", threshold=20)
    assert since == from_ms(2 * 60_000)  # bucket 2 on; the empty buckets neither break nor end the run
    assert thresholds.crossed_since(values=[30, 30, 5], start_ms=start, end_ms=end, direction="above",
                                    threshold=20) is None
    assert thresholds.crossed_since(values=[30, 30], start_ms=start, end_ms=end, direction="above",
                                    threshold=20) == from_ms(0)  # as far back as the chart knows
    assert thresholds.latest([1.0, 2.0, None]) == 2.0 and thresholds.latest([]) is None


def test_a_poll_stores_the_latest_value_and_since_when_it_is_past_the_threshold(scalyr_connection, live_sim):
    seed(live_sim, count=14)  # two 502s in the last 30 minutes
    SavedQuery.objects.create(connection=scalyr_connection, name="502s", kind="chart",
                              state={"filter": "status == 502", "range": "1h", "buckets": "1"},
                              threshold_direction="above", threshold=1.5)
    SavedQuery.objects.create(connection=scalyr_connection, name="calm", kind="chart",
                              state={"filter": "status == 502", "range": "1h", "buckets": "1"},
                              threshold_direction="above", threshold=5)
    SPEC.poll(scalyr_connection)
    over, calm = SavedQuery.objects.get(name="502s"), SavedQuery.objects.get(name="calm")
    assert over.latest_value == 2 and over.is_over and not over.is_far_over
    assert over.crossed_at == from_ms(over.window_start_ms)
    assert calm.latest_value == 2 and calm.crossed_at is None and not calm.is_over


# -- thresholds set by the team -----------------------------------------------------------------
@pytest.fixture
def operator(web, members):
    web.force_login(members[Role.OPERATOR])
    return web


def test_saving_a_chart_with_a_threshold(operator, scalyr_connection):
    operator.post(reverse("scalyr:saved-create", args=[scalyr_connection.pk]),
                  {"name": "5xx", "kind": "chart", "state": "filter=status+>%3D+500", "pinned": "1",
                   "threshold_direction": "above", "threshold": "20"})
    saved = SavedQuery.objects.get()
    assert (saved.threshold_direction, saved.threshold, saved.threshold_label) == ("above", 20.0, "above 20")
    assert AuditEvent.objects.get(verb="scalyr.saved.create").detail["threshold"] == 20.0

    response = operator.post(reverse("scalyr:saved-create", args=[scalyr_connection.pk]),
                             {"name": "half", "kind": "chart", "state": "", "threshold_direction": "below"})
    assert not SavedQuery.objects.filter(name="half").exists()
    assert "Give the value the latest bucket is compared with." in operator.get(response["Location"]).content.decode()


def test_editing_sets_the_threshold_and_the_overview_sees_it_at_once(operator, team, scalyr_connection):
    saved = chart(scalyr_connection, "5xx", (3, 25), pinned=True)
    other = chart(scalyr_connection, "other", (1,), headline=True)
    assert SPEC.attention(teams_of(team)) == []
    url = reverse("scalyr:saved-edit", args=[saved.pk])
    assert "Needs attention when the latest value is" in operator.get(url).content.decode()
    response = operator.post(url, {"name": "5xx responses", "pinned": "on", "headline": "on",
                                   "threshold_direction": "above", "threshold": "20"})
    assert response["Location"] == reverse("scalyr:saved-detail", args=[saved.pk])
    saved.refresh_from_db()
    other.refresh_from_db()
    assert saved.name == "5xx responses" and saved.headline and not other.headline  # the figure moved
    assert saved.crossed_at == from_ms(saved.window_start_ms + HOUR_MS // 2)
    assert [i.title for i in SPEC.attention(teams_of(team))] == ["Log chart 5xx responses is at 25, above 20"]
    event = AuditEvent.objects.get(verb="scalyr.saved.update")
    assert event.detail["changed"] == {"name": "5xx responses", "headline": True, "threshold_direction": "above",
                                       "threshold": 20.0}
    assert event.detail["before"]["name"] == "5xx"

    page = operator.get(reverse("scalyr:saved-detail", args=[saved.pk])).content.decode()
    assert "Past its threshold (above 20)" in page and "Open the live chart" in page

    operator.post(url, {"name": "5xx responses", "threshold_direction": "", "threshold": "20"})
    saved.refresh_from_db()
    assert (saved.threshold_direction, saved.threshold, saved.crossed_at, saved.pinned) == ("", None, None, False)
    assert SPEC.attention(teams_of(team)) == []


def test_the_logs_page_shows_thresholds_and_who_may_edit(web, members, scalyr_connection):
    saved = chart(scalyr_connection, "5xx", (3, 45), direction="above", threshold=20, headline=True)
    chart(scalyr_connection, "calm", (3,), direction="below", threshold=1)
    web.force_login(members[Role.OPERATOR])
    page = web.get(reverse("scalyr:home")).content.decode()
    assert "✖ far above 20" in page and "alert below 1" in page and "overview figure" in page
    assert reverse("scalyr:saved-edit", args=[saved.pk]) in page
    assert f'href="{reverse("scalyr:saved-open", args=[saved.pk])}"' in page
    web.force_login(members[Role.VIEWER])
    page = web.get(reverse("scalyr:home")).content.decode()
    assert reverse("scalyr:saved-detail", args=[saved.pk]) in page
    assert reverse("scalyr:saved-edit", args=[saved.pk]) not in page
    assert f'href="{reverse("scalyr:saved-open", args=[saved.pk])}"' not in page


def test_the_edit_form_refuses_half_a_threshold_and_a_taken_name(operator, scalyr_connection):
    saved = chart(scalyr_connection, "5xx", (3,))
    chart(scalyr_connection, "taken", (3,))
    url = reverse("scalyr:saved-edit", args=[saved.pk])
    page = operator.post(url, {"name": "5xx", "threshold_direction": "above", "threshold": ""}).content.decode()
    assert "Give the value the latest bucket is compared with." in page
    page = operator.post(url, {"name": "taken"}).content.decode()
    assert "already has a saved query named" in page and "<h1>Edit 5xx" in page
    page = operator.post(url, {"name": "5xx", "threshold_direction": "above", "threshold": "inf"}).content.decode()
    assert "Enter a number." in page
    saved.refresh_from_db()
    assert saved.name == "5xx" and not saved.has_threshold


def test_a_log_view_has_only_a_name_to_edit(operator, scalyr_connection):
    view = SavedQuery.objects.create(connection=scalyr_connection, name="errors", kind="explorer",
                                     state={"filter": "error"})
    page = operator.get(reverse("scalyr:saved-edit", args=[view.pk])).content.decode()
    assert "threshold" not in page.lower()
    operator.post(reverse("scalyr:saved-edit", args=[view.pk]), {"name": "all errors", "threshold": "3",
                                                                  "threshold_direction": "above"})
    view.refresh_from_db()
    assert view.name == "all errors" and view.threshold is None
    page = operator.get(reverse("scalyr:saved-detail", args=[view.pk])).content.decode()
    assert "Open in the explorer" in page and "<code>error</code>" in page


def test_the_detail_page_refreshes_its_chart_alone(operator, scalyr_connection):
    saved = chart(scalyr_connection, "5xx", (3, 45), direction="above", threshold=20)
    part = operator.get(reverse("scalyr:saved-detail", args=[saved.pk]), {"partial": "live"},
                        HTTP_HX_REQUEST="true").content.decode()
    assert part.lstrip().startswith('<article id="saved-live"') and "Far past its threshold (above 20)" in part
    assert '"threshold": 20.0' in part  # drawn as a dashed line
