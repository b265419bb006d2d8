"""Alerts on a phone (390 px): an operator opens a firing alert from the overview, acknowledges and
silences it, and sees it greyed on the overview; no alerts or channel page scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from console.teams.models import Role
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD
from tests.harness.factories import AlertFactory, ChannelFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operator_acknowledges_and_silences_an_alert_on_a_phone(new_page, members, connection, team):
    alert = AlertFactory(connection=connection, title="Widget alpha is broken", detail="On widgets-prod.",
                         url=f"/connections/widgets/{connection.pk}/")
    channel = ChannelFactory(team=team, name="ops-webhook", url="http://127.0.0.1:9/hooks/x")
    page = new_page(viewport={"width": 390, "height": 844})
    login(page, members[Role.OPERATOR].username, PASSWORD)
    item = page.locator(".attention-list li", has_text="Widget alpha is broken")
    expect(item).to_contain_text("Critical")
    item.get_by_role("link", name="alert page").click()
    expect(page.get_by_role("heading", name="Widget alpha is broken")).to_be_visible()

    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".messages")).to_contain_text("Acknowledged: no more reminders")
    page.get_by_label("Silence for").select_option("4h")
    page.get_by_role("button", name="Silence", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Silenced")
    expect(page.locator(".alert-history")).to_contain_text("Acknowledged by operator-user")
    screenshot(page, "alert-390")

    page.goto("/")
    item = page.locator(".attention-list li.attention-silenced", has_text="Widget alpha is broken")
    expect(item).to_contain_text("Silenced by operator-user until")
    for path in ("/", "/alerts/", f"/alerts/{alert.pk}/", "/alerts/channels/", f"/alerts/channels/{channel.pk}/"):
        page.goto(path)
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
