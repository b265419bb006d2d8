"""The confirmation dialog keeps the keyboard inside while it is open and gives focus back when it closes
(issue 12, item 10)."""

import pytest
from playwright.sync_api import expect

from console.teams.models import Role
from tests.browser.conftest import login
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INSIDE = "document.getElementById('confirm-dialog').contains(document.activeElement)"


def test_confirm_dialog_traps_and_returns_focus(new_page, members, team):
    page = new_page()
    login(page, members[Role.ADMIN].username, PASSWORD)
    page.goto(f"/teams/{team.slug}/")
    remove = page.locator("form[data-confirm] [type=submit], form[data-confirm] button").first
    remove.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#confirm-ok")).to_be_focused()
    for key in ("Tab", "Tab", "Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab"):
        page.keyboard.press(key)
        assert page.evaluate(INSIDE), f"focus left the dialog after {key}"
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(remove).to_be_focused()
    assert members[Role.VIEWER].memberships.exists()  # nothing was removed
