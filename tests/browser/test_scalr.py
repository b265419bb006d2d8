"""An operator launches a terminated Scalr farm and watches its servers come up; a viewer cannot."""

import re

import httpx
import pytest
from playwright.sync_api import expect

from console.teams.models import Role
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD
from vendors.core import polling
from vendors.scalr.forms import CALLBACK_SECRET
from vendors.scalr.models import Farm, ScalrConnection
from vendors.scalr.simulator import DEMO_V1_KEY_ID, DEMO_V1_SECRET, DEMO_V2_KEY_ID, DEMO_V2_SECRET, ScalrSimulator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scalr(team):
    """The demo Scalr installation (the world moves only when the test ticks it) and a polled connection."""
    simulator = ScalrSimulator.demo()
    simulator.serve()
    connections = {}
    for api, key, secret in (("v2", DEMO_V2_KEY_ID, DEMO_V2_SECRET), ("v1", DEMO_V1_KEY_ID, DEMO_V1_SECRET)):
        conn = ScalrConnection(name=f"scalr-{api}", team=team, base_url=simulator.url, settings={"api": api})
        conn.secrets.set("key_id", key)
        conn.secrets.set("secret", secret)
        conn.secrets.set(CALLBACK_SECRET, f"browser-{api}")
        conn.save()
        lease = polling.connection_claim(connection=conn, force=True)
        assert polling.connection_poll(vendor="scalr", pk=conn.pk, lease=lease).status == "ok"
        connections[api] = conn
    yield simulator, connections
    simulator.stop()


def tick(simulator) -> None:
    httpx.post(f"{simulator.url}/_sim/tick", json={"steps": 1}).raise_for_status()


def test_operator_launches_a_farm_and_watches_its_servers_run(new_page, members, scalr, celery_worker_thread,
                                                              settings):
    settings.SCALR_FOLLOW_INTERVAL_SECONDS = 0.5
    simulator, connections = scalr
    farm = Farm.objects.get(connection=connections["v2"], name="perf-test")
    page = new_page()
    login(page, members[Role.OPERATOR].username, PASSWORD)
    page.get_by_role("link", name="Farms", exact=True).first.click()
    page.wait_for_load_state()  # htmx wires the filters up once the page has loaded
    page.get_by_label("Status").select_option("terminated")
    rows = page.locator("#farm-rows")
    expect(rows).to_contain_text("perf-test")
    expect(rows).not_to_contain_text("web-prod")
    expect(page).to_have_url(re.compile(r"status=terminated"))  # the filter is in the URL
    screenshot(page, "scalr-farms-terminated")
    rows.locator("tr", has_text="scalr-v2").get_by_role("link", name="perf-test").click()
    expect(page.get_by_role("heading", name="perf-test")).to_be_visible()
    page.wait_for_load_state()  # the confirmation dialog's script is wired up at load

    page.get_by_role("button", name="Launch farm").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Launch farm “perf-test” in staging? Scalr starts 4 app server(s)")
    screenshot(page, "scalr-launch-confirm")
    dialog.get_by_role("button", name="Launch").click()

    status = page.locator("#actions .action-status")
    expect(status).to_contain_text("Launch farm perf-test")
    servers = page.locator("#farm-live table.servers tbody tr")
    expect(servers).to_have_count(4, timeout=20_000)  # Pending launch, read back by the worker
    running = page.locator("#farm-live table.servers .badge-ok")
    for _ in range(60):  # the world moves only when the test ticks it
        tick(simulator)
        try:
            expect(running).to_have_count(4, timeout=1_000)
            break
        except AssertionError:
            continue
    expect(running).to_have_count(4)
    expect(status).to_contain_text("Succeeded", timeout=20_000)
    expect(status).to_contain_text("Farm running: 4 of 4 server(s) Running.")
    expect(page.locator("#farm-live")).to_contain_text("4 running of 4")
    screenshot(page, "scalr-farm-launched")

    admin = new_page()
    login(admin, members[Role.ADMIN].username, PASSWORD)
    admin.goto("/audit/")
    entry = admin.locator("tr", has_text="scalr.farm.launch")
    expect(entry).to_contain_text(members[Role.OPERATOR].username)
    expect(entry).to_contain_text("perf-test")
    expect(entry).to_contain_text("Farm running: 4 of 4")
    screenshot(admin, "scalr-audit")


def test_a_viewer_cannot_launch(new_page, members, scalr):
    _, connections = scalr
    farm = Farm.objects.get(connection=connections["v1"], name="batch-prod")
    page = new_page()
    login(page, members[Role.VIEWER].username, PASSWORD)
    page.goto(f"/scalr/farms/{farm.pk}/")
    expect(page.get_by_role("heading", name="batch-prod")).to_be_visible()
    expect(page.get_by_role("button", name="Launch farm")).to_have_count(0)
    token = page.context.cookies()
    csrf = next(c["value"] for c in token if c["name"] == "csrftoken")
    response = page.request.post(f"/scalr/farms/{farm.pk}/launch/", headers={"X-CSRFToken": csrf})
    assert response.status == 403
    farm.refresh_from_db()
    assert farm.status == "terminated"


@pytest.mark.parametrize("viewport,scheme", [({"width": 1280, "height": 800}, "light"),
                                             ({"width": 390, "height": 844}, "dark")])
