"""An operator scales an app from the browser and watches the operation finish."""

import pytest
from playwright.sync_api import expect

from dashboard.audit.models import AuditEvent
from dashboard.teams.models import Role
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD
from vendors.core import polling
from vendors.scalingo.client import ScalingoClient
from vendors.scalingo.models import App, ScalingoConnection
from vendors.scalingo.simulator import DEFAULT_TOKEN, ScalingoSimulator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scalingo(team):
    simulator = ScalingoSimulator(seed=5, rate_limit=None)
    simulator.serve()
    simulator.control("add_app", {"name": "shop-web", "formation": [
        {"name": "web", "command": "gunicorn shop.wsgi", "amount": 1, "size": "M"},
        {"name": "worker", "command": "celery worker", "amount": 1, "size": "S"}]})
    conn = ScalingoConnection(name="scalingo-browser", team=team, base_url=simulator.url,
                              settings={"region": "", "auth_url": simulator.url, "requests_per_minute": 0})
    conn.secrets.set("token", DEFAULT_TOKEN)
    conn.save()
    lease = polling.connection_claim(connection=conn, force=True)
    assert polling.connection_poll(vendor="scalingo", pk=conn.pk, lease=lease).status == "ok"
    yield simulator, App.objects.get(connection=conn, name="shop-web")
    simulator.stop()


def test_operator_scales_web_from_1_to_3(new_page, members, scalingo, celery_worker_thread):
    simulator, app = scalingo
    page = new_page()
    login(page, members[Role.OPERATOR].username, PASSWORD)
    page.goto(f"/scalingo/apps/{app.pk}/")
    expect(page.get_by_role("heading", name="shop-web")).to_be_visible()
    page.wait_for_load_state()  # htmx wires the tabs and forms up once the page has loaded
    screenshot(page, "scalingo-app-overview")
    page.get_by_role("link", name="Containers").click()
    page.get_by_label("web containers").fill("3")
    page.get_by_role("button", name="Review scaling…").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("web 1×M → 3×M")
    screenshot(page, "scalingo-scale-confirm")
    dialog.get_by_role("button", name="Scale").click()

    status = page.locator("#scale-area .action-status, #tab-content .action-status").first
    expect(status).to_contain_text("Scale shop-web: web 1×M → 3×M")
    # The worker follows Scalingo's operation; the page polls the action until it settles.
    expect(page.locator("#tab-content")).to_contain_text("Succeeded", timeout=30_000)
    formation_row = page.locator("article", has_text="Formation").locator("tr", has_text="web").first
    expect(formation_row).to_contain_text("3", timeout=15_000)
    screenshot(page, "scalingo-scaled")

    with ScalingoClient(DEFAULT_TOKEN, api_url=simulator.url, auth_url=simulator.url) as client:
        assert {t.name: t.amount for t in client.formation(app.external_id)}["web"] == 3  # Scalingo's side
    entry = AuditEvent.objects.get(verb="scalingo.app.scale")
    assert entry.actor == members[Role.OPERATOR] and entry.outcome == "success"
    assert "web 1×M → 3×M" in entry.message


def test_viewer_has_no_scale_button(new_page, members, scalingo):
    _, app = scalingo
    page = new_page()
    login(page, members[Role.VIEWER].username, PASSWORD)
    page.goto(f"/scalingo/apps/{app.pk}/?tab=containers")
    expect(page.get_by_role("heading", name="Running containers")).to_be_visible()
    expect(page.get_by_role("button", name="Review scaling…")).to_have_count(0)
