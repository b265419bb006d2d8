"""axe-core on every page of the demo, light and dark: no serious or critical violation (issue 12, item 10).

The crawl is test_crawl.py's (one page of each kind the admin reaches; a viewer's pages are a subset);
it runs in its own file so the two crawls share the CI's workers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from console.teams.models import Role
from tests.browser.conftest import login
from tests.browser.test_crawl import crawl, own
from tests.browser.test_demo_overview import demo  # noqa: F401  (the demo fixture)
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core, for the tests only (vendor/VERSION)


#: pages drawn by a library the console serves as it comes: Swagger UI's own markup and colours (its
#: contrast and nested controls are upstream's; the console's pages around it are checked)
THIRD_PARTY = ("/api/docs/",)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(browser, members, demo, live_server, scheme):  # noqa: F811
    """axe-core on every page the admin reaches (a viewer's pages are a subset), in both themes:
    no serious or critical violation. CSP is bypassed in this context only, to inject axe."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800},
                                  color_scheme=scheme, bypass_csp=True)
    context.set_default_timeout(30_000)
    context.add_init_script(path=str(AXE))
    try:
        page = context.new_page()
        login(page, members[Role.ADMIN].username, PASSWORD)
        violations: list[str] = []

        def visit(path: str) -> list[str]:
            if path.startswith(THIRD_PARTY):
                return []
            result = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
              .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => `${v.id} (${v.impact}): ${v.help} -- ` + v.nodes.slice(0, 3)
                .map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200))
                .join(' | '))""")
            violations.extend(f"{path}: {text}" for text in result)
            links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
            return [url for href in links if (url := own(href, live_server.url))]

        seen = crawl(page, visit)
        assert len(seen) >= 20, sorted(seen)
        assert violations == [], "\n".join(violations)
    finally:
        context.close()
