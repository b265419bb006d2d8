"""Every page of the demo, as every role: no console error, no CSP violation, no link or control
that answers 403, one highlighted section in the navigation (issue 12, items 3 and 4); and axe-core
finds no serious or critical violation on any page, light and dark (item 10, in test_axe.py, which
shares this crawl).

One crawl per role visits one page of each kind (path segments holding a digit made `N`, plus the `tab`) that the
role reaches by following links from the overview, and does every check on each page it visits.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import Resolver404, resolve

from console.teams.models import Role
from tests.browser.conftest import login
from tests.browser.test_demo_overview import demo  # noqa: F401  (the demo fixture)
from tests.conftest import PASSWORD
from tests.core.test_permissions import MATRIX as CORE
from tests.harness.waiting import wait_for
from tests.scalingo.test_permissions import MATRIX as SCALINGO
from tests.scalr.test_permissions import MATRIX as SCALR
from tests.scalyr.test_permissions import MATRIX as SCALYR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_KINDS = 70
#: never followed: they end the session, stream forever, or are not pages
SKIP = re.compile(r"logout|/static/|/callback|/tail|/stream|/metrics|/api/schema/|\.(png|svg|json|txt)$")

#: every securitypolicyviolation event, reported to the test before the page's own scripts run
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', e => window.__cspReport(
  `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile || ''}:${e.lineNumber} `
  + `(${(e.sample || '').slice(0, 80)})`));
"""

#: the URLs a page links to or sends to, with whether the control is shown disabled (with a reason)
TARGETS = """() => {
  const out = [];
  const absolute = url => new URL(url, location.href).href;
  const disabled = el => {
    const control = el.matches('form') ? el.querySelector('[type=submit], button:not([type=button])') : el;
    const off = control && (control.disabled || control.getAttribute('aria-disabled') === 'true'
                            || control.closest('fieldset[disabled]'));
    return off ? (control.getAttribute('title') || control.closest('[title]')?.getAttribute('title') || '') : null;
  };
  for (const a of document.querySelectorAll('a[href]')) {
    out.push({method: 'get', url: absolute(a.getAttribute('href')), disabled: disabled(a), what: a.outerHTML.slice(0, 160)});
  }
  for (const form of document.querySelectorAll('form')) {
    const post = (form.getAttribute('method') || 'get').toLowerCase() === 'post' || form.hasAttribute('hx-post');
    const url = form.getAttribute('hx-post') || form.getAttribute('action');
    if (url) out.push({method: post ? 'post' : 'get', url: absolute(url), disabled: disabled(form), what: form.outerHTML.slice(0, 160)});
  }
  for (const el of document.querySelectorAll('[hx-post]:not(form), [hx-get]:not(form):not(input), [formaction]')) {
    const url = el.getAttribute('hx-post') || el.getAttribute('formaction') || el.getAttribute('hx-get');
    const method = el.hasAttribute('hx-post') || el.hasAttribute('formaction') ? 'post' : 'get';
    out.push({method, url: absolute(url), disabled: disabled(el), what: el.outerHTML.slice(0, 160)});
  }
  return out;
}"""

#: the least role of each POST URL, from the permission matrices (a POST is never sent to find out)
POST_MINIMUM = {row.name: row.minimum for matrix in (CORE, SCALR, SCALINGO, SCALYR) for row in matrix
                if row.method == "post"}


def kind(url: str) -> str:
    """One page of each kind: the path with its numbers made N, and the tab it shows."""
    parts = urlsplit(url)
    tab = parse_qs(parts.query).get("tab", [""])[0]
    return re.sub(r"[^/]*\d[^/]*", "N", parts.path) + (f"?tab={tab}" if tab else "")


def own(href: str | None, base: str) -> str | None:
    """The path and query of a link to one of our pages, else None."""
    if not href or href.startswith(("#", "mailto:", "javascript:")):
        return None
    if href.startswith(base):
        href = href[len(base):] or "/"
    if not href.startswith("/") or href.startswith("//") or SKIP.search(href.split("?")[0]):
        return None
    return href.split("#")[0]


def crawl(page, visit, *, start: str = "/"):
    """Visit one page of each kind reachable from `start`; `visit(path)` checks the open page and
    returns the links to follow."""
    seen, queue = set(), [start]
    while queue and len(seen) < MAX_KINDS:
        path = queue.pop(0)
        if kind(path) in seen:
            continue
        seen.add(kind(path))
        response = page.goto(path)
        if response is None or response.status >= 400:
            continue  # reported by the link check of the page that linked here
        settle(page)
        queue.extend(visit(path))
    return seen


#: the page is loaded, htmx has nothing in flight, and every image has loaded or failed
SETTLED = """() => document.readyState === 'complete' && !document.querySelector('.htmx-request')
  && [...document.images].every(img => img.complete)"""


def settle(page) -> None:
    """Wait until the page's own requests are over (htmx loads on `load`, then what those load)."""
    page.wait_for_load_state("load")
    streak = []  # settled twice in a row, a beat apart: an htmx `load` trigger has had its turn

    def twice():
        streak.append(page.evaluate(SETTLED))
        return streak[-2:] == [True, True]

    wait_for(twice, timeout=15, interval=0.1, what=f"{page.url} settled")


