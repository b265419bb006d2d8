"""Changes on charts and the incident page in Chromium: an operator investigates an app from its page; the
page's suspects name the scale, then the deploy, its app stats chart draws the window's changes as markers (the plugin's
output is counted), a marker's tooltip says what and when, a kind is toggled off and the address keeps it;
a teammate opening the same address on a phone sees the same window, the same markers, and nothing
scrolls sideways. No console error and no CSP violation on the way."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from console.teams.models import Role
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD
from tests.incidents.helpers import ago, console_action, scalingo_event
from tests.scalingo.scalingo_helpers import make_sim, stop_soon
from vendors.core import polling
from vendors.scalingo.client import forget_bearers
from vendors.scalingo.models import App

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MARKERS = ".incident-stats .change-marker"


@pytest.fixture
def shop(team):
    """shop-web on the Scalingo simulator, polled; then deployed, scaled through the console and crashed."""
    from tests.harness.factories import ScalingoConnectionFactory

    forget_bearers()
    simulator = make_sim()
    with simulator.lock:  # created and first deployed an hour ago: nothing of its own in the window
        simulator.world.add_app("shop-web", simulator.ops, created=time.time() - 3600,
                                formation=[{"name": "web", "command": "", "amount": 2, "size": "M"}])
    connection = ScalingoConnectionFactory(name="scalingo-browser", team=team, base_url=simulator.url)
    lease = polling.connection_claim(connection=connection, force=True)
    assert polling.connection_poll(vendor="scalingo", pk=connection.pk, lease=lease).status == "ok"
    yield App.objects.get(connection=connection, name="shop-web")
    forget_bearers()
    stop_soon(simulator)


def watch(page, problems: list) -> None:
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))


def test_an_operator_investigates_and_a_teammate_sees_the_same_window_on_a_phone(new_page, members, shop):
    app = shop
    scalingo_event(app, "deployment", ago(9), user="ana", status="success", git_ref="5e1f00d2c0ff", pusher="ana")
    console_action(app, members[Role.OPERATOR], "scalingo.app.scale", "Scale shop-web: web 2×M → 4×M", ago(7))
    scalingo_event(app, "crash", ago(4), user="", container_type="web")
    problems: list[str] = []

    page = new_page()
    watch(page, problems)
    login(page, members[Role.OPERATOR].username, PASSWORD)
    page.goto(f"/scalingo/apps/{app.pk}/")
    page.get_by_role("button", name="Investigate").click()  # a link drawn as a button, as "Logs in Scalyr"
    page.wait_for_url("**/incidents/?at=*")
    expect(page.locator(".suspect-evidence strong")).to_have_text(["Scaled 3 min before web of shop-web crashed.",
                                                                   "Deployed 5 min before web of shop-web crashed."])
    expect(page.locator(MARKERS).first).to_be_attached()  # the stats are drawn together once Scalingo answered
    charts = page.locator(".incident-stats .uplot").count()
    assert charts >= 3  # CPU, memory, router requests
    expect(page.locator(MARKERS)).to_have_count(3 * charts)  # the window's three changes of shop-web on each
    chart = page.locator(".incident-stats .uplot").first
    expect(chart).to_have_attribute("data-changes-drawn", "3")

    scale = page.locator(f"{MARKERS}.change-scale").first
    scale.hover()
    tip = scale.locator(".change-tip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("Scale shop-web: web 2×M → 4×M, ")
    assert tip.text_content().rsplit(", ", 1)[1].count(":") == 1  # ", 14:02"
    screenshot(page, "incident-1280")

    page.locator(".change-toggles").get_by_label("Deployments").uncheck()
    expect(page.locator(f"{MARKERS}.change-deploy")).to_have_count(0)
    expect(chart).to_have_attribute("data-changes-drawn", "2")
    shared = page.url
    assert "hide_changes=deploy" in shared

    phone = new_page(viewport={"width": 390, "height": 844})
    watch(phone, problems)
    login(phone, members[Role.VIEWER].username, PASSWORD)
    phone.goto(shared)
    expect(phone.locator(".incident-window-note")).to_have_text(page.locator(".incident-window-note").text_content())
    expect(phone.locator(MARKERS)).to_have_count(2 * charts)  # the deploy stays hidden: it is in the link
    expect(phone.locator(".change-toggles").get_by_label("Deployments")).not_to_be_checked()
    expect(phone.locator(".suspect-evidence strong").first).to_have_text("Scaled 3 min before web of shop-web crashed.")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "incident-390")
    assert problems == []
