"""The Scalyr pages in Chromium: explorer, histogram, facets, shared links, live tail, config file conflicts."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from console.audit.models import AuditEvent
from console.teams.models import Role
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD
from tests.harness.waiting import wait_for
from tests.scalyr.app_helpers import WEB2, access, seed
from tests.scalyr.helpers import READ_CONFIG, READ_LOGS, WRITE_CONFIG, control, emit, make_client
from vendors.scalyr.models import SavedQuery, ScalyrConnection
from vendors.scalyr.simulator import ScalyrSimulator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser_sim():
    simulator = ScalyrSimulator(read_logs_tokens=READ_LOGS, read_config_tokens=READ_CONFIG,
                                write_config_tokens=WRITE_CONFIG, retry_after=0)
    simulator.serve()
    yield simulator
    simulator.stop()


@pytest.fixture
def sim(browser_sim):
    control(browser_sim, "reset", {"now": time.time_ns()})
    control(browser_sim, "set_clock", {"time": time.time_ns(), "frozen": False})
    seed(browser_sim, count=60)
    yield browser_sim
    browser_sim.faults.clear()


@pytest.fixture
def logs(team, sim):
    connection = ScalyrConnection(name="logs-prod", team=team, base_url=sim.url, settings={"region": ""})
    connection.secrets.set("read_logs_token", READ_LOGS)
    connection.secrets.set("read_config_token", READ_CONFIG)
    connection.secrets.set("write_config_token", WRITE_CONFIG)
    connection.save()
    return connection


def lines(page):
    return page.locator("#log-lines > li")


def open_explorer(page, logs, query: str = ""):
    page.goto(f"/scalyr/{logs.pk}/{query}")
    expect(lines(page).first).to_be_visible()


def test_filter_shows_matching_lines_and_the_histogram_narrows_the_range(new_page, members, logs):
    page = new_page()
    login(page, members[Role.OPERATOR].username, PASSWORD)
    open_explorer(page, logs)
    expect(page.locator("#histogram svg")).to_be_visible()
    assert lines(page).count() == 62

    page.get_by_label("Filter").fill("status == 502")
    page.get_by_label("Filter").press("Enter")
    expect(lines(page)).to_have_count(9)  # every 7th of 60 lines
    for text in lines(page).locator(".c-msg").all_inner_texts():
        assert "502" in text
    expect(page).to_have_url(re.compile(r"filter=status"))
    expect(page.locator(".results-meta")).to_contain_text("9 lines")
    bars = page.locator("#histogram a.bar-link:not([data-count='0'])")
    expect(bars.first).to_be_attached()
    screenshot(page, "scalyr-explorer-filtered")

    # Clicking a bar narrows the range to its slice; the lines follow.
    count = int(bars.first.get_attribute("data-count"))
    bars.first.dispatch_event("click")
    expect(page).to_have_url(re.compile(r"start=.*end="))
    expect(lines(page)).to_have_count(count)
    expect(page.get_by_label("Filter")).to_have_value("status == 502")
    expect(page.locator("select[name=range]")).to_have_value("")

    # Scalyr's refusal appears next to the filter box, in its words.
    page.get_by_label("Filter").fill("status == (")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#query-error")).to_contain_text("Error parsing filter")
    screenshot(page, "scalyr-explorer-error")


def test_a_slow_query_shows_progress_and_a_new_query_replaces_it(new_page, members, logs, sim):
    page = new_page()
    login(page, members[Role.OPERATOR].username, PASSWORD)
    open_explorer(page, logs)
    sim.faults.update(latency=1.0)
    page.get_by_label("Filter").fill("status == 200")
    page.get_by_label("Filter").press("Enter")
    expect(page.locator("#query-progress")).to_be_visible()
    expect(page.locator("#query-progress")).to_contain_text("Querying Scalyr…")
    page.get_by_label("Filter").fill("status == 502")
    page.get_by_label("Filter").press("Enter")  # the first query is abandoned
    expect(page.locator("#query-progress")).to_be_hidden(timeout=15_000)
    expect(lines(page)).to_have_count(9)
    expect(page).to_have_url(re.compile(r"filter=status\+%3D%3D\+502"))
    sim.faults.update()


def test_a_facet_value_narrows_and_excludes(new_page, members, logs):
    page = new_page()
    login(page, members[Role.OPERATOR].username, PASSWORD)
    open_explorer(page, logs)
    facets = page.locator("#facets")
    expect(facets.get_by_role("heading", name="serverHost")).to_be_visible()
    screenshot(page, "scalyr-explorer")

    facets.get_by_role("link", name=WEB2, exact=True).click()
    expect(page.get_by_label("Filter")).to_have_value(f'$serverHost == "{WEB2}"')
    expect(lines(page)).to_have_count(9)
    for host in lines(page).locator(".c-host").all_inner_texts():
        assert host == WEB2

    page.locator("#facets").get_by_role("link", name="Exclude error (5)").click()
    expect(page.get_by_label("Filter")).to_have_value(f'$serverHost == "{WEB2}" severity != 5')
    expect(page.locator("#log-lines")).to_be_attached()
    expect(lines(page)).to_have_count(0)
    expect(page.get_by_text("No matching events in this range.")).to_be_visible()


def test_a_shared_link_opens_the_same_view_for_a_teammate(new_page, members, logs, sim):
    page = new_page()
    login(page, members[Role.OPERATOR].username, PASSWORD)
    open_explorer(page, logs, "?filter=app%20%3D%3D%20%27shop-api%27&columns=status,uriPath&order=oldest")
    expect(page.locator(".log-head")).to_contain_text("status")
    first_line = lines(page).first.inner_text()
    link = page.locator("#frozen-link").get_attribute("href")
    assert "start=" in link and "end=" in link
    page.get_by_role("button", name="Copy link with absolute time").click()
    expect(page.get_by_role("button", name="Copied ✔")).to_be_visible()

    # Events arriving later do not change what the frozen link shows.
    emit(sim, access(WEB2, 0, 200))
    teammate = new_page()
    login(teammate, members[Role.ADMIN].username, PASSWORD)
    teammate.goto(link)
    expect(lines(teammate).first).to_be_visible()
    expect(teammate.get_by_label("Filter")).to_have_value("app == 'shop-api'")
    expect(teammate.locator("select[name=order]")).to_have_value("oldest")
    expect(teammate.locator("input[name=columns]")).to_have_value("status,uriPath")
    expect(lines(teammate)).to_have_count(lines(page).count())
    assert lines(teammate).first.inner_text() == first_line
    screenshot(teammate, "scalyr-shared-link")


def test_live_tail_appends_new_events_once(new_page, members, logs, sim):
    page = new_page()
    login(page, members[Role.OPERATOR].username, PASSWORD)
    open_explorer(page, logs, "?tail=1")
    expect(page.locator("#tail")).to_contain_text("Live")
    emit(sim, {"host": WEB2, "attrs": {"message": "tail marker one", "logfile": "/var/log/app.log"}, "severity": 5})
    marker = page.locator("#log-lines > li", has_text="tail marker one")
    expect(marker).to_have_count(1, timeout=15_000)
    expect(lines(page).first).to_contain_text("tail marker one")  # newest first: at the top

    # A later event arrives too, and the first one is still there exactly once.
    emit(sim, {"host": WEB2, "attrs": {"message": "tail marker two"}})
    expect(page.locator("#log-lines > li", has_text="tail marker two")).to_have_count(1, timeout=15_000)
    expect(marker).to_have_count(1)
    screenshot(page, "scalyr-live-tail")

    page.locator("#tail").get_by_role("button", name="Pause").click()
    expect(page.locator("#tail")).to_contain_text("Paused")
    emit(sim, {"host": WEB2, "attrs": {"message": "tail marker three"}})
    page.locator("#tail").get_by_role("button", name="Resume").click()
    expect(page.locator("#log-lines > li", has_text="tail marker three")).to_have_count(1, timeout=15_000)


def test_a_concurrent_config_edit_shows_the_conflict_and_keeps_the_text(new_page, members, logs, sim):
    with make_client(sim) as scalyr:
        scalyr.put_file("/alerts", '{ "alerts": [] }')
    page = new_page()
    login(page, members[Role.ADMIN].username, PASSWORD)
    page.goto(f"/scalyr/{logs.pk}/files/")
    page.get_by_role("link", name="/alerts").click()
    expect(page.locator("pre.config-file")).to_contain_text('"alerts": []')
    page.get_by_role("button", name="Edit").click()
    typed = '{ "alerts": [ { "trigger": "count:1 minute(status >= 500) > 5" } ] }'
    page.get_by_label("Content").fill(typed)

    with make_client(sim) as scalyr:  # a teammate saves first
        scalyr.put_file("/alerts", '{ "alerts": [ { "trigger": "theirs" } ] }', expected_version=1)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Someone else changed this file while you were editing it.")).to_be_visible()
    expect(page.get_by_label("Your version")).to_have_value(typed)
    expect(page.get_by_label("Their version")).to_contain_text('"trigger": "theirs"')
    screenshot(page, "scalyr-file-conflict")

    page.get_by_role("button", name="Save my version over theirs").click()
    expect(page.get_by_text("Saved /alerts in Scalyr.")).to_be_visible()
    expect(page.locator("pre.config-file")).to_contain_text("count:1 minute")
    with make_client(sim) as scalyr:
        assert scalyr.get_file("/alerts").content == typed
    outcomes = list(AuditEvent.objects.filter(verb="scalyr.file.update").values_list("outcome", flat=True))
    assert sorted(outcomes) == ["failure", "success"]


def test_saved_chart_is_refreshed_and_pinned_on_the_overview(new_page, members, logs, sim):
    page = new_page()
    login(page, members[Role.OPERATOR].username, PASSWORD)
    page.goto(f"/scalyr/{logs.pk}/chart/?filter=status%20%3D%3D%20502&range=1h&buckets=30")
    expect(page.locator("#chart canvas")).to_be_visible()
    expect(page.locator(".chart-summary .figure")).to_have_text("9")
    screenshot(page, "scalyr-chart")
    page.get_by_text("Save this chart for the team").click()
    page.get_by_label("Name").fill("502s")
    page.get_by_label("Needs attention when the latest value is").select_option("above")
    page.get_by_label("Threshold").fill("0")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved “502s”")).to_be_visible()
    expect(page.get_by_text("when its latest value is above 0")).to_be_visible()
    chart = SavedQuery.objects.get(name="502s")
    assert chart.pinned and chart.state == {"filter": "status == 502", "buckets": "30"}
    assert (chart.threshold_direction, chart.threshold) == ("above", 0.0)
    assert sum(v or 0 for v in chart.values) == 9  # refreshed at once by the Celery task (eager in tests)

    page.goto("/")
    tile = page.locator(".tile", has_text="502s")
    expect(tile.locator("canvas")).to_be_visible()
    expect(tile).to_contain_text("count")
    # The last two-minute bucket holds the newest 502; past a zero threshold is a warning, never critical.
    expect(page.locator(".attention-list li.attention-1")).to_contain_text("Log chart 502s is at 1, above 0")
    screenshot(page, "scalyr-overview-tiles")


@pytest.mark.parametrize("viewport,scheme", [({"width": 390, "height": 844}, "light"),
                                             ({"width": 390, "height": 844}, "dark"),
                                             ({"width": 1280, "height": 800}, "dark")])
def test_the_pages_at_other_sizes_and_schemes(new_page, members, logs, viewport, scheme):
    page = new_page(viewport=viewport, color_scheme=scheme)
    login(page, members[Role.ADMIN].username, PASSWORD)
    name = f"{viewport['width']}-{scheme}"
    open_explorer(page, logs, "?columns=status")
    expect(page.locator("#facets h3").first).to_be_visible()
    lines(page).nth(1).locator("summary").click()
    expect(lines(page).nth(1).locator("dl.fields")).to_be_visible()
    screenshot(page, f"scalyr-explorer-{name}")
    page.goto(f"/scalyr/{logs.pk}/chart/?function=p95(latency)")
    expect(page.locator("#chart canvas")).to_be_visible()
    screenshot(page, f"scalyr-chart-{name}")
    page.goto("/scalyr/")
    screenshot(page, f"scalyr-home-{name}")
    page.goto(f"/scalyr/{logs.pk}/files/edit/")
    expect(page.get_by_role("heading", name="New configuration file")).to_be_visible()
    screenshot(page, f"scalyr-file-new-{name}")


def test_a_saved_chart_opened_live_keeps_its_name_and_threshold_line(new_page, members, logs):
    chart = SavedQuery.objects.create(connection=logs, name="Checkout 502s", kind=SavedQuery.Kind.CHART,
                                      state={"filter": "status == 502", "buckets": "30"},
                                      threshold_direction="above", threshold=3.0)
    page = new_page()
    login(page, members[Role.OPERATOR].username, PASSWORD)
    page.goto(f"/scalyr/saved/{chart.pk}/about/")
    page.get_by_role("button", name="Open the live chart").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Checkout 502s")
    plot = page.locator("#chart .uplot-chart")
    expect(plot.locator("canvas")).to_be_visible()
    expect(plot).to_have_attribute("data-threshold", "3")  # set by scalyr.js when it draws the dashed line
    expect(plot.locator(".u-legend")).to_contain_text("alert above 3")
    # drawn again with another range, the chart is still the saved one
    page.locator("#chart-form select[name=range]").select_option(index=0)
    page.get_by_role("button", name="Draw").click()
    wait_for(lambda: "saved=" in page.url, what="the pushed URL keeps the saved chart")
    expect(page.locator("#chart .uplot-chart")).to_have_attribute("data-threshold", "3")
    screenshot(page, "scalyr-saved-chart-live")