class RoleCrawl:
    """Everything a role's crawl found wrong, page by page."""

    def __init__(self, page, role: str, base: str):
        self.page, self.role, self.base = page, role, base
        self.problems: list[str] = []
        self.current = "/"
        self.statuses: dict[str, int] = {}
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.problems.append(f"{self.current}: page error {error}"))
        page.context.expose_binding("__cspReport", lambda source, text: self.problems.append(
            f"{self.current}: CSP violation {text}"))
        page.context.add_init_script(CSP_LISTENER)

    def on_console(self, message) -> None:
        where = message.location.get("url", "")
        if message.type == "error" and "ERR_NAME_NOT_RESOLVED" in message.text and not where.startswith(self.base):
            return  # another site's image (a Scalingo add-on's logo on its CDN): the test machine has no internet
        if message.type == "error":
            self.problems.append(f"{self.current}: console error {message.text[:300]}"
                                 f" ({message.location.get('url', '')})")

    def visit(self, path: str) -> list[str]:
        self.current = path
        current = self.page.locator("header nav [aria-current='page']")
        if current.count() != 1 and not path.startswith("/api/docs/"):  # Swagger UI: the API's own page, no nav
            self.problems.append(f"{path}: {current.count()} sections highlighted in the navigation "
                                 f"{current.all_inner_texts()}")
        follow = []
        for target in self.page.evaluate(TARGETS):
            url = own(target["url"], self.base)
            if url is None:
                continue
            if target["disabled"] is not None:
                if not target["disabled"].strip():
                    self.problems.append(f"{path}: disabled with no reason in title: {target['what']}")
                continue
            if target["method"] == "post":
                self.check_post(path, url, target["what"])
                continue
            status = self.status(url)
            if status == 403:
                self.problems.append(f"{path}: links to {url}, which answers 403: {target['what']}")
            elif target["what"].startswith("<a"):
                follow.append(url)
        return follow

    def status(self, url: str) -> int:
        key = kind(url)
        if key not in self.statuses:
            self.statuses[key] = self.page.request.get(url, max_redirects=0).status
        return self.statuses[key]

    def check_post(self, path: str, url: str, what: str) -> None:
        try:
            name = resolve(urlsplit(url).path).view_name
        except Resolver404:
            self.problems.append(f"{path}: sends to {url}, which is no URL of ours: {what}")
            return
        minimum = POST_MINIMUM.get(name)
        if minimum is not None and Role.rank(self.role) < Role.rank(minimum):
            self.problems.append(f"{path}: offers {name} (needs {minimum}) without disabling it: {what}")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.ADMIN])
def test_every_page_is_clean_for_the_role(new_page, members, demo, live_server, role):  # noqa: F811
    """As `role`: no console error, page error or CSP violation on any page; no link, form or button
    that leads to a 403 (hidden, or disabled with the reason in its title); one highlighted section."""
    page = new_page()
    found = RoleCrawl(page, role, live_server.url)
    login(page, members[role].username, PASSWORD)
    seen = crawl(page, found.visit)
    assert len(seen) >= 20, sorted(seen)
    assert found.problems == [], "\n".join(dict.fromkeys(found.problems))


def test_the_log_explorer_stays_quiet_while_queries_replace_each_other(new_page, members, demo,  # noqa: F811
                                                                       live_server):
    """Queries sent over each other, more lines, the live tail and Cancel: no console error or CSP report
    (htmx 2 logs an aborted request as an error; a replaced or cancelled query is dropped instead)."""
    from vendors.scalyr.models import ScalyrConnection

    page = new_page()
    found = RoleCrawl(page, Role.OPERATOR, live_server.url)
    login(page, members[Role.OPERATOR].username, PASSWORD)
    found.current = f"/scalyr/{ScalyrConnection.objects.first().pk}/"
    page.goto(found.current)
    lines = page.locator("#log-lines > li")
    lines.first.wait_for()
    for text in ("error", "status", "error"):  # each replaces the one before, still in flight
        page.locator("#filter").fill(text)
        page.locator("#filter").press("Enter")
    settle(page)
    lines.first.wait_for()
    page.locator("#filter").fill("error")
    page.locator("#filter").press("Enter")
    page.locator("[data-scalyr-cancel]").dispatch_event("click")  # shown only while a query runs
    page.locator("input[name=tail]").check()
    page.locator("#filter").press("Enter")
    settle(page)
    page.locator("#tail[hx-get]").wait_for()
    page.locator("#filter").press("Enter")  # the tail's next poll is dropped with the old query
    settle(page)
    held = []  # the tail's next poll never answers: leaving the page aborts it
    page.route(re.compile(r"/tail/\?"), lambda route: held.append(route))
    page.locator("#tail.htmx-request").wait_for(state="attached")
    page.goto("/")
    settle(page)
    assert held and found.problems == [], "\n".join(found.problems)
