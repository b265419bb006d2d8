"""Scalyr on the overview: the figures, charts past their threshold, the global search, "Search logs for".

Every hook sees only the given teams' rows and asks the database a constant number of times.
"""

from __future__ import annotations

from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from console.teams.models import Role, Team
from vendors.core import registry
from vendors.core.alerts.evaluation import alerts_evaluate
from vendors.scalyr.models import SavedQuery, ScalyrConnection
from vendors.scalyr.state import from_ms

from .chart_helpers import HOUR_MS, chart, teams_of
from .conftest import _scalyr_connection
from .helpers import READ_CONFIG, READ_LOGS

SPEC = registry.get("scalyr")


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
    assert "bad function" in items[0].detail and scalyr_connection.name in items[0].detail
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
    # the charts' series come from polls: the connection has been polled (before, figures wait for it), and the
    # poll's end made the chart past its threshold an alert (the overview lists alerts, vendors/core/alerts/)
    ScalyrConnection.objects.filter(pk=scalyr_connection.pk).update(last_attempt_at=timezone.now(),
                                                                    last_success_at=timezone.now())
    for connection in (scalyr_connection, other_scalyr_connection):
        alerts_evaluate(connection=ScalyrConnection.objects.get(pk=connection.pk))
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
