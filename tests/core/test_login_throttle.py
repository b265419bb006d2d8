"""The login rate limit behind the documented proxy: one client's failures lock out that client only.

Requests arrive as nginx forwards them (deploy/nginx.conf): from the proxy's address, with the
client's address appended to X-Forwarded-For, and the console runs with the proxy count of
deploy/console.env.example.
"""

import re
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.harness.factories import PASSWORD, UserFactory

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NGINX = "127.0.0.1"  # gunicorn's bind in deploy/gunicorn.conf.py: nginx connects from loopback


def documented_proxy_count() -> int:
    env = (DEPLOY / "console.env.example").read_text()
    return int(re.search(r"^CONSOLE_PROXY_COUNT=(\d+)$", env, re.M).group(1))


def through_nginx(client, username, password, *, client_address, sent_header=None):
    """A sign-in as nginx forwards it: `$proxy_add_x_forwarded_for` appends the address it saw."""
    forwarded = f"{sent_header}, {client_address}" if sent_header else client_address
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=forwarded)


@pytest.fixture
def deploy_settings():
    with override_settings(CONSOLE_PROXY_COUNT=documented_proxy_count()):
        yield


def test_nginx_appends_the_client_address_where_the_console_reads_it():
    conf = (DEPLOY / "nginx.conf").read_text()
    pages = re.search(r"location / \{(.*?)\n    \}", conf, re.S).group(1)
    assert re.search(r"proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;", pages)
    assert documented_proxy_count() == 1  # one nginx, no load balancer in front of it


def test_five_failures_lock_out_that_client_and_not_the_same_user_elsewhere(deploy_settings, client, db):
    UserFactory(username="alice")
    failures = [through_nginx(client, "alice", "wrong", client_address="203.0.113.7") for _ in range(5)]
    assert [response.status_code for response in failures] == [200, 200, 200, 200, 429]  # the fifth locks
    locked = through_nginx(client, "alice", PASSWORD, client_address="203.0.113.7")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()

    signed_in = through_nginx(client, "alice", PASSWORD, client_address="198.51.100.20")
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("overview:home")


def test_a_forged_forwarded_header_does_not_escape_the_lockout(deploy_settings, client, db):
    UserFactory(username="mallory-target")
    for attempt in range(5):
        through_nginx(client, "mallory-target", "wrong", client_address="203.0.113.66",
                      sent_header=f"10.9.8.{attempt}")
    for forged in ("10.9.8.200", "198.51.100.20", "203.0.113.67, 198.51.100.21", "not-an-address"):
        response = through_nginx(client, "mallory-target", PASSWORD, client_address="203.0.113.66", sent_header=forged)
        assert response.status_code == 429, forged


def test_without_a_proxy_count_every_client_behind_nginx_is_one_address(client, db):
    """What the setting fixes: counted by the proxy's address, one client's failures lock out everyone."""
    UserFactory(username="bob")
    for _ in range(5):
        through_nginx(client, "bob", "wrong", client_address="203.0.113.7")
    assert through_nginx(client, "bob", PASSWORD, client_address="198.51.100.20").status_code == 429
