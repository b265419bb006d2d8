"""Back and Forward after htmx navigation show whole, styled pages, never a bare fragment."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from console.teams.models import Role
from tests.browser.conftest import login
from tests.conftest import PASSWORD
from bench.seeding import seed_scalingo
from tests.scalr.seeding import seed_scalr
from vendors.scalingo.models import App

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def whole_page(page) -> None:
    """The page is the layout with its navigation and styles, not a fragment swapped in alone."""
    expect(page.get_by_role("link", name="Connections", exact=True)).to_be_visible()
    assert page.evaluate("document.styleSheets.length") > 0
    assert page.evaluate("!!document.querySelector('header nav, nav')")


@pytest.mark.parametrize("path, select, rows", [
    ("/scalr/farms/", "status", "#farm-rows"),
    ("/scalr/servers/", "status", "#server-rows"),
    ("/scalr/scripts/", "environment", "#script-rows"),
    ("/scalr/dns/", "environment", "#zone-rows"),
    ("/scalingo/apps/", "status", "#app-table"),
], ids=["farms", "servers", "scripts", "dns-zones", "apps"])
def test_back_and_forward_after_a_filter_show_the_whole_page(new_page, members, team, path, select, rows):
    seed_scalr(teams=[team], scale=1)
    seed_scalingo(teams=[team], connections=1, apps=12)
    page = new_page()
    login(page, members[Role.VIEWER].username, PASSWORD)
    page.goto(path)
    page.wait_for_load_state()
    value = page.locator(f"select[name={select}] option").nth(1).get_attribute("value")
    page.locator(f"select[name={select}]").select_option(value)
    page.wait_for_url(f"**{select}={value}**")
    expect(page.locator(rows)).to_be_visible()
    page.goto("/connections/")  # leave, then come back through the history
    whole_page(page)

    page.go_back()
    page.wait_for_url(f"**{select}={value}**")
    whole_page(page)
    expect(page.locator(rows)).to_be_visible()
    expect(page.locator(f"select[name={select}]")).to_have_value(value)
    page.go_back()
    whole_page(page)
    page.go_forward()
    page.wait_for_url(f"**{select}={value}**")
    whole_page(page)


def test_back_and_forward_between_tabs_show_the_whole_page(new_page, members, team):
    """The app page's tabs swap in by htmx and push their URL; the history gives whole pages back."""
    seed_scalingo(teams=[team], connections=1, apps=3)
    app = App.objects.order_by("name").first()
    page = new_page()
    login(page, members[Role.VIEWER].username, PASSWORD)
    page.goto(f"/scalingo/apps/{app.pk}/")
    for tab in ("Events", "Deployments"):
        page.locator("#tab-content").get_by_role("link", name=tab, exact=True).click()
        page.wait_for_url(f"**tab={tab.lower()}**")
        expect(page.locator(f"#tab-content a[aria-current=page]")).to_have_text(tab)
    page.goto("/connections/")

    for tab in ("Deployments", "Events"):
        page.go_back()
        page.wait_for_url(f"**tab={tab.lower()}**")
        whole_page(page)
        expect(page.get_by_role("heading", name=app.name)).to_be_visible()
        expect(page.locator("#tab-content a[aria-current=page]")).to_have_text(tab)
    page.go_forward()
    page.wait_for_url("**tab=deployments**")
    whole_page(page)
    expect(page.locator("#tab-content a[aria-current=page]")).to_have_text("Deployments")


def test_the_sign_in_page_is_narrow_and_breaks_no_content_security_rule(new_page):
    page = new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto("/accounts/login/")
    page.wait_for_load_state()
    card = page.locator("article.login-card")
    expect(card).to_be_visible()
    assert card.bounding_box()["width"] <= 28 * 16 + 1  # 28rem, not the page's width
    assert not [p for p in problems if "Content Security Policy" in p]
