"""CONSOLE_LOCAL_LOGIN=false: console passwords only for superusers; the directory still signs people in."""

import pytest
from django.test import override_settings
from django.urls import reverse

from console.teams.local_login import MESSAGE
from tests.harness.factories import PASSWORD, UserFactory
from tests.sso.slapd import password_of

pytestmark = pytest.mark.django_db
WRONG = "Please enter a correct username and password"


def sign_in(client, username, password, address="203.0.113.20"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def local_login_off():
    with override_settings(CONSOLE_LOCAL_LOGIN=False):
        yield


def test_local_accounts_sign_in_by_default(client):
    UserFactory(username="erin")
    assert sign_in(client, "erin", PASSWORD).status_code == 302


def test_turned_off_a_local_password_is_refused_with_a_sentence(client, local_login_off):
    UserFactory(username="erin")
    response = sign_in(client, "erin", PASSWORD)
    assert response.status_code == 200
    page = response.content.decode()
    assert MESSAGE in page and WRONG not in page
    assert "_auth_user_id" not in client.session


def test_turned_off_a_wrong_password_says_only_that_it_is_wrong(client, local_login_off):
    UserFactory(username="erin")
    for username in ("erin", "nobody-at-all"):
        page = sign_in(client, username, "wrong-password").content.decode()
        assert WRONG in page and MESSAGE not in page


def test_turned_off_refusals_count_toward_the_lockout(client, local_login_off):
    UserFactory(username="erin")
    assert [sign_in(client, "erin", PASSWORD).status_code for _ in range(5)] == [200, 200, 200, 200, 429]


def test_turned_off_superusers_keep_their_password(client, local_login_off):
    UserFactory(username="root", superuser=True)
    assert sign_in(client, "root", PASSWORD).status_code == 302


def test_turned_off_directory_people_still_sign_in(client, directory, local_login_off):
    UserFactory(username="erin")
    assert sign_in(client, "alice", password_of("alice")).status_code == 302
    client.logout()
    assert MESSAGE in sign_in(client, "erin", PASSWORD, address="203.0.113.21").content.decode()
