"""The overview as an ops engineer leaves it open: what is wrong, counts, live changes, timeline, search."""

import re

import pytest
from playwright.sync_api import expect

from console.teams.models import Role
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD
from vendors.core import polling
from vendors.scalingo.models import ScalingoConnection
from vendors.scalingo.simulator import DEFAULT_TOKEN, ScalingoSimulator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scalingo(team):
    simulator = ScalingoSimulator(seed=3, rate_limit=None)
    simulator.serve()
    for name, domain in (("shop-web", "shop.example.com"), ("billing", "billing.example.com")):
        simulator.control("add_app", {"name": name})
    conn = ScalingoConnection(name="scalingo-overview", team=team, base_url=simulator.url,
                              settings={"region": "", "auth_url": simulator.url, "requests_per_minute": 0})
    conn.secrets.set("token", DEFAULT_TOKEN)
    conn.save()
    yield simulator, conn
    simulator.stop()


def poll(conn):
    lease = polling.connection_claim(connection=conn, force=True)
    assert polling.connection_poll(vendor="scalingo", pk=conn.pk, lease=lease).status == "ok"


def test_a_crash_appears_on_the_open_overview_without_reload(new_page, members, scalingo):
    simulator, conn = scalingo
    poll(conn)
    page = new_page()
    login(page, members[Role.VIEWER].username, PASSWORD)
    expect(page.get_by_role("heading", name="Needs attention")).to_be_visible()
    expect(page.locator(".figure-card", has_text="Apps")).to_contain_text("2")
    expect(page.locator(".attention-list")).to_have_count(0)
    page.evaluate("window.__marker = 'same page'")

    simulator.control("crash", {"app": "shop-web"})
    poll(conn)

    attention = page.locator(".attention-list li", has_text="shop-web")
    expect(attention).to_contain_text("shop-web crashed", timeout=15_000)
    expect(page.locator(".figure-card", has_text="Crashed")).to_contain_text("1")
    assert page.evaluate("window.__marker") == "same page"  # no reload happened
    screenshot(page, "overview-attention")

    attention.get_by_role("link", name="shop-web crashed").click()  # the object's page (the other: its alert page)
    expect(page.get_by_role("heading", name="shop-web")).to_be_visible()
    expect(page.locator("#app-live")).to_contain_text("Crashed")


def test_timeline_filters_by_vendor_and_search_finds_an_app(new_page, members, scalingo):
    _, conn = scalingo
    poll(conn)
    page = new_page()
    login(page, members[Role.ADMIN].username, PASSWORD)
    page.goto("/timeline/?range=all")
    entries = page.locator("#timeline-entries li")
    expect(entries.first).to_be_visible()
    page.get_by_label("Vendor").select_option("scalingo")
    expect(page.locator("#timeline-entries")).not_to_contain_text("Console · audit")
    expect(page.locator("#timeline-entries")).to_contain_text("Scalingo")
    expect(page).to_have_url(re.compile("vendor=scalingo"))  # the filter is in the URL, shareable
    page.get_by_label("Vendor").select_option("console")
    expect(page.locator("#timeline-entries")).not_to_contain_text("Scalingo ·")

    page.keyboard.press("Escape")
    page.locator("body").click()
    page.keyboard.press("/")
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.type("shop-w")
    results = page.locator("#global-search-results")
    expect(results).to_contain_text("Scalingo apps")
    expect(results).to_contain_text("shop-web")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="shop-web")).to_be_visible()


def test_another_team_gets_a_clear_no_access_page(new_page, members, scalingo):
    _, conn = scalingo
    poll(conn)
    app = conn.apps.first()
    page = new_page()
    login(page, members["outsider"].username, PASSWORD)
    page.goto(f"/scalingo/apps/{app.pk}/")
    expect(page.get_by_role("heading", name="Not found, or not yours to see")).to_be_visible()
