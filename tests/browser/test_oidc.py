"""Sign-in through a real OpenID provider in a real browser: teams from groups, refused tokens.

The provider is node-oidc-provider (tests/oidc/idp.py) with PKCE required; its client secret
is a canary that no page and no log line may show.
"""

import logging
import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from console.audit.models import AuditEvent
from console.teams.models import Role, SsoGroupMapping
from tests.browser.conftest import screenshot
from tests.harness.factories import TeamFactory
from tests.oidc.idp import idp, oidc_provider, secret_forms  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Watch:
    """The console's pages the browser loaded and the statuses it answered (a short repr: a failing
    test's traceback prints its fixtures, and a page must not reach the output even then)."""

    def __init__(self, live_server):
        self.live_server, self.pages, self.statuses = live_server, [], []

    def __call__(self, page):
        page.on("response", lambda response: self.statuses.append(response.status)
                if response.url.startswith(self.live_server.url) else None)
        page.on("load", lambda loaded: self.pages.append(loaded.content()))
        return page

    def __repr__(self):
        return f"<Watch of {len(self.pages)} pages, statuses {sorted(set(self.statuses))}>"


@pytest.fixture
def watch(caplog, live_server):
    """Every log line at DEBUG and every page of the console the browser loaded, for the canary."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "django", "mozilla_django_oidc", "console"):
        caplog.set_level(logging.DEBUG, logger=name)
    watch = Watch(live_server)
    yield watch
    logged = "\n".join(logging.Formatter().format(record) for phase in ("setup", "call")
                       for record in caplog.get_records(phase))  # caplog.text, here, is the teardown's
    leaked = [where for where, text in [("a log line", logged)] + [("a page", page) for page in watch.pages]
              if any(form in text for form in secret_forms())]
    assert not leaked, f"the client secret appeared in {sorted(set(leaked))}"  # never the secret itself
    assert watch.statuses and all(status < 500 for status in watch.statuses), watch


def sign_in_with_provider(page, login=None, start="/accounts/login/"):
    """From the login page through the provider; `login` fills the provider's own login form
    (a browser the provider already knows goes straight back)."""
    page.goto(start)
    page.get_by_role("button", name="Sign in with Keycloak").click()
    if login:
        page.locator("input[name=login]").fill(login)
        page.locator("input[name=password]").fill("any password")
        page.get_by_role("button", name="Sign-in").click()


def test_groups_give_teams_at_every_sign_in(idp, new_page, watch, live_server):  # noqa: F811
    platform = TeamFactory(name="Platform", slug="platform")
    SsoGroupMapping.objects.create(group="ops-admins", team=platform, role=Role.ADMIN)
    SsoGroupMapping.objects.create(group="ops-viewers", team=platform, role=Role.VIEWER)
    idp.accounts({"alice": {"preferred_username": "alice", "email": "alice@example.com",
                            "groups": ["ops-admins", "unmapped"], "groups_in": "id_token"}})
    page = watch(new_page())

    sign_in_with_provider(page, login="alice", start="/teams/")  # the login page's ?next= survives the trip
    page.wait_for_url(f"{live_server.url}/teams/")
    row = page.get_by_role("row", name=re.compile("Platform"))
    expect(row).to_contain_text("Admin")
    alice = get_user_model().objects.get(username="alice")
    assert alice.email == "alice@example.com" and not alice.has_usable_password()

    # moved to ops-viewers, the groups now only in the userinfo answer; the provider remembers the browser
    idp.accounts({"alice": {"preferred_username": "alice", "groups": ["ops-viewers"], "groups_in": "userinfo"}})
    page.get_by_role("button", name=re.compile("Log out")).click()
    sign_in_with_provider(page)
    page.wait_for_url(f"{live_server.url}/")
    page.goto("/teams/")
    expect(page.get_by_role("row", name=re.compile("Platform"))).to_contain_text("Viewer")

    # in no group at all (the claim left out, as Keycloak does): no team, the no-access page
    idp.accounts({"alice": {"preferred_username": "alice"}})
    page.get_by_role("button", name=re.compile("Log out")).click()
    sign_in_with_provider(page)
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_text("You are not in any team yet")).to_be_visible()
    page.goto("/teams/")
    expect(page.get_by_text("You are not a member of any team yet")).to_be_visible()

    assert list(AuditEvent.objects.filter(actor_label="sso").order_by("id").values_list("verb", flat=True)) == [
        "member.add", "member.role", "member.remove"]
    assert get_user_model().objects.filter(username="alice").count() == 1


REFUSALS = {
    "forged": "signature does not match the provider's keys",
    "expired": "the ID token has expired",
    "wrong_audience": "issued for another client",
    "wrong_issuer": "another issuer",
    "wrong_nonce": "does not belong to this sign-in",
    "hs256": "'HS256', which the console does not accept",
    "unknown_kid": "signed with a key the provider does not publish",
    "unsigned": "'none', which the console does not accept",
}


@pytest.mark.parametrize("mode", REFUSALS)
def test_a_bad_id_token_is_refused_with_a_sentence(idp, new_page, watch, live_server, mode, caplog):  # noqa: F811
    idp.accounts({"mallory": {"preferred_username": "mallory", "groups": ["ops-admins"]}})
    idp.mode(mode)
    page = watch(new_page())

    sign_in_with_provider(page, login="mallory")
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    expect(page.locator(".flash-error")).to_contain_text("Sign-in through Keycloak failed: the ")
    expect(page.locator(".flash-error")).to_contain_text(REFUSALS[mode])
    expect(page.get_by_role("button", name="Sign in with Keycloak")).to_be_visible()
    screenshot(page, f"oidc-refused-{mode}")
    assert not get_user_model().objects.filter(username="mallory").exists()
    # an unknown key makes the console read the key set once more (a rotation); HS256 and none need none
    key_reads = [record for record in caplog.records if "signing keys from" in record.getMessage()]
    assert len(key_reads) == (2 if mode == "unknown_kid" else 1 if mode not in ("hs256", "unsigned") else 0)


def test_a_wrong_client_secret_is_a_sentence(idp, new_page, watch, live_server, settings):  # noqa: F811
    idp.accounts({"alice": {"preferred_username": "alice"}})
    settings.OIDC_CLIENT_SECRET = "not-the-registered-secret"
    page = watch(new_page())

    sign_in_with_provider(page, login="alice")
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    expect(page.locator(".flash-error")).to_contain_text("refused the console's client ID or secret (invalid_client)")
    assert "not-the-registered-secret" not in page.content()
