"""A long list in the browser: 25 rows, then 50 on request, the choice in the address bar."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from console.teams.models import Role
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD
from tests.scalr.seeding import seed_scalr

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_viewer_asks_for_50_farms_a_page_and_pages_on(new_page, members, team):
    seed_scalr(teams=[team], scale=6)  # 120 farms, more than 50 of them running
    page = new_page()
    login(page, members[Role.VIEWER].username, PASSWORD)
    page.goto("/scalr/farms/?status=running")
    page.wait_for_load_state()
    rows = page.locator("#farm-rows tbody tr")
    running = rows.count()
    assert running == 25
    pagination = page.get_by_role("navigation", name="Pages")
    expect(pagination).to_contain_text("Rows: 25 50 100")
    screenshot(page, "farm-list-paged")
    pagination.get_by_role("link", name="50 rows a page").click()
    page.wait_for_url("**per_page=50**")
    assert "status=running" in page.url
    expect(pagination.locator("strong[aria-current]")).to_have_text("50")
    total = int(pagination.inner_text().split(" entries")[0].rsplit("· ", 1)[1])
    expect(rows).to_have_count(min(total, 50))
    assert total > 50, total  # the second page exists
    pagination.get_by_role("link", name="Next →").click()
    page.wait_for_url("**page=2**")
    assert "per_page=50" in page.url
    expect(rows).to_have_count(min(total - 50, 50))
    page.goto("/connections/")  # leave; Back gives the whole second page again, never a bare fragment
    page.go_back()
    page.wait_for_url("**page=2**")
    expect(page.get_by_role("link", name="Connections", exact=True)).to_be_visible()
    expect(rows).to_have_count(min(total - 50, 50))
    expect(pagination.locator("strong[aria-current]")).to_have_text("50")


def test_the_pagination_bar_fits_a_phone(new_page, members, team):
    seed_scalr(teams=[team], scale=2)  # 40 farms
    page = new_page(viewport={"width": 390, "height": 844})
    login(page, members[Role.VIEWER].username, PASSWORD)
    page.goto("/scalr/farms/")
    page.wait_for_load_state()
    bar = page.get_by_role("navigation", name="Pages")
    bar.scroll_into_view_if_needed()
    screenshot(page, "farm-list-paged-phone")
    box = bar.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # nothing runs off the screen
    for name in ("50 rows a page", "100 rows a page", "Next →"):
        link = bar.get_by_role("link", name=name)
        link_box = link.bounding_box()
        assert link_box["x"] >= 0 and link_box["x"] + link_box["width"] <= 390, name
