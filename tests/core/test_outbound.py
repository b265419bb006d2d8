"""The outbound policy (SSRF): a vendor URL to a loopback, private, link-local or unique-local address
is refused when saved unless CONSOLE_OUTBOUND_ALLOW lists it, and every connection is checked again
on the address it really goes to (a name that resolves elsewhere later is caught), redirects included.

The test settings allow loopback (the simulators run there); these tests set the allow-list themselves.
"""

import re
import socket

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from console.teams.models import Role
from tests.harness.vendor_entries import VENDORS, entry, environ
from tests.testvendor.models import WidgetConnection
from vendors.core import outbound, polling, registry
from vendors.core.provisioning import ProvisionError, provision
from vendors.core.simulator import Response

REFUSED = "outbound connections to it are refused unless CONSOLE_OUTBOUND_ALLOW lists it."


@pytest.fixture
def admin_client(client, members):
    client.force_login(members[Role.ADMIN])
    return client


def add_widgets(client, team, url: str):
    """Add a widget connection through the page; the response (a redirect when it was saved)."""
    return client.post(reverse("core:connection-create", args=["widgets"]), {
        "name": "widgets-new", "team": team.pk, "base_url": url, "poll_seconds": 60, "enabled": "on",
        "secret_token": "canary-widgets-token-5e1d"})


def url_error(response) -> str:
    return " ".join(response.context["form"].errors.get("base_url", [])) if response.status_code == 200 else ""


@pytest.mark.parametrize(("url", "said"), [
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("http://127.0.0.1:8080/", "127.0.0.1 is a loopback address"),
    ("http://10.1.2.3/", "10.1.2.3 is a private address"),
    ("http://192.168.0.10:9000/", "192.168.0.10 is a private address"),
    ("https://[fd00::1]/", "fd00::1 is a unique-local address"),
    ("https://[fe80::1]/", "fe80::1 is a link-local address"),
    ("http://0.0.0.0:80/", "0.0.0.0 is an unspecified address"),
    ("http://localhost:8080/", "localhost resolves to (127.0.0.1|::1), a loopback address"),
])
def test_a_refused_address_is_refused_when_saved(admin_client, team, settings, url, said):
    settings.CONSOLE_OUTBOUND_ALLOW = []
    response = add_widgets(admin_client, team, url)
    assert re.fullmatch(f"{said}; {re.escape(REFUSED)}", url_error(response)), url_error(response)
    assert url_error(response) in response.content.decode()  # shown beside the field
    assert not WidgetConnection.objects.exists()


@pytest.mark.parametrize(("allow", "url", "saved"), [
    (["10.0.0.0/8"], "http://10.1.2.3/", True),
    (["10.0.0.0/8"], "http://172.16.0.1/", False),
    (["169.254.169.254"], "http://169.254.169.254/", True),
    (["localhost"], "http://localhost:8080/", True),  # a listed name is trusted whatever it resolves to
    (["127.0.0.1:8443"], "http://127.0.0.1:8443/", True),
    (["127.0.0.1:8443"], "http://127.0.0.1:8444/", False),  # the port must match
    (["127.0.0.1:443"], "https://127.0.0.1/", True),  # the scheme's port
    (["localhost:8443"], "http://localhost:9000/", False),
    (["[fd00::/8]:443"], "https://[fd00::1]/", True),
    (["[fd00::/8]:443"], "http://[fd00::1]/", False),
    (["fd00::/8"], "http://[fd00::1]:8080/", True),
    ([], "https://93.184.215.14/", True),  # public addresses need no listing
])
def test_the_allow_list_admits_what_it_names(admin_client, team, settings, allow, url, saved):
    settings.CONSOLE_OUTBOUND_ALLOW = allow
    response = add_widgets(admin_client, team, url)
    assert (response.status_code == 302) is saved, url_error(response)
    assert WidgetConnection.objects.filter(base_url=url).exists() is saved
    if not saved:
        assert REFUSED in url_error(response)


def test_provision_is_refused_a_private_url_too(db, team, settings):
    settings.CONSOLE_OUTBOUND_ALLOW = ["10.0.0.0/8"]
    with pytest.raises(ProvisionError, match=rf"field 'url': 192\.168\.1\.1 is a private address; {REFUSED}"):
        provision({"connections": [entry("scalr", team, "https://192.168.1.1")]}, environ=environ("scalr"))


