"""Scalyr on the overview in Chromium: the error-rate figure, a chart past its threshold under
"Needs attention" (clicking it opens the chart), and the global search (a saved query by name,
"Search logs for" a filter)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from console.teams.models import Role
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD
from tests.scalyr.app_helpers import seed
from tests.scalyr.helpers import READ_LOGS, control
from vendors.core import polling
from vendors.scalyr.models import SavedQuery, ScalyrConnection
from vendors.scalyr.simulator import ScalyrSimulator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def overview_sim():
    simulator = ScalyrSimulator(read_logs_tokens=READ_LOGS, retry_after=0)
    simulator.serve()
    yield simulator
    simulator.stop()


@pytest.fixture
def logs(team, overview_sim):
    control(overview_sim, "reset", {"now": time.time_ns()})
    control(overview_sim, "set_clock", {"time": time.time_ns(), "frozen": False})
    seed(overview_sim, count=60)  # three 502s in each of the last three 10-minute buckets
    connection = ScalyrConnection(name="logs-prod", team=team, base_url=overview_sim.url, settings={"region": ""})
    connection.secrets.set("read_logs_token", READ_LOGS)
    connection.save()
    SavedQuery.objects.create(connection=connection, name="5xx responses", kind=SavedQuery.Kind.CHART,
                              state={"filter": "status >= 500", "buckets": "6"}, pinned=True, headline=True,
                              threshold_direction=SavedQuery.Direction.ABOVE, threshold=2)
    SavedQuery.objects.create(connection=connection, name="Billing errors", kind=SavedQuery.Kind.EXPLORER,
                              state={"filter": "app == 'billing' severity >= 5"})
    lease = polling.connection_claim(connection=connection, force=True)
    assert polling.connection_poll(vendor="scalyr", pk=connection.pk, lease=lease).status == "ok"
    return connection


def test_a_chart_past_its_threshold_needs_attention_and_opens_the_chart(new_page, members, logs):
    page = new_page()
    login(page, members[Role.VIEWER].username, PASSWORD)
    section = page.locator("section", has=page.get_by_role("heading", name="Scalyr", exact=True))
    figure = section.locator(".figure-card", has_text="5xx responses")
    expect(figure.locator(".figure")).to_have_text("3")
    expect(figure).to_contain_text("past its threshold (above 2)")
    expect(section.locator(".figure-card", has_text="Saved log queries")).to_contain_text("2")
    expect(section.locator(".figure-card", has_text="Charts past their threshold")).to_contain_text("1")
    expect(section.locator(".tile.over-threshold")).to_contain_text("▲ above 2")

    item = page.locator(".attention-list li", has_text="5xx responses")
    expect(item).to_contain_text("Log chart 5xx responses is at 3, above 2")
    expect(item).to_contain_text("Warning")
    expect(item).to_contain_text(re.compile(r"since (29|30) min ago"))  # the first of the buckets past it
    screenshot(page, "overview-scalyr-threshold")

    item.get_by_role("link", name=re.compile("Log chart 5xx responses")).click()  # the chart (the other: the alert)
    expect(page.get_by_role("heading", name=re.compile("5xx responses"))).to_be_visible()
    expect(page.locator("#saved-live")).to_contain_text("Past its threshold (above 2)")
    expect(page.locator("#saved-live .uplot-chart canvas")).to_be_visible()  # the stored series, drawn
    expect(page.locator("#saved-live .u-legend")).to_contain_text("alert above 2")  # the threshold line
    expect(page.get_by_role("button", name="Open the live chart")).to_have_count(0)  # a viewer may not query
    screenshot(page, "scalyr-saved-chart")


def test_global_search_finds_a_saved_query_and_offers_search_logs(new_page, members, logs):
    page = new_page()
    login(page, members[Role.OPERATOR].username, PASSWORD)
    page.locator("body").click()
    page.keyboard.press("/")
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.type("billing err")
    results = page.locator("#global-search-results")
    expect(results).to_contain_text("Scalyr saved queries")
    expect(results.get_by_role("option", name=re.compile("Billing errors"))).to_be_visible()

    page.locator("#global-search").fill("status == 500")
    offer = results.get_by_role("option", name=re.compile("Search logs for"))
    expect(offer).to_contain_text("status == 500")
    expect(results.get_by_role("option")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/scalyr/{logs.pk}/\?filter=status"))
    expect(page.get_by_label("Filter")).to_have_value("status == 500")

    page.goto("/")
    page.locator("#global-search").fill("Billing")
    expect(results.get_by_role("option", name=re.compile("Billing errors"))).to_be_attached()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Billing errors"))).to_be_visible()
    page.get_by_role("button", name="Open in the explorer").click()
    expect(page.get_by_label("Filter")).to_have_value("app == 'billing' severity >= 5")
