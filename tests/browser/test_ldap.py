"""Sign-in with the company directory in a real browser, against a real slapd (tests/sso/)."""

import pytest
from playwright.sync_api import expect

from console.teams.models import Role, SsoGroupMapping
from tests.browser.conftest import login
from tests.harness.factories import FarmFactory, TeamFactory
from tests.sso.conftest import directory, slapd  # noqa: F401  (fixtures)
from tests.sso.slapd import password_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_directory_admin_signs_in_sees_the_team_and_loses_it_with_the_group(new_page, directory):  # noqa: F811
    team = TeamFactory(name="platform", slug="platform")
    SsoGroupMapping.objects.create(group="ops-admins", team=team, role=Role.ADMIN)
    FarmFactory(name="web-prod", environment__connection__team=team)

    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not-her-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")

    login(page, "alice", password_of("alice"))
    page.goto("/scalr/farms/")
    expect(page.get_by_role("link", name="web-prod")).to_be_visible()
    page.goto(f"/teams/{team.slug}/")
    expect(page.get_by_role("row", name="alice")).to_contain_text("Admin from their groups")

    directory.set_groups("alice", [])
    again = new_page()
    login(again, "alice", password_of("alice"))
    expect(again.get_by_text("You are not in any team yet")).to_be_visible()
    again.goto("/scalr/farms/")
    expect(again.get_by_text("web-prod")).to_have_count(0)