@pytest.fixture
def resolver(monkeypatch):
    """`resolver["rebind.test"] = "8.8.8.8"`: what that name resolves to now (the test's DNS), and
    `resolver.asked`: how often it was looked up. Other names resolve as usual."""
    real = socket.getaddrinfo

    class Resolver(dict):
        asked = 0

    answers = Resolver()

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            answers.asked += 1
            return real(answers[host], port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def test_a_name_that_resolves_to_a_refused_address_later_is_refused_when_connecting(
        admin_client, team, settings, resolver, catchers):
    catcher = catchers()
    settings.CONSOLE_OUTBOUND_ALLOW = []
    resolver["rebind.test"] = "8.8.8.8"  # public when saved...
    url = f"http://rebind.test:{catcher.url.rsplit(':', 1)[1]}"
    assert add_widgets(admin_client, team, url).status_code == 302
    connection = WidgetConnection.objects.get(base_url=url)

    resolver["rebind.test"], resolver.asked = "127.0.0.1", 0  # ...the catcher's loopback when used
    said = f"rebind.test resolves to 127.0.0.1, a loopback address; {REFUSED}"
    response = admin_client.post(reverse("core:connection-test", args=["widgets", connection.pk]))
    assert said in response.content.decode()
    assert resolver.asked == 1, "a refusal is not retried"

    polling.connection_poll(vendor="widgets", pk=connection.pk,
                            lease=polling.connection_claim(connection=connection, force=True))
    connection.refresh_from_db()
    assert said in connection.last_error
    page = admin_client.get(reverse("core:connection-detail", args=["widgets", connection.pk]))
    assert said in page.content.decode()
    assert catcher.requests == [], "not a byte reached the refused address"


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_vendor_client_connects_through_the_policy(admin_client, team, settings, catchers, vendor):
    """A connection saved before the policy (or with an address the allow-list has dropped since) is
    refused at connect time by every vendor's client, Scalingo's token exchange included."""
    catcher = catchers()
    provision({"connections": [entry(vendor, team, catcher.url)]}, environ=environ(vendor))
    connection = registry.get(vendor).connection_model.objects.get(name=f"{vendor}-prod")
    settings.CONSOLE_OUTBOUND_ALLOW = []
    response = admin_client.post(reverse("core:connection-test", args=[vendor, connection.pk]))
    assert f"127.0.0.1 is a loopback address; {REFUSED}" in response.content.decode()
    assert catcher.requests == []


@pytest.mark.parametrize("target_allowed", [False, True])
def test_a_redirect_is_never_followed(admin_client, team, settings, catchers, target_allowed):
    target = catchers()
    vendor = catchers(answer=Response(302, "", {"Location": f"{target.url}/me"}))
    allow = [f"127.0.0.1:{port.url.rsplit(':', 1)[1]}" for port in (vendor, target)]
    settings.CONSOLE_OUTBOUND_ALLOW = allow if target_allowed else allow[:1]
    assert add_widgets(admin_client, team, vendor.url).status_code == 302
    connection = WidgetConnection.objects.get()
    response = admin_client.post(reverse("core:connection-test", args=["widgets", connection.pk]))
    assert "Authenticated" not in response.content.decode()
    assert len(vendor.requests) == 1 and target.requests == []


@pytest.mark.parametrize("entry_text", ["host:", "10.0.0.0/8:http", "[::1]x", "two words", "/8"])
def test_an_unreadable_allow_list_entry_is_named(settings, entry_text):
    settings.CONSOLE_OUTBOUND_ALLOW = ["127.0.0.1", entry_text]
    with pytest.raises(ImproperlyConfigured, match="CONSOLE_OUTBOUND_ALLOW: .*" + entry_text[:2].replace("[", r"\[")):
        outbound.rules()


def test_the_demo_allows_exactly_its_simulators(settings):
    """`manage.py demo` (which a test cannot start here: CI holds its ports) lets its own processes
    reach each simulator's port on loopback, and no other."""
    from vendors.core.management.commands.demo import Command

    settings.CONSOLE_OUTBOUND_ALLOW = []
    env = {}
    Command()._allow_simulators(env)
    ports = [spec.demo.port for spec in registry.vendors() if spec.demo is not None]
    assert ports and env["CONSOLE_OUTBOUND_ALLOW"] == ",".join(f"127.0.0.1:{port}" for port in ports)
    for port in ports:
        outbound.check_url(f"http://127.0.0.1:{port}")
    with pytest.raises(outbound.OutboundRefused):
        outbound.check_url(f"http://127.0.0.1:{max(ports) + 1}")


@pytest.mark.parametrize("vendor", ["scalingo", "scalyr"])
def test_a_refused_url_is_the_one_thing_said_beside_the_field(admin_client, team, settings, vendor):
    # with no region chosen the form also needs a URL; a refused one is not a missing one
    settings.CONSOLE_OUTBOUND_ALLOW = []
    response = admin_client.post(reverse("core:connection-create", args=[vendor]), {
        "name": f"{vendor}-new", "team": team.pk, "base_url": "http://169.254.169.254/", "poll_seconds": 60,
        "region": "", "secret_token": "canary-token-5e1d", "secret_read_logs_token": "canary-token-5e1d"})
    assert response.context["form"].errors["base_url"] == [
        f"169.254.169.254 is a link-local address; {REFUSED}"]
