"""The overview on the demo data of every vendor: counts, what needs attention, timeline, search."""

import re

import pytest
from django.utils.module_loading import import_string
from playwright.sync_api import expect

from console.teams.models import Role
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD
from vendors.core import polling, registry
from vendors.core.provisioning import provision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(team):
    """Every vendor's demo simulator, connected the way `manage.py demo` connects, polled once."""
    simulators, document = [], {"connections": []}
    for spec in registry.vendors():
        if spec.demo is None:
            continue
        simulator = import_string(spec.demo.simulator).demo()
        simulators.append(simulator)
        for entry in spec.demo.connections(simulator.serve()):
            document["connections"].append({**entry, "team": team.name})
    provision(document, environ={}, inline_secrets=True)
    # one poll should see everything: lift Scalingo's 60 requests a minute for this test only
    for simulator in simulators:
        if hasattr(simulator, "limiter"):
            simulator.limiter.limit = None
    if registry.find("scalingo"):
        for connection in registry.get("scalingo").connection_model.objects.all():
            connection.settings["requests_per_minute"] = 0
            connection.save(update_fields=["settings"])
    for spec in registry.vendors():
        for connection in spec.connection_model.objects.all():
            lease = polling.connection_claim(connection=connection, force=True)
            outcome = polling.connection_poll(vendor=spec.name, pk=connection.pk, lease=lease)
            assert outcome.status == "ok", (connection.name, outcome.message)
    yield {sim.vendor: sim for sim in simulators}
    for simulator in simulators:
        simulator.stop()


def test_overview_shows_every_vendor_and_what_needs_attention(new_page, members, demo):
    page = new_page()
    login(page, members[Role.VIEWER].username, PASSWORD)
    for label in ("Scalr", "Scalingo", "Scalyr"):
        expect(page.get_by_role("heading", name=label, exact=True)).to_be_visible()
    expect(page.locator(".figure-card", has_text="Farms").first).to_be_visible()
    expect(page.locator(".figure-card", has_text="Apps").first).to_be_visible()
    items = page.locator(".attention-list li")
    expect(items.first).to_be_visible()
    screenshot(page, "demo-overview")
    first = items.first.locator("a").first
    title = first.inner_text()
    first.click()
    expect(page).not_to_have_url(re.compile(r"^https?://[^/]+/$"))  # left the overview
    assert page.locator("h1").first.inner_text()  # the target page opened
    assert title.split()[0] in page.content()


def test_search_finds_a_server_by_ip_and_an_app_by_domain(new_page, members, demo):
    from vendors.scalingo.models import App
    from vendors.scalr.models import Server

    server = Server.objects.exclude(public_ips=[]).exclude(public_ips="").first()
    ip = (server.public_ips if isinstance(server.public_ips, list) else str(server.public_ips).split(","))[0]
    app = App.objects.exclude(domains="").first()
    domain = app.domains.split()[0]

    page = new_page()
    login(page, members[Role.VIEWER].username, PASSWORD)
    page.keyboard.press("/")
    page.keyboard.type(str(ip).strip())
    results = page.locator("#global-search-results")
    expect(results).to_contain_text("Scalr servers")
    results.locator("a.search-result").first.click()
    expect(page.locator("body")).to_contain_text(str(ip).strip())

    page.locator("#global-search").click()
    page.keyboard.type(domain)
    expect(results).to_contain_text("Scalingo apps")
    expect(results).to_contain_text(app.name)
    results.get_by_role("option", name=re.compile(re.escape(app.name))).first.click()
    expect(page.get_by_role("heading", name=app.name)).to_be_visible()


def test_timeline_filters_by_vendor_on_the_demo(new_page, members, demo):
    page = new_page()
    login(page, members[Role.VIEWER].username, PASSWORD)
    page.goto("/timeline/?range=all")
    page.get_by_label("Vendor").select_option("scalr")
    expect(page).to_have_url(re.compile("vendor=scalr"))
    entries = page.locator("#timeline-entries li")
    expect(entries.first).to_contain_text("Scalr")
    texts = entries.all_inner_texts()
    assert texts and all("Scalingo ·" not in text for text in texts)
    screenshot(page, "demo-timeline")


def test_no_page_scrolls_sideways_on_a_phone(new_page, members, demo):
    """Every page an admin reaches by following links from the overview (one of each kind), at 390 px:
    wide tables scroll inside their card, the page itself never scrolls sideways."""
    page = new_page(viewport={"width": 390, "height": 844})
    login(page, members[Role.ADMIN].username, PASSWORD)
    seen, queue, wide = set(), ["/"], []
    skip = re.compile(r"logout|/static/|callback|/tail|/metrics|/stream|\.(png|svg|json)$")
    while queue and len(seen) < 45:
        path = queue.pop(0)
        kind = re.sub(r"\d+", "N", path.split("?")[0])
        if kind in seen:
            continue
        seen.add(kind)
        page.goto(path)
        page.wait_for_load_state()
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide.append((path, width))
        for href in page.eval_on_selector_all("a[href^='/']", "links => links.map(a => a.getAttribute('href'))"):
            href = href.split("#")[0]
            if href and not skip.search(href):
                queue.append(href)
    assert len(seen) >= 25, seen
    assert wide == []
