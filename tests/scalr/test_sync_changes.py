"""Polls keep up with whatever changes at Scalr meanwhile, in any order.

Every change here is one the simulator makes itself, through its control API over HTTP
(`POST /_sim/<action>`, `/_sim/tick`); every poll is a real poll over HTTP through the
scheduler's claim, for a Query API and an APIv2 connection. After each poll the database
must hold what the vendor holds.
"""

from __future__ import annotations

import random

import httpx
import pytest

from tests.harness.waiting import wait_for
from tests.scalr.conftest import farm_named, make_connection, poll, ticking
from vendors.scalr import models
from vendors.scalr.sync.rotation import ROTATION
from vendors.scalr.client.records import farm_status, server_status
from vendors.scalr.simulator.apiv2_objects import FARM_STATUS as APIV2_FARM_STATUS
from vendors.scalr.simulator import ScalrSimulator

pytestmark = pytest.mark.django_db

SEEDS = range(30)
STEPS = 20
_http: httpx.Client
SERVER_STATUSES = ("Pending launch", "Pending", "Initializing", "Running", "Pending terminate", "Terminated",
                   "Pending suspend", "Suspended", "Resuming", "Importing", "Temporary")


@pytest.fixture(scope="module", autouse=True)
def _control_http():
    """One HTTP client for the control calls (a new one per call costs more than the call)."""
    global _http
    with httpx.Client(timeout=10) as _http:
        yield


def control(sim, action: str, **payload) -> httpx.Response:
    """One change through the simulator's control API; a refusal by the world's rules is a 400."""
    answer = _http.post(f"{sim.url}/_sim/{action}", json=payload)
    assert answer.status_code in (200, 400), (action, payload, answer.status_code, answer.text)
    return answer


def expected_status(api: str, status: int) -> str:
    return str(farm_status(APIV2_FARM_STATUS[status] if api == "v2" else status))


def stored(connection) -> dict:
    """What the database holds of `connection`, in the simulator's terms."""
    farms = models.Farm.objects.filter(connection=connection)
    return {
        "environments": set(connection.environments.values_list("external_id", flat=True)),
        "farms": {ext: (env, name, status) for ext, env, name, status in farms.values_list(
            "external_id", "environment__external_id", "name", "status")},
        "locked": dict(farms.values_list("external_id", "locked")),
        "farm_roles": set(models.FarmRole.objects.filter(farm__connection=connection).values_list(
            "farm__external_id", "external_id")),
        "servers": {ext: (farm, role, status) for ext, farm, role, status in models.Server.objects.filter(
            connection=connection).values_list("external_id", "farm__external_id", "farm_role__external_id",
                                               "status")},
        "scripts": set(models.Script.objects.filter(environment__connection=connection).values_list(
            "environment__external_id", "external_id")),
        "roles": set(models.Role.objects.filter(environment__connection=connection).values_list(
            "environment__external_id", "external_id")),
        "dns_zones": set(models.DnsZone.objects.filter(environment__connection=connection).values_list(
            "environment__external_id", "name", "farm__external_id")),
        "vhosts": set(models.ApacheVhost.objects.filter(environment__connection=connection).values_list(
            "environment__external_id", "name")),
        "dm_sources": set(models.DmSource.objects.filter(environment__connection=connection).values_list(
            "environment__external_id", "external_id")),
    }


def vendor_side(sim, api: str) -> dict:
    """The same, as the simulator's world has it (what each API generation shows of it)."""
    world = sim.world
    envs = set(world.envs)
    v1 = api == "v1"
    return {
        "environments": envs,
        "farms": {f.id: (f.env_id, f.name, expected_status(api, f.status)) for f in world.farms.values()},
        "locked": {f.id: bool(f.lock) for f in world.farms.values()},
        "farm_roles": {(r.farm_id, r.id) for r in world.farm_roles.values()},
        "servers": {s.id: (s.farm_id, s.farm_role_id, str(server_status(s.status))) for s in world.servers.values()},
        "scripts": {(env, s.id) for s in world.scripts.values() for env in envs if s.env_id in (0, env)},
        "roles": {(env, role_id) for role_id in world.roles for env in envs},
        "dns_zones": {(z.env_id, z.name, z.farm_id or None) for z in world.zones.values()} if v1 else set(),
        "vhosts": {(v.env_id, v.name) for v in world.vhosts.values()} if v1 else set(),
        # Scalr 5.x answers that deployments are deprecated: the console keeps none
        "dm_sources": {(d.env_id, d.id) for d in world.dm_sources.values()}
        if v1 and sim.scalr_version.startswith("4") else set(),
    }


