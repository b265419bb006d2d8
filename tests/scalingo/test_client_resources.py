"""The Scalingo client's variables, addons, domains and collaborators against the simulator over
real HTTP (client/resources.py; what the console never writes goes through scalingo_wire)."""

from __future__ import annotations

import pytest
from tests.harness.waiting import wait_for
from tests.scalingo import scalingo_wire as wire
from tests.scalingo.scalingo_helpers import APP

from vendors.core import errors


def test_variables_crud_and_bulk(sim, client):
    created = wire.create_variable(client, APP, "DATABASE_URL", "postgres://db")
    alias = wire.create_variable(client, APP, "DB", "$DATABASE_URL")
    assert {v.name: v.value for v in client.variables(APP, aliases=False)}["DB"] == "postgres://db"
    assert wire.update_variable(client, APP, created.id, "postgres://other").value == "postgres://other"
    client.set_variables(APP, {"A": "1", "B": "2"})
    assert {v.name for v in client.variables(APP)} == {"DATABASE_URL", "DB", "A", "B"}
    client.delete_variable(APP, alias.id)
    wire.delete_variables(client, APP, [v.id for v in client.variables(APP) if v.name in ("A", "B")])
    assert [v.name for v in client.variables(APP)] == ["DATABASE_URL"]
    with pytest.raises(errors.InvalidRequest) as blank:
        wire.create_variable(client, APP, "", "")
    assert blank.value.details == {"name": ["can't be blank", "must start with a letter"], "value": ["can't be blank"]}


def test_addons_domains_collaborators(sim, client):
    provider = next(p for p in wire.addon_providers(client) if p.id == "redis")
    addon = wire.provision_addon(client, APP, "redis", provider.plans[0].id)
    assert addon.status == "provisioning" and addon.logo_url.startswith("https://")
    assert wait_for(lambda: wire.addon(client, APP, addon.id).status == "running")
    assert wire.upgrade_addon(client, APP, addon.id, provider.plans[1].id).plan_id == provider.plans[1].id
    domain = wire.add_domain(client, APP, "www.example.com", canonical=True)
    assert [d.name for d in client.domains(APP)] == ["www.example.com"] and domain.canonical
    collaborator = wire.invite_collaborator(client, APP, "dev@example.com")
    assert collaborator.status == "pending" and collaborator.username == "n/a"
    assert [c.email for c in client.collaborators(APP)] == ["dev@example.com"]
    wire.delete_addon(client, APP, addon.id)
    wire.delete_domain(client, APP, domain.id)
    wire.delete_collaborator(client, APP, collaborator.id)
    assert client.addons(APP) == [] and client.domains(APP) == [] and client.collaborators(APP) == []
    assert {e.type for e in wire.every_event(client, APP)} >= {
        "new_addon", "upgrade_addon", "delete_addon", "new_domain", "delete_domain", "new_collaborator",
        "delete_collaborator"}
