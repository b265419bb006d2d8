"""A secret goes only where it was entered for: changing what decides where a connection's secrets
are sent (a URL, a region, Scalingo's auth service) asks for every secret again, through the pages
and through `provision`, so a team admin cannot point a connection at a host of their own and
collect the stored tokens with "Test connection".

Each vendor's connection holds a canary in every secret and points at a catcher standing for the
vendor; a second catcher on loopback stands for the admin's own server and must receive no canary.
"""

import re

import pytest
from django.urls import reverse

from console.teams.models import Role
from tests.harness.vendor_entries import canaries, entry, environ
from vendors.core import registry
from vendors.core.provisioning import ProvisionError, provision

STRANGER = "stranger"
#: (vendor, destination field, new value, whether "Test connection" then reaches that value's host)
MOVES = [("widgets", "base_url", STRANGER, True),
         ("scalingo", "base_url", STRANGER, False),  # the auth service (unchanged) refuses first
         ("scalingo", "auth_url", STRANGER, True),
         ("scalingo", "region", "osc-secnum-fr1", False),
         ("scalr", "base_url", STRANGER, True),
         ("scalyr", "base_url", STRANGER, True),
         ("scalyr", "region", "eu", False)]
YAML_KEY = {"base_url": "url"}


def edit_data(connection, **changes) -> dict:
    """The edit form as the page shows it for `connection`, with `changes` typed in."""
    form = registry.get(connection.vendor).form_class(instance=connection)
    data = {name: form[name].value() for name in form.fields if not name.startswith(("secret_", "clear_"))}
    data = {**data, "team": connection.team_id, **changes}
    return {name: value for name, value in data.items() if value not in (None, False, [])}


def field_error(html: str, field: str) -> str:
    found = re.search(rf'id="id_{field}_error"[^>]*>([^<]*)<', html)
    return found.group(1) if found else ""


def test_connection(client, connection) -> str:
    response = client.post(reverse("core:connection-test", args=[connection.vendor, connection.pk]))
    assert response.status_code == 200
    return response.content.decode()


test_connection.__test__ = False  # a helper, not a test


@pytest.mark.parametrize(("vendor", "field", "value", "reaches"), MOVES)
def test_a_moved_destination_never_receives_the_stored_secrets(client, members, team, catchers, vendor, field, value,
                                                               reaches):
    vendor_side, stranger = catchers(), catchers()
    provision({"connections": [entry(vendor, team, vendor_side.url)]}, environ=environ(vendor))
    connection = registry.get(vendor).connection_model.objects.get(name=f"{vendor}-prod")
    secrets = canaries(vendor)
    value = stranger.url if value == STRANGER else value
    client.force_login(members[Role.ADMIN])
    edit = reverse("core:connection-edit", args=[vendor, connection.pk])

    # the page says so before anyone tries
    assert "Changing it asks for every secret again." in client.get(edit).content.decode()

    # 1. the admin changes the destination and leaves the secrets blank: refused beside each secret
    response = client.post(edit, edit_data(connection, **{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    for name in secrets:
        assert "changed: enter the" in field_error(html, f"secret_{name}"), name
    connection.refresh_from_db()
    assert value not in (connection.base_url, *(connection.settings or {}).values())

    # "Test connection" still goes where the secrets were entered for
    test_connection(client, connection)
    assert vendor_side.saw(*secrets.values()), "the test sends the stored secrets to the vendor"

    # 2. provisioning the same change without the secrets names each one it needs
    with pytest.raises(ProvisionError) as refused:
        moved = {YAML_KEY.get(field, field): value}
        provision({"connections": [entry(vendor, team, vendor_side.url, with_secrets=False, **moved)]}, environ={})
    for name in secrets:
        assert f"field '{name}_env'" in str(refused.value)
    test_connection(client, connection)
    assert not stranger.saw(*secrets.values())

    # 3. with every secret entered again, the change is saved and the new values go to the new place
    fresh = {f"secret_{name}": f"fresh-{name}-0c4b" for name in secrets}
    response = client.post(edit, edit_data(connection, **{field: value}, **fresh))
    assert response.status_code == 302, response.context["form"].errors
    connection.refresh_from_db()
    assert value in (connection.base_url, *(connection.settings or {}).values())
    assert all(connection.secrets.get(name) == fresh[f"secret_{name}"] for name in secrets)
    test_connection(client, connection)
    assert not stranger.saw(*secrets.values())
    if reaches:
        assert stranger.saw(*fresh.values()), "the re-entered secrets reach the new destination"


def test_provision_gives_the_same_secrets_again_for_a_new_destination(db, team, catchers):
    """An unchanged secret is left out of an update (nothing re-encrypted), unless the URL changes:
    then the file's secrets are what the new URL gets, and the form accepts them."""
    vendor_side, stranger = catchers(), catchers()
    provision({"connections": [entry("widgets", team, vendor_side.url)]}, environ=environ("widgets"))
    model = registry.get("widgets").connection_model
    stored = model.objects.get(name="widgets-prod").secrets.tokens()

    report = provision({"connections": [entry("widgets", team, vendor_side.url)]}, environ=environ("widgets"))
    assert report.unchanged and model.objects.get(name="widgets-prod").secrets.tokens() == stored

    report = provision({"connections": [entry("widgets", team, stranger.url)]}, environ=environ("widgets"))
    moved = model.objects.get(name="widgets-prod")
    assert report.updated and moved.base_url == stranger.url
    assert moved.secrets.get("token") == canaries("widgets")["token"]


def test_clearing_a_secret_instead_of_entering_it_again_is_accepted(client, members, team, catchers):
    vendor_side, stranger = catchers(), catchers()
    provision({"connections": [entry("scalyr", team, vendor_side.url)]}, environ=environ("scalyr"))
    connection = registry.get("scalyr").connection_model.objects.get(name="scalyr-prod")
    client.force_login(members[Role.ADMIN])
    response = client.post(reverse("core:connection-edit", args=["scalyr", connection.pk]), edit_data(
        connection, base_url=stranger.url, secret_read_logs_token="fresh-read-logs-0c4b",
        clear_read_config_token="on", clear_write_config_token="on", clear_write_logs_token="on"))
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.base_url == stranger.url
    assert [connection.secrets.is_set(name) for name in canaries("scalyr")] == [True, False, False, False]


def test_unchanged_destinations_keep_blank_secrets(client, members, team, catchers):
    """The rule costs nothing when the destination stays: a blank secret keeps the stored one."""
    vendor_side = catchers()
    provision({"connections": [entry("scalingo", team, vendor_side.url)]}, environ=environ("scalingo"))
    connection = registry.get("scalingo").connection_model.objects.get(name="scalingo-prod")
    client.force_login(members[Role.ADMIN])
    response = client.post(reverse("core:connection-edit", args=["scalingo", connection.pk]),
                           edit_data(connection, name="renamed", poll_seconds=120))
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.name == "renamed" and connection.secrets.get("token") == canaries("scalingo")["token"]
