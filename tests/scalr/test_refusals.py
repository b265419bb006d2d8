"""Restricted keys and older installations: the simulator refuses exactly what it is told to, in
Scalr's own words, and each client turns that into the typed error a caller can act on.

Everything goes over real HTTP: the switches through the simulator's control API, the reads
through the clients.
"""

from __future__ import annotations

import time

import httpx
import pytest

from tests.scalr.conftest import FAST, apiv2_send, farm_named, query_api_post
from vendors.core import errors
from vendors.scalr.client import NotAvailable, ScalrV1Client, ScalrV2Client
from vendors.scalr.simulator import DEMO_V1_KEY_ID, DEMO_V1_SECRET, DEMO_V2_KEY_ID, DEMO_V2_SECRET

APIV2_REFUSAL = "Insufficient permissions"
# Scalr_Exception_InsufficientPermissions::MESSAGE, what the Query API's restrictAccess throws
QUERY_API_REFUSAL = ("You cannot use this component because you have not been placed in a team with the "
                     "appropriate permissions. Please contact your account owner to obtain access.")
ENDPOINT_MISSING = "The endpoint you are trying to access does not exist."


def switch(sim, control: str, **payload) -> dict:
    """Set a switch through the simulator's control API; answers the switches now set."""
    answer = httpx.post(f"{sim.url}/_sim/{control}", json=payload)
    assert answer.status_code == 200, answer.text
    return answer.json()


def reads(sim, api: str) -> list[tuple[str, int, int | None, object, set[str]]]:
    """(name, environment, farm, read, the kinds it touches) for every read a poll or a page makes.

    The kinds are what this client's request for it is about at Scalr (APIv2 paths, Query API
    actions), written from the protocol, not from the simulator."""
    found = []
    for env_id, farm_name in ((1, "web-prod"), (2, "web-staging")):
        farm = farm_named(sim, env_id, farm_name).id
        script = min(s.id for s in sim.world.scripts.values() if s.env_id == env_id)
        common = [
            ("farms", None, lambda c, e=env_id: c.list_farms(env_id=e), {"farms"}),
            ("roles", None, lambda c, e=env_id: c.list_roles(env_id=e),
             {"roles", "images"} if api == "v2" else {"roles"}),
            ("scripts", None, lambda c, e=env_id: c.list_scripts(env_id=e),
             {"scripts", "script_versions"} if api == "v2" else {"scripts"}),
            ("script details", None, lambda c, e=env_id, s=script: c.script_details(env_id=e, script_id=s),
             {"scripts", "script_versions"}),
            ("variables", None, lambda c, e=env_id: c.list_global_variables(env_id=e), {"variables"}),
            # APIv2 reads the farm, its servers and its farm roles; the Query API one FarmGetDetails
            ("farm details", farm, lambda c, e=env_id, f=farm: c.farm_details(env_id=e, farm_id=f),
             {"farm", "servers", "farm_roles"} if api == "v2" else {"farm"}),
            ("events", farm, lambda c, e=env_id, f=farm: c.list_events(env_id=e, farm_id=f), {"events", "farm"}),
        ]
        if api == "v1":
            common += [
                ("logs", farm, lambda c, e=env_id, f=farm: c.list_logs(env_id=e, farm_id=f), {"logs", "farm"}),
                ("DNS zones", None, lambda c, e=env_id: c.list_dns_zones(env_id=e), {"dns_zones"}),
                ("vhosts", None, lambda c, e=env_id: c.list_apache_vhosts(env_id=e), {"vhosts"}),
                ("deployment sources", None, lambda c, e=env_id: c.list_dm_sources(env_id=e), {"deployments"}),
            ]
        found += [(name, env_id, farm_id, read, kinds) for name, farm_id, read, kinds in common]
    return found


def assert_refused_as_scalr_says(client, caught: errors.VendorError) -> None:
    assert type(caught) is errors.VendorForbids
    assert caught.request_id  # Scalr's requestId / TransactionID, shown with the message
    if client.api == "v2":
        assert (caught.status, caught.code, caught.message) == (403, "PermissionViolation", APIV2_REFUSAL)
    else:
        assert caught.message == QUERY_API_REFUSAL


