"""Scalyr on the overview: the figures, charts past their threshold, the global search, "Search logs for".

Every hook sees only the given teams' rows and asks the database a constant number of times.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from console.audit.models import AuditEvent
from console.teams.models import Role, Team
from vendors.core import registry
from vendors.scalyr import sync, thresholds
from vendors.scalyr.models import SavedQuery, ScalyrConnection
from vendors.scalyr.state import from_ms, to_ms

from .app_helpers import seed
from .conftest import _scalyr_connection
from .helpers import READ_CONFIG, READ_LOGS

SPEC = registry.get("scalyr")
HOUR_MS = 3_600_000


def chart(connection, name, values=(1.0, 2.0, 3.0), *, direction="", threshold=None, pinned=False, headline=False,
          refresh_error="", **state):
    """A chart as a poll leaves it: the series over the last hour, its latest value and crossing computed."""
    end = to_ms(timezone.now())
    saved = SavedQuery(connection=connection, name=name, kind=SavedQuery.Kind.CHART,
                       state=state or {"filter": "status >= 500"}, values=list(values), window_start_ms=end - HOUR_MS,
                       window_end_ms=end, refreshed_at=timezone.now(), threshold_direction=direction,
                       threshold=threshold, pinned=pinned, headline=headline, refresh_error=refresh_error)
    thresholds.alert_refresh(saved)
    saved.save()
    return saved


def teams_of(*teams):
    return Team.objects.filter(pk__in=[t.pk for t in teams])


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


# -- summary ------------------------------------------------------------------------------------
def test_summary_shows_each_connections_figure_the_saved_queries_and_the_charts_past_threshold(
        team, other_team, scalyr_connection, other_scalyr_connection, live_sim):
    chart(scalyr_connection, "5xx responses", (3, 25), direction="above", threshold=20, headline=True)
    chart(scalyr_connection, "a pinned one", (1, 2), pinned=True)
    SavedQuery.objects.create(connection=scalyr_connection, name="a view", kind="explorer", state={})
    chart(other_scalyr_connection, "their errors", (1, 99), direction="above", threshold=10, pinned=True)

    items = {item.label: item for item in SPEC.summary(teams_of(team))}
    assert list(items) == ["5xx responses · past its threshold (above 20)", "Saved log queries",
                           "Charts past their threshold"]
    figure = items["5xx responses · past its threshold (above 20)"]
    assert (figure.value, figure.state) == ("25", "warning")
    assert figure.url == reverse("scalyr:saved-detail", args=[SavedQuery.objects.get(name="5xx responses").pk])
    assert items["Saved log queries"].value == 3 and items["Charts past their threshold"].value == 1

    both = {item.label: item for item in SPEC.summary(teams_of(team, other_team))}
    assert "their errors · logs-data · past its threshold (above 10)" in both  # a connection's name once several
    assert both["their errors · logs-data · past its threshold (above 10)"].state == "danger"  # 99 ≥ 2 × 10
    assert both["Charts past their threshold"].value == 2


def test_without_a_marked_figure_the_first_pinned_chart_is_it(team, scalyr_connection):
    chart(scalyr_connection, "zz pinned", (5,), pinned=True)
    chart(scalyr_connection, "b pinned", (7,), pinned=True)
    chart(scalyr_connection, "a unpinned", (9,))
    first, *_ = SPEC.summary(teams_of(team))
    assert (first.label, first.value, first.state) == ("b pinned", "7", "ok")


def test_a_connection_without_charts_or_disabled_has_no_figure(team, scalyr_connection):
    assert [i.label for i in SPEC.summary(teams_of(team))] == ["Saved log queries", "Charts past their threshold"]
    chart(scalyr_connection, "5xx", (30,), direction="above", threshold=20, pinned=True)
    ScalyrConnection.objects.filter(pk=scalyr_connection.pk).update(enabled=False)
    items = SPEC.summary(teams_of(team))
    assert [i.label for i in items] == ["Saved log queries", "Charts past their threshold"]
    assert items[1].value == 0  # a disabled connection's stale values alert nobody


# -- attention ----------------------------------------------------------------------------------
def test_attention_lists_the_teams_charts_past_their_threshold(team, other_team, scalyr_connection,
                                                               other_scalyr_connection):
    warning = chart(scalyr_connection, "5xx responses", (3, 25, 31), direction="above", threshold=20)
    critical = chart(scalyr_connection, "orders", (50, 0), direction="below", threshold=10, function="count")
    chart(scalyr_connection, "calm", (3, 4), direction="above", threshold=20)
    chart(scalyr_connection, "no threshold", (300,))
    chart(other_scalyr_connection, "their 5xx", (99,), direction="above", threshold=1)

    items = SPEC.attention(teams_of(team))
    assert [(i.severity, i.title) for i in items] == [
        (0, "Log chart orders is at 0, below 10"),
        (1, "Log chart 5xx responses is at 31, above 20"),
    ]
    assert items[1].url == reverse("scalyr:saved-detail", args=[warning.pk])
    assert items[1].since == warning.crossed_at == from_ms(warning.window_start_ms + HOUR_MS // 3)
    assert items[1].vendor == "scalyr" and "logs-prod" in items[1].detail and "status >= 500" in items[1].detail
    assert items[0].url == reverse("scalyr:saved-detail", args=[critical.pk])
    assert "their 5xx" not in str(items)
    assert [i.title for i in SPEC.attention(teams_of(other_team))] == ["Log chart their 5xx is at 99, above 1"]


def test_a_chart_whose_refresh_fails_is_a_notice_and_a_disabled_connection_alerts_nobody(team, scalyr_connection):
    chart(scalyr_connection, "broken", (1,), direction="above", threshold=20, refresh_error="bad function")
    items = SPEC.attention(teams_of(team))
    assert [(i.severity, i.title) for i in items] == [(2, "Log chart broken could not be refreshed")]
    assert "bad function" in items[0].detail
    chart(scalyr_connection, "5xx", (30,), direction="above", threshold=20)
    ScalyrConnection.objects.filter(pk=scalyr_connection.pk).update(enabled=False)
    assert SPEC.attention(teams_of(team)) == []


def test_attention_returns_at_most_the_limit_most_severe_and_recent_first(team, scalyr_connection):
    for i in range(registry.ATTENTION_LIMIT + 3):
        chart(scalyr_connection, f"chart {i:02}", [1] * i + [30], direction="above", threshold=20)
    chart(scalyr_connection, "far", [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 100], direction="above", threshold=20)
    items = SPEC.attention(teams_of(team))
    assert len(items) == registry.ATTENTION_LIMIT
    assert items[0].title.startswith("Log chart far") and items[0].severity == 0
    assert [i.since for i in items[1:]] == sorted((i.since for i in items[1:]), reverse=True)


def test_the_overview_page_shows_the_figure_and_the_chart_needing_attention(web, members, team, scalyr_connection,
                                                                            other_scalyr_connection):
    chart(scalyr_connection, "5xx responses", (3, 25), direction="above", threshold=20, headline=True, pinned=True)
    chart(other_scalyr_connection, "their 5xx", (99,), direction="above", threshold=1, pinned=True)
    # the charts' series come from polls: the connection has been polled (before, figures wait for it)
    ScalyrConnection.objects.filter(pk=scalyr_connection.pk).update(last_attempt_at=timezone.now(),
                                                                    last_success_at=timezone.now())
    web.force_login(members[Role.VIEWER])
    page = web.get(reverse("overview:home")).content.decode()
    assert "Log chart 5xx responses is at 25, above 20" in page
    assert "5xx responses · past its threshold (above 20)" in page
    assert "their 5xx" not in page


# -- search -------------------------------------------------------------------------------------
def test_search_finds_the_teams_saved_queries_and_charts_by_name(team, other_team, scalyr_connection,
                                                                 other_scalyr_connection):
    errors = chart(scalyr_connection, "5xx responses", (3, 25), direction="above", threshold=20)
    view = SavedQuery.objects.create(connection=scalyr_connection, name="Billing errors", kind="explorer",
                                     state={"filter": "app == 'billing'"})
    SavedQuery.objects.create(connection=other_scalyr_connection, name="their errors", kind="explorer", state={})
    results = SPEC.search(teams_of(team), "ERRORS", 6)
    assert [(r.kind, r.title, r.url) for r in results] == [
        ("Scalyr saved queries", "Billing errors", reverse("scalyr:saved-detail", args=[view.pk])),
    ]
    assert results[0].subtitle == "Log view · app == 'billing' · logs-prod"
    [found] = SPEC.search(teams_of(team), "5xx", 6)
    assert found.url == reverse("scalyr:saved-detail", args=[errors.pk])
    assert found.subtitle == "Chart · count = 25 (above 20) · status >= 500 · logs-prod"
    assert len(SPEC.search(teams_of(team, other_team), "errors", 1)) == 1  # the limit


def test_search_logs_for_a_filter_opens_the_explorer_of_the_teams_first_connection_with_a_read_logs_token(
        team, other_team, live_sim):
    _scalyr_connection("a-config-only", team, live_sim, read_config_token=READ_CONFIG)
    logs = _scalyr_connection("b-logs", team, live_sim, read_logs_token=READ_LOGS)
    _scalyr_connection("a-theirs", other_team, live_sim, read_logs_token=READ_LOGS)
    url = registry.log_link("search", "status == 500", teams_of(team))
    assert url == reverse("scalyr:explorer", args=[logs.pk]) + "?filter=status+%3D%3D+500"
    assert SPEC.log_link("search", "status == 500", team) == url  # one team works too
    assert SPEC.log_link("search", "status == 'oops", teams_of(team)) is None  # cannot be a filter
    assert SPEC.log_link("search", "(a == 1", teams_of(team)) is None
    assert SPEC.log_link("search", "   ", teams_of(team)) is None
    ScalyrConnection.objects.filter(pk=logs.pk).update(enabled=False)
    assert SPEC.log_link("search", "status == 500", teams_of(team)) is None
    assert SPEC.log_link("search", "status == 500", Team.objects.none()) is None


def test_the_global_search_page_offers_search_logs_and_finds_saved_queries(web, members, scalyr_connection):
    chart(scalyr_connection, "5xx responses", (3, 25))
    web.force_login(members[Role.OPERATOR])
    page = web.get(reverse("overview:search"), {"q": "status == 500"}).content.decode()
    assert "Search logs for" in page
    assert reverse("scalyr:explorer", args=[scalyr_connection.pk]) + "?filter=status+%3D%3D+500" in page
    page = web.get(reverse("overview:search"), {"q": "5xx resp"}).content.decode()
    assert "Scalyr saved queries" in page and "5xx responses" in page and "Search logs for" not in page
    web.force_login(members[Role.VIEWER])  # viewers may not query this team's logs
    from vendors.scalyr import selectors as ss
    page = web.get(reverse("overview:search"), {"q": "status == 500"}).content.decode()
    assert "Search logs for" not in page and "?filter=status" not in page


# -- constant queries ---------------------------------------------------------------------------
def hook_queries(teams) -> dict[str, int]:
    counts = {}
    for name, call in (("summary", lambda: SPEC.summary(teams)), ("attention", lambda: SPEC.attention(teams)),
                       ("search", lambda: SPEC.search(teams, "chart", 6)),
                       ("log_link", lambda: SPEC.log_link("search", "status == 500", teams))):
        with CaptureQueriesContext(db) as captured:
            call()
        counts[name] = len(captured)
    return counts


def test_the_hooks_ask_the_database_a_constant_number_of_times(team, live_sim):
    def grow(prefix, connections):
        for c in range(connections):
            conn = _scalyr_connection(f"{prefix}-{c}", team, live_sim, read_logs_token=READ_LOGS)
            for i in range(4):
                chart(conn, f"chart {i}", (1, 30 + i), direction="above", threshold=20, pinned=True,
                      headline=i == 0)
            SavedQuery.objects.create(connection=conn, name="a view", kind="explorer", state={})

    teams = teams_of(team)
    grow("a", 1)
    small = hook_queries(teams)
    grow("b", 6)
    assert hook_queries(teams) == small == {"summary": 2, "attention": 1, "search": 1, "log_link": 1}


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


# -- the demo -----------------------------------------------------------------------------------
def test_the_demo_error_rate_chart_has_a_threshold_and_is_the_overview_figure(scalyr_connection):
    ScalyrConnection.objects.filter(pk=scalyr_connection.pk).update(settings={"demo": True})
    scalyr_connection.refresh_from_db()
    sync.demo_seed(connection=scalyr_connection)
    errors = SavedQuery.objects.get(name="5xx responses")
    assert (errors.threshold_direction, errors.threshold, errors.headline) == ("above", 20.0, True)
    assert SavedQuery.objects.filter(headline=True).count() == 1


def test_a_demo_seeded_before_thresholds_gets_its_threshold_once(scalyr_connection):
    ScalyrConnection.objects.filter(pk=scalyr_connection.pk).update(settings={"demo": True, "demo_seeded": True})
    SavedQuery.objects.create(connection=scalyr_connection, name="5xx responses", kind="chart", state={})
    scalyr_connection.refresh_from_db()
    assert sync.demo_seed(connection=scalyr_connection) == 0  # nothing new created...
    assert SavedQuery.objects.get().threshold == 20.0  # ...but the alert is there
    SavedQuery.objects.update(threshold=None, threshold_direction="", headline=False)
    scalyr_connection.refresh_from_db()
    sync.demo_seed(connection=scalyr_connection)
    assert SavedQuery.objects.get().threshold is None  # a team's later choice stays


def test_the_demo_simulator_has_recurring_incidents():
    from vendors.scalyr.simulator.generator import Incidents
    from vendors.scalyr.simulator.timespec import NS

    incidents = Incidents(start_ns=0)
    assert incidents.active(0) and incidents.active(599 * NS) and not incidents.active(600 * NS)
    assert incidents.active(1200 * NS) and not incidents.active(-1 * NS)
    assert timedelta(seconds=incidents.period) == timedelta(minutes=20)


def test_the_demo_overview_shows_the_error_rate_chart_needing_attention(team):
    """The whole demo path: its simulator (an incident under way), its connection, one poll, the hooks."""
    from vendors.core.provisioning import provision
    from vendors.scalyr.simulator import ScalyrSimulator

    simulator = ScalyrSimulator.demo()
    simulator.serve()
    try:
        entries = [{**entry, "team": team.name} for entry in SPEC.demo.connections(simulator.url)]
        provision({"connections": entries}, environ={}, inline_secrets=True)
        connection = ScalyrConnection.objects.get(name="logs")
        SPEC.poll(connection)
    finally:
        simulator.stop()
    [item] = SPEC.attention(teams_of(team))
    assert item.title.startswith("Log chart 5xx responses is at ") and item.title.endswith(", above 20")
    assert item.severity in (0, 1) and item.since > timezone.now() - timedelta(minutes=15)
    figure = SPEC.summary(teams_of(team))[0]
    assert figure.label == "5xx responses · past its threshold (above 20)" and figure.state in ("warning", "danger")


def test_an_app_page_offers_its_logs_to_whom_may_query_them(web, members, team, scalyr_connection):
    from bench.seeding import seed_scalingo
    from vendors.scalingo.models import App

    seed_scalingo(teams=[team], connections=1, apps=1)
    url = reverse("scalingo:app-detail", args=[App.objects.get().pk])
    web.force_login(members[Role.OPERATOR])
    assert "Logs in Scalyr" in web.get(url).content.decode()
    web.force_login(members[Role.VIEWER])  # this team does not let viewers query its logs
    page = web.get(url)
    assert page.status_code == 200 and "Logs in Scalyr" not in page.content.decode()