def test_the_scalr_pages_read_well(new_page, members, scalr, viewport, scheme):
    simulator, connections = scalr
    tag = f"{viewport['width']}-{scheme}"
    page = new_page(viewport=viewport, color_scheme=scheme)
    login(page, members[Role.ADMIN].username, PASSWORD)
    expect(page.get_by_text("Farms running")).to_be_visible()
    screenshot(page, f"scalr-overview-{tag}")
    v1 = connections["v1"]
    web = Farm.objects.get(connection=v1, name="web-prod")
    checks = [
        ("/scalr/farms/", "web-prod", "farms"),
        (f"/scalr/farms/{web.pk}/", "Roles and servers", "farm"),
        (f"/scalr/servers/{web.servers.first().pk}/", "Scalarizr agent", "server"),
        ("/scalr/servers/?status=starting", "Servers", "servers"),
        ("/scalr/scripts/", "Deploy application", "scripts"),
        (f"/scalr/scripts/{v1.environments.get(external_id=1).scripts.get(name='Deploy application').pk}/",
         "Revision 3", "script"),
        ("/scalr/dns/", "example.com", "dns"),
        (f"/scalr/dns/{web.dns_zones.get().pk}/", "mail.example.com.", "zone"),
        (f"/scalr/variables/?environment={v1.environments.get(external_id=1).pk}", "private, hidden", "variables"),
        ("/scalr/vhosts/", "www.example.com", "vhosts"),
        ("/scalr/deployments/", "Deployments feature was deprecated", "deployments"),
        (f"/scalr/connections/{v1.pk}/", "Event callback URL", "connection"),
    ]
    for url, text, name in checks:
        page.goto(url)
        expect(page.locator("main")).to_contain_text(text)
        if name == "farm":  # statistics are read from Scalr when the section is scrolled into view
            page.locator("#stats-box").scroll_into_view_if_needed()
            expect(page.locator("#stats-box")).to_contain_text("FarmGetStats method is deprecated")
            expect(page.locator("#stats-box img")).to_have_count(4)
        screenshot(page, f"scalr-{name}-{tag}")
    v2_farm = Farm.objects.get(connection=connections["v2"], name="web-prod")
    page.goto(f"/scalr/farms/{v2_farm.pk}/")
    expect(page.locator("#farm-logs")).to_contain_text("Not available on this connection: The farm system log")
    screenshot(page, f"scalr-farm-v2-{tag}")


def test_a_succeeded_launch_never_stands_next_to_a_terminated_badge(new_page, members, scalr, celery_worker_thread):
    """batch-prod's roles have a minimum of 0: Scalr runs it with no server. The page shows the action
    succeeded and, at once (not at the card's next 15 s poll), the farm Running with nothing to launch."""
    _, connections = scalr
    farm = Farm.objects.get(connection=connections["v1"], name="batch-prod")
    page = new_page()
    login(page, members[Role.OPERATOR].username, PASSWORD)
    page.goto(f"/scalr/farms/{farm.pk}/")
    expect(page.get_by_role("heading", name="batch-prod")).to_be_visible()
    page.wait_for_load_state()
    card = page.locator("#farm-live .farm-facts")
    expect(card).to_contain_text("Terminated")

    page.get_by_role("button", name="Launch farm").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Launch").click()

    status = page.locator("#actions .action-status")
    expect(status).to_contain_text("Succeeded", timeout=20_000)
    expect(status).to_contain_text("Farm running; its roles' minimum is 0 servers, so Scalr started none.")
    expect(card).to_contain_text("Running", timeout=5_000)
    expect(card).not_to_contain_text("Terminated")
    expect(page.get_by_role("button", name="Launch farm")).to_have_count(0)
    screenshot(page, "scalr-launched-empty-farm")


LOADED_GRAPHS = ("() => { const images = [...document.querySelectorAll('#stats-box img[data-graph]')];"
                 " return images.length === 4 && images.every(i => i.complete && i.naturalWidth > 0); }")


def test_monitoring_graphs_load_or_say_why_not(new_page, members, scalr):
    simulator, connections = scalr
    web = Farm.objects.get(connection=connections["v1"], name="web-prod")
    page = new_page()
    login(page, members[Role.ADMIN].username, PASSWORD)
    for url in (f"/scalr/farms/{web.pk}/", f"/scalr/servers/{web.servers.first().pk}/"):
        page.goto(url)
        page.locator("#stats-box").scroll_into_view_if_needed()
        expect(page.locator("#stats-box img[data-graph]")).to_have_count(4)
        page.wait_for_function(LOADED_GRAPHS)
        expect(page.locator("#stats-box .graph-placeholder")).to_have_count(0)
    # Scalr's statistics server loses its images: each box says so, and no broken image is left
    httpx.post(f"{simulator.url}/_sim/graphs_missing", json={}).raise_for_status()
    page = new_page()  # a fresh browser cache
    login(page, members[Role.ADMIN].username, PASSWORD)
    page.goto(f"/scalr/farms/{web.pk}/")
    page.locator("#stats-box").scroll_into_view_if_needed()
    placeholders = page.locator("#stats-box .graph-placeholder")
    expect(placeholders).to_have_count(4)
    expect(placeholders.first).to_have_text("Graph unavailable: the image failed to load.")
    expect(page.locator("#stats-box img")).to_have_count(0)
    expect(page.locator("#stats-box figcaption").first).to_contain_text("CPU")
    screenshot(page, "scalr-graphs-unavailable")