REFUSALS = [  # (kind, farm name in production or None)
    ("farms", None), ("farm", None), ("farm", "web-prod"), ("farm_roles", None), ("servers", None),
    ("roles", None), ("images", None), ("scripts", None), ("script_versions", None), ("events", None),
    ("events", "web-prod"), ("logs", None), ("dns_zones", None), ("vhosts", None), ("deployments", None),
    ("variables", None),
]


@pytest.mark.parametrize(("kind", "farm_name"), REFUSALS, ids=[f"{k}-{f or 'env'}" for k, f in REFUSALS])
def test_a_refused_kind_fails_alone_in_its_environment(client, sim, kind, farm_name):
    switch(sim, "set_version", scalr_version="4.4.0")  # deployments answer (5.x says they are deprecated)
    farm_id = farm_named(sim, 1, farm_name).id if farm_name else None
    state = switch(sim, "refuse", kind=kind, env_id=1, farm_id=farm_id)
    assert state["refused"] == [{"kind": kind, "env_id": 1, "farm_id": farm_id}]

    for name, env_id, read_farm, read, kinds in reads(sim, client.api):
        expected = kind in kinds and env_id == 1 and (farm_id is None or farm_id == read_farm)
        try:
            read(client)
        except errors.VendorForbids as exc:
            assert expected, f"{name} in environment {env_id} was refused too"
            assert_refused_as_scalr_says(client, exc)
        else:
            assert not expected, f"{name} in environment {env_id} was not refused"


def test_the_query_api_refuses_one_action(v1, sim):
    web, db = farm_named(sim, 1, "web-prod"), farm_named(sim, 1, "db-prod")
    switch(sim, "refuse_action", action="RolesList", env_id=1)
    switch(sim, "refuse_action", action="FarmGetDetails", farm_id=web.id)

    with pytest.raises(errors.VendorForbids) as caught:
        v1.list_roles(env_id=1)
    assert_refused_as_scalr_says(v1, caught.value)
    assert v1.list_roles(env_id=2)
    with pytest.raises(errors.VendorForbids):
        v1.farm_details(env_id=1, farm_id=web.id)
    assert v1.farm_details(env_id=1, farm_id=db.id).name == "db-prod"
    assert v1.list_events(env_id=1, farm_id=web.id).items  # the farm itself is not refused
    assert v1.list_scripts(env_id=1) and v1.list_farms(env_id=1)


def test_the_refusals_are_scalrs_documents_on_the_wire(sim):
    switch(sim, "refuse", kind="roles", env_id=1)

    answer = apiv2_send(sim.url, "GET", "/api/v1beta0/user/1/roles/")
    assert answer.status_code == 403
    body = answer.json()
    assert list(body) == ["meta", "errors"] and body["meta"]["requestId"]
    assert body["errors"] == [{"code": "PermissionViolation", "message": APIV2_REFUSAL}]
    assert apiv2_send(sim.url, "GET", "/api/v1beta0/user/2/roles/").status_code == 200

    legacy = query_api_post(sim.url, "RolesList")
    assert legacy.status_code == 200 and legacy.headers["content-type"].startswith("text/xml")
    assert legacy.text.startswith('<?xml version="1.0"?>\n<Error>\n\t<TransactionID>')
    assert legacy.text.endswith(f"</TransactionID>\n\t<Message>{QUERY_API_REFUSAL}</Message>\n</Error>\n")


def test_an_older_scalr_without_an_apiv2_endpoint(v2, sim):
    switch(sim, "missing_endpoint", kind="events")
    web = farm_named(sim, 1, "web-prod")

    with pytest.raises(NotAvailable) as caught:
        v2.list_events(env_id=1, farm_id=web.id)
    assert (caught.value.status, caught.value.code) == (404, "EndpointNotFound")
    assert caught.value.message == ("GET /api/v1beta0/user/1/event-logs/ is not available on this Scalr "
                                    f"installation: {ENDPOINT_MISSING}")
    assert caught.value.request_id
    assert v2.farm_details(env_id=1, farm_id=web.id).servers  # the rest of the farm answers
    assert v2.list_farms(env_id=1) and v2.list_scripts(env_id=1)

    raw = apiv2_send(sim.url, "GET", "/api/v1beta0/user/1/event-logs/")
    assert raw.status_code == 404 and raw.json()["errors"] == [{"code": "EndpointNotFound",
                                                                  "message": ENDPOINT_MISSING}]


