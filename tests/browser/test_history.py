"""Back and Forward after htmx navigation show whole, styled pages, never a bare fragment."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from console.teams.models import Role
from tests.browser.conftest import login
from tests.conftest import PASSWORD
from tests.scalr.seeding import seed_scalr

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def whole_page(page) -> None:
    """The page is the layout with its navigation and styles, not a fragment swapped in alone."""
    expect(page.get_by_role("link", name="Connections", exact=True)).to_be_visible()
    assert page.evaluate("document.styleSheets.length") > 0
    assert page.evaluate("!!document.querySelector('header nav, nav')")


@pytest.mark.parametrize("path, select, value, rows", [
    ("/scalr/farms/", "status", "running", "#farm-rows"),
    ("/scalr/servers/", "status", "running", "#server-rows"),
], ids=["farms", "servers"])
def test_back_and_forward_after_a_filter_show_the_whole_page(new_page, members, team, path, select, value, rows):
    seed_scalr(teams=[team], scale=1)
    page = new_page()
    login(page, members[Role.VIEWER].username, PASSWORD)
    page.goto(path)
    page.wait_for_load_state()
    page.locator(f"select[name={select}]").select_option(value)
    page.wait_for_url(f"**{select}={value}**")
    expect(page.locator(rows)).to_be_visible()
    page.goto("/connections/")  # leave, then come back through the history
    whole_page(page)

    page.go_back()
    page.wait_for_url(f"**{select}={value}**")
    whole_page(page)
    expect(page.locator(rows)).to_be_visible()
    page.go_back()
    whole_page(page)
    page.go_forward()
    page.wait_for_url(f"**{select}={value}**")
    whole_page(page)


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