def assert_matches_vendor(connection, sim, context: str = "") -> None:
    have, want = stored(connection), vendor_side(sim, connection.api)
    if connection.api == "v2" and have["farm_roles"] != want["farm_roles"]:
        # APIv2 re-reads a farm's roles when its servers or status move, else on the rotation: within ten polls
        for _ in range(ROTATION - 1):
            assert poll(connection).status == "ok"
        have = stored(connection)
    for name in want:
        assert have[name] == want[name], f"{connection.api} {name} differ {context}"


# -- the crash seen after six minutes of the demo ----------------------------------------------
@pytest.mark.parametrize("api", ["v1", "v2"])
def test_a_refreshed_farm_whose_servers_all_vanished_is_written(team, sim, api):
    """A farm terminated at Scalr: its servers stop, then vanish. The poll that finds it empty while
    nothing else changed used to crash writing the servers (KeyError 'farm_id')."""
    connection = make_connection(team, sim, api=api, hourly_limit=0)
    control(sim, "tick", steps=3)  # the demo's starting servers settle first
    assert poll(connection).status == "ok"
    staging = farm_named(sim, 2, "web-staging")
    assert models.Server.objects.filter(connection=connection, farm__external_id=staging.id).exists()

    assert control(sim, "terminate_farm", farm_id=staging.id).status_code == 200
    wait_for(lambda: not sim.world.servers_of(farm_id=staging.id), step=ticking(sim))  # stopped, then gone
    outcome = poll(connection)

    assert outcome.status == "ok", outcome.message
    assert not models.Server.objects.filter(connection=connection, farm__external_id=staging.id).exists()
    assert models.Farm.objects.get(connection=connection, external_id=staging.id).status == "terminated"
    assert_matches_vendor(connection, sim)


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_servers_moving_between_farms_and_farm_roles_removed(team, sim, api):
    connection = make_connection(team, sim, api=api, hourly_limit=0)
    assert poll(connection).status == "ok"
    web, analytics = farm_named(sim, 1, "web-prod"), farm_named(sim, 1, "analytics")
    nginx, app = sim.world.roles_of_farm(web.id)
    moving = sim.world.servers_of(farm_role_id=nginx.id)[0]
    target = sim.world.roles_of_farm(analytics.id)[0]

    control(sim, "move_server", server_id=moving.id, farm_role_id=target.id)
    control(sim, "remove_farm_role", farm_role_id=app.id)
    assert poll(connection).status == "ok"

    row = models.Server.objects.get(connection=connection, external_id=moving.id)
    assert (row.farm.external_id, row.farm_role.external_id) == (analytics.id, target.id)
    assert not models.FarmRole.objects.filter(farm__external_id=web.id, external_id=app.id).exists()
    assert_matches_vendor(connection, sim)


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_an_environment_removed_and_catalogs_emptied(team, sim, api):
    connection = make_connection(team, sim, api=api, hourly_limit=0)
    assert poll(connection).status == "ok"
    assert models.Farm.objects.filter(connection=connection, environment__external_id=2).exists()

    control(sim, "remove_environment", env_id=2)
    for kind in ("roles", "scripts", "dns_zones", "vhosts", "deployments"):
        assert control(sim, "clear_catalog", kind=kind).status_code == 200
    assert poll(connection).status == "ok"

    assert set(connection.environments.values_list("external_id", flat=True)) == {1}
    assert not models.Script.objects.filter(environment__connection=connection).exists()
    assert not models.Role.objects.filter(environment__connection=connection).exists()
    assert_matches_vendor(connection, sim)