def test_without_role_endpoints_apiv2_farm_details_still_answer(v2, sim):
    """Farm roles are named from /roles/; a key refused roles (or a Scalr without them) still reads farms."""
    web = farm_named(sim, 1, "web-prod")
    switch(sim, "refuse", kind="roles", env_id=1)

    details = v2.farm_details(env_id=1, farm_id=web.id)
    assert {role.alias for role in details.roles} == {"nginx", "app"}
    assert {role.role_name for role in details.roles} == {None}
    with pytest.raises(errors.VendorForbids):
        v2.list_roles(env_id=1)
    named = v2.farm_details(env_id=2, farm_id=farm_named(sim, 2, "web-staging").id)
    assert all(role.role_name for role in named.roles)


def test_an_older_scalr_without_a_query_api_action(v1, sim):
    switch(sim, "missing_action", action="ApacheVhostsList")

    with pytest.raises(NotAvailable) as caught:
        v1.list_apache_vhosts(env_id=1)
    assert caught.value.message == "Action 'ApacheVhostsList' is not defined"
    assert caught.value.request_id
    assert v1.list_dns_zones(env_id=1)
    assert "is not defined" in query_api_post(sim.url, "ApacheVhostsList").text


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_a_held_farm_times_out_alone(sim, api):
    """The farm's details get no answer: the client gives up on that farm (VendorUnavailable, naming
    the request), and the other farms and that farm's events answer at once."""
    web, db = farm_named(sim, 1, "web-prod"), farm_named(sim, 1, "db-prod")
    switch(sim, "hold_farm", farm_id=web.id, seconds=30)
    cls, key, secret = ((ScalrV1Client, DEMO_V1_KEY_ID, DEMO_V1_SECRET) if api == "v1"
                        else (ScalrV2Client, DEMO_V2_KEY_ID, DEMO_V2_SECRET))
    options = {**FAST, "timeout": httpx.Timeout(0.3, connect=2.0)}
    with cls(sim.url, key, secret, **options) as client:
        started = time.monotonic()
        with pytest.raises(errors.VendorUnavailable) as caught:
            client.farm_details(env_id=1, farm_id=web.id)
        assert time.monotonic() - started < 5  # the client's timeout, not the 30 s hold
        assert "did not answer in time" in caught.value.message
        if api == "v1":
            assert f"(Action=FarmGetDetails FarmID={web.id})" in caught.value.message
        else:
            assert f"/api/v1beta0/user/1/farms/{web.id}/" in caught.value.message
        assert client.farm_details(env_id=1, farm_id=db.id).name == "db-prod"
        assert client.list_events(env_id=1, farm_id=web.id).items


def test_the_switches_are_listed_validated_and_cleared(sim, v1, v2):
    web = farm_named(sim, 1, "web-prod")
    switch(sim, "refuse", kind="scripts", env_id=2)
    switch(sim, "refuse_action", action="FarmGetDetails", farm_id=web.id)
    switch(sim, "missing_endpoint", kind="images")
    switch(sim, "missing_action", action="DmSourcesList")
    switch(sim, "hold_farm", farm_id=web.id, seconds=5)
    assert switch(sim, "refusals") == {
        "refused": [{"kind": "scripts", "env_id": 2, "farm_id": None}],
        "refused_actions": [{"action": "FarmGetDetails", "kind": "FarmGetDetails", "env_id": None,
                             "farm_id": web.id}],
        "missing_endpoints": ["images"], "missing_actions": ["DmSourcesList"],
        "held_farms": {str(web.id): 5.0}}
    for action, payload in (("refuse", {"kind": "spaceships"}), ("refuse_action", {"action": "FarmExplode"}),
                            ("missing_endpoint", {"kind": "nope"}), ("hold_farm", {"farm_id": 1, "seconds": 0})):
        bad = httpx.post(f"{sim.url}/_sim/{action}", json=payload)
        assert bad.status_code == 400 and bad.json()["error"]
    with pytest.raises(errors.VendorForbids):
        v2.list_scripts(env_id=2)

    assert switch(sim, "clear_refusals")["refused"] == []
    assert v2.list_scripts(env_id=2) and v2.list_roles(env_id=1)
    assert v1.farm_details(env_id=1, farm_id=web.id).name == "web-prod"


def test_reset_clears_the_refusals(sim, v2):
    sim.access.refuse("farms")
    with pytest.raises(errors.VendorForbids):
        v2.list_farms(env_id=1)
    sim.reset()
    assert v2.list_farms(env_id=1)
