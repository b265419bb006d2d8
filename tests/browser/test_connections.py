"""An admin signs in, adds a connection through the form, and sees its health change after a poll."""

import pytest
from playwright.sync_api import expect

from console.teams.models import Role
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD
from tests.testvendor.models import WidgetConnection
from vendors.core import polling
from vendors.core.tasks import poll_connection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_add_a_connection_and_watch_its_health(new_page, members, team, widgets):
    page = new_page()
    login(page, members[Role.ADMIN].username, PASSWORD)
    expect(page.get_by_role("heading", name="Nothing to watch yet")).to_be_visible()
    screenshot(page, "overview-empty")

    page.get_by_role("link", name="Connections", exact=True).click()
    page.get_by_role("button", name="Add Widgets").click()
    page.wait_for_load_state()
    page.get_by_label("Name").fill("widgets-browser")
    page.get_by_label("URL").fill(widgets.url)
    page.get_by_role("button", name="Add connection").click()
    expect(page.get_by_text("This secret is required.")).to_be_visible()  # error next to the field, input kept
    expect(page.get_by_label("Name")).to_have_value("widgets-browser")
    for interval, message in (("0", "greater than or equal to 10"), ("999999999", "less than or equal to 86400")):
        page.get_by_label("Poll interval (seconds)").fill(interval)
        page.get_by_label("API token").fill(widgets.token)
        page.get_by_role("button", name="Add connection").click()
        expect(page.locator("#id_poll_seconds_error")).to_contain_text(message)  # beside its field
        expect(page.get_by_label("Name")).to_have_value("widgets-browser")
    page.get_by_label("Poll interval (seconds)").fill("60")
    page.get_by_label("API token").fill(widgets.token)
    screenshot(page, "connection-form")
    page.get_by_role("button", name="Add connection").click()

    expect(page.get_by_role("heading", name="widgets-browser")).to_be_visible()
    page.wait_for_load_state()  # htmx and the dialog script are wired up at load
    status = page.locator("#connection-status")
    expect(status).to_contain_text("Never polled")
    assert widgets.token not in page.content()

    # A scheduler run polls it; the open page picks the new health up without a reload.
    polling.scheduler_run(enqueue=lambda v, pk, lease: poll_connection.delay(v, pk, lease))
    expect(status).to_contain_text("● OK", timeout=15_000)
    expect(status).to_contain_text("2 widgets")
    screenshot(page, "connection-detail")

    # The vendor starts failing: "Poll now" shows the connection degraded with the reason.
    widgets.faults.update(status=500)
    page.get_by_role("button", name="Poll now").click()
    expect(page.locator("#connection-status")).to_contain_text("Degraded")
    described = f"HTTP 500 from {widgets.url.removeprefix('http://')} (text/plain, 17 B)"  # never the body
    expect(page.locator("#connection-status")).to_contain_text(described)

    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#test-result")).to_contain_text(described)
    widgets.faults.update()
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#test-result")).to_contain_text("Authenticated as account acme.")

    # Delete asks first, in a dialog.
    page.get_by_role("button", name="Delete").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Delete the connection “widgets-browser”?")
    screenshot(page, "confirm-delete")
    dialog.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("and its data were deleted")).to_be_visible()
    assert not WidgetConnection.objects.exists()


def test_a_viewer_sees_no_admin_buttons(new_page, members, connection):
    page = new_page()
    login(page, members[Role.VIEWER].username, PASSWORD)
    page.goto(f"/connections/widgets/{connection.pk}/")
    expect(page.get_by_role("heading", name=connection.name)).to_be_visible()
    expect(page.get_by_role("button", name="Poll now")).to_have_count(0)
    expect(page.get_by_role("button", name="Edit")).to_have_count(0)
    screenshot(page, "connection-detail-viewer")


def test_login_is_rate_limited(new_page, members):
    page = new_page()
    for _ in range(5):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(members[Role.VIEWER].username)
        page.get_by_label("Password").fill("wrong-password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Too many failed sign-ins")).to_be_visible()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(members[Role.VIEWER].username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Too many failed sign-ins")).to_be_visible()