# -- any order of changes ------------------------------------------------------------------------
def _pick(rng: random.Random, items):
    items = list(items)
    return rng.choice(items) if items else None


def random_change(sim, rng: random.Random) -> tuple[str, dict]:
    """One change the simulator can make, with arguments drawn from its world as it is now."""
    world = sim.world
    farms = sorted(world.farms.values(), key=lambda f: f.id)
    roles = sorted(world.farm_roles.values(), key=lambda r: r.id)
    servers = sorted(world.servers.values(), key=lambda s: s.id)
    envs = sorted(world.envs)
    farm, role, server = _pick(rng, farms), _pick(rng, roles), _pick(rng, servers)
    options: list[tuple[str, dict]] = [("tick", {"steps": rng.randint(1, 4)})] * 3
    options.append(("add_farm", {"env_id": _pick(rng, envs), "name": f"farm-{rng.randrange(10 ** 6)}",
                                 "status": rng.choice(["running", "terminated"]),
                                 "roles": [{"role_id": _pick(rng, sorted(world.roles)) or 10,
                                            "alias": f"r{n}", "min": rng.randint(0, 2), "max": 3,
                                            "servers": rng.randint(0, 2)} for n in range(rng.randint(0, 2))]}))
    if farm:
        options += [("launch_farm", {"farm_id": farm.id}), ("terminate_farm", {"farm_id": farm.id}),
                    ("terminate_farm", {"farm_id": farm.id}), ("remove_farm", {"farm_id": farm.id}),
                    ("clone_farm", {"farm_id": farm.id}), ("unlock_farm", {"farm_id": farm.id}),
                    ("lock_farm", {"farm_id": farm.id, "comment": "frozen"}),
                    ("add_event", {"farm_id": farm.id, "type": "CustomEvent", "message": "hello"})]
    if role:
        options += [("launch_server", {"farm_role_id": role.id}), ("remove_farm_role", {"farm_role_id": role.id})]
    if server:
        options += [("terminate_server", {"server_id": server.id}), ("fail_server", {"server_id": server.id}),
                    ("set_server_status", {"server_id": server.id, "status": rng.choice(SERVER_STATUSES)})]
        same_env = [r for r in roles if world.farms[r.farm_id].env_id == server.env_id and r.id != server.farm_role_id]
        if same_env:
            options.append(("move_server", {"server_id": server.id, "farm_role_id": rng.choice(same_env).id}))
    if len(envs) > 1:
        options.append(("remove_environment", {"env_id": rng.choice(envs)}))
    options.append(("clear_catalog", {"kind": rng.choice(world.CATALOG_KINDS), "env_id": rng.choice(envs)}))
    return rng.choice(options)


@pytest.fixture(scope="module")
def small_sim():
    simulator = ScalrSimulator(demo="small", rate_limit=None)
    simulator.serve()
    yield simulator
    simulator.stop()


@pytest.mark.parametrize("seed", SEEDS)
def test_any_order_of_vendor_changes_is_followed(team, small_sim, seed):
    """Seeded random changes, with polls of the Query API and the APIv2 connection in turn; no poll
    fails, and after each the database matches the vendor."""
    small_sim.reset()
    rng = random.Random(seed)
    connections = [make_connection(team, small_sim, api=api, hourly_limit=0) for api in ("v1", "v2")]
    history = []
    for step in range(STEPS):
        for _ in range(rng.randint(1, 2)):
            action, payload = random_change(small_sim, rng)
            control(small_sim, action, **payload)
            history.append(action)
        connection = connections[step % 2]  # each generation polls every other step: it sees 2 to 4 changes
        outcome = poll(connection)
        assert outcome.status == "ok", (connection.api, history, outcome.message)
        assert_matches_vendor(connection, small_sim, f"after {history}")
