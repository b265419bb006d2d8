"""An operator scales an app from the browser and watches the operation finish; and does it
again while polls spend the token's minute and Scalingo answers 429 to the operation reads."""

import threading

import pytest
from django.db import connections
from playwright.sync_api import expect

from console.audit.models import AuditEvent
from console.teams.models import Role
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD
from vendors.core import polling
from vendors.core.models import ActionRun, ActionStatus
from vendors.scalingo.client import ScalingoClient, forget_bearers
from vendors.scalingo.models import App, ScalingoConnection
from vendors.scalingo.simulator.demo import populate_demo
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


# -- under pressure: polls spend the minute, Scalingo refuses the operation reads for a while ----------
@pytest.fixture
def busy_scalingo(team):
    """Scalingo with its real limit (60 requests a minute per token) and 25 more apps than the
    one operated on, so every poll spends the console's budget down to the reserve."""
    forget_bearers()
    simulator = ScalingoSimulator(seed=5)
    simulator.serve()
    simulator.control("add_app", {"name": "shop-web", "formation": [
        {"name": "web", "command": "gunicorn shop.wsgi", "amount": 1, "size": "M"},
        {"name": "worker", "command": "celery worker", "amount": 1, "size": "S"}]})
    token = simulator.add_api_token(simulator.ops)  # a token (and so a budget) of this test's own
    conn = ScalingoConnection(name="scalingo-busy", team=team, base_url=simulator.url, poll_seconds=5,
                              settings={"region": "", "auth_url": simulator.url, "requests_per_minute": 60})
    conn.secrets.set("token", token)
    conn.save()
    for populate in (None, populate_demo):  # shop-web is read in detail first, then the rest arrives
        if populate:
            with simulator.lock:
                populate(simulator)
        lease = polling.connection_claim(connection=conn, force=True)
        assert polling.connection_poll(vendor=conn.vendor, pk=conn.pk, lease=lease).completed
    assert App.objects.get(connection=conn, name="shop-web").formation.exists()
    yield simulator, conn, token
    simulator.stop()
    forget_bearers()


@pytest.fixture
def polls_running(busy_scalingo):
    """The scheduler's work in a thread: every due connection is claimed and polled, over and over."""
    stop, outcomes = threading.Event(), []

    def schedule():
        try:
            while not stop.is_set():
                polling.scheduler_run(enqueue=lambda vendor, pk, lease: outcomes.append(
                    polling.connection_poll(vendor=vendor, pk=pk, lease=lease).status))
                stop.wait(0.2)
        finally:
            connections.close_all()

    thread = threading.Thread(target=schedule, name="scheduler", daemon=True)
    thread.start()
    yield outcomes
    stop.set()
    thread.join(timeout=60)


def test_scale_then_restart_succeed_while_polls_spend_the_minute(new_page, members, busy_scalingo, polls_running,
                                                                 celery_worker_thread):
    simulator, conn, token = busy_scalingo
    app = App.objects.get(connection=conn, name="shop-web")
    page = new_page()
    login(page, members[Role.OPERATOR].username, PASSWORD)
    page.goto(f"/scalingo/apps/{app.pk}/?tab=containers")
    expect(page.get_by_role("heading", name="shop-web")).to_be_visible()
    page.wait_for_load_state()

    simulator.control("rate_limit_operations", {"count": 2, "retry_after": 1})
    page.get_by_label("web containers").fill("3")
    page.get_by_role("button", name="Review scaling…").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("web 1×M → 3×M")
    dialog.get_by_role("button", name="Scale").click()
    scale = page.locator(".action-status", has_text="Scale shop-web: web 1×M → 3×M").first
    expect(scale).to_contain_text("Succeeded", timeout=90_000)
    # the success re-reads the containers tab (its forms included): click once it is back, not while it is swapped
    expect(page.locator("#tab-content.htmx-request")).to_have_count(0)
    screenshot(page, "scalingo-busy-scaled")

    simulator.control("rate_limit_operations", {"count": 2, "retry_after": 1})
    page.get_by_role("button", name="Review restart…").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Restart every container")
    dialog.get_by_role("button", name="Restart", exact=True).click()
    restart = page.locator(".action-status", has_text="Restart shop-web: all containers").first
    expect(restart).to_contain_text("Succeeded", timeout=90_000)
    expect(scale).to_contain_text("Succeeded")
    expect(page.locator(".action-status", has_text="Failed")).to_have_count(0)
    screenshot(page, "scalingo-busy-restarted")

    # what Scalingo did, and what it refused on the way
    with simulator.lock:
        shop = simulator.world.find_app("shop-web")
        assert {e["name"]: e["amount"] for e in shop["_formation"]}["web"] == 3
        operations = [(op["type"], op["status"]) for op in simulator.world.operations.values()
                      if op["app_id"] == shop["id"]]
    assert operations == [("scale", "done"), ("restart", "done")]
    assert len([path for path in simulator.throttled if "/operations/" in path]) == 4
    assert sorted(ActionRun.objects.values_list("verb", "status")) == [
        ("scalingo.app.restart", ActionStatus.SUCCEEDED), ("scalingo.app.scale", ActionStatus.SUCCEEDED)]
    assert sorted(AuditEvent.objects.filter(verb__startswith="scalingo.app.").values_list("verb", "outcome")) == [
        ("scalingo.app.restart", "success"), ("scalingo.app.scale", "success")]
    assert polls_running and "failed" not in polls_running  # polls went on meanwhile, and never failed


@pytest.mark.parametrize("value, message", [
    ("-1", "Ensure this value is greater than or equal to 0."),
    ("", "This field is required."),
], ids=["negative", "empty"])
def test_an_invalid_scale_shows_its_message_next_to_the_field(new_page, members, scalingo, value, message):
    """What the server refuses is said beside the field it concerns, and the form keeps its other values."""
    simulator, app = scalingo
    page = new_page()
    login(page, members[Role.OPERATOR].username, PASSWORD)
    page.goto(f"/scalingo/apps/{app.pk}/?tab=containers")
    page.wait_for_load_state()
    page.get_by_label("web containers").fill(value)
    page.get_by_label("web size").select_option("L")
    page.get_by_role("button", name="Review scaling…").click()
    field = page.locator("#scale-area .scale-grid > div", has=page.get_by_label("web containers"))
    expect(field.locator(".error-text")).to_have_text(message)
    expect(page.get_by_label("web size")).to_have_value("L")  # nothing else typed is lost
    assert not page.locator("dialog[open]").count()  # nothing to confirm: the form stays


def test_a_refused_form_shows_its_message_in_place(new_page, members, scalingo):
    """The server refuses what the browser cannot check (nothing to change): htmx swaps the 422 answer in,
    the message stands next to the form, and the button does something visible."""
    simulator, app = scalingo
    page = new_page()
    login(page, members[Role.OPERATOR].username, PASSWORD)
    page.goto(f"/scalingo/apps/{app.pk}/?tab=containers")
    expect(page.get_by_label("web containers")).to_be_visible()
    page.wait_for_load_state()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.get_by_role("button", name="Review scaling…").click()
    expect(page.locator("#scale-area")).to_contain_text("Nothing to change: this is the current formation.")
    expect(page.get_by_label("web containers")).to_have_value("1")  # nothing typed is lost
    assert not [e for e in errors if "Response Status Error" in e]  # htmx took the answer, did not drop it
