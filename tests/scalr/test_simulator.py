"""The simulator on its own: demo contents, control API, generated worlds, threads, command line."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from vendors.scalr.client import records as r
from vendors.scalr.client import ScalrV1Client, ScalrV2Client
from vendors.scalr.simulator import DEMO_V1_KEY_ID, DEMO_V1_SECRET, DEMO_V2_KEY_ID, DEMO_V2_SECRET, ScalrSimulator

from tests.harness.waiting import wait_for

from .conftest import FAST, farm_named, ticking


def test_demo_world(sim):
    world = sim.world
    assert [e.name for e in world.envs.values()] == ["production", "staging"]
    assert len(world.farms) == 12
    by_status = {f.name: f.status for f in world.farms.values()}
    assert sorted(set(by_status.values())) == [0, 1, 2]
    assert sum(1 for f in world.farms.values() if f.lock) == 1
    assert any(s.status == "Pending" and s.stuck for s in world.servers.values())
    assert world.scripts and world.zones and world.variables and world.vhosts and world.events and world.logs


def test_control_api_over_http(sim, v2):
    added = httpx.post(f"{sim.url}/_sim/add_farm", json={
        "env_id": 2, "name": "from-control", "status": "running",
        "roles": [{"alias": "web", "min": 1, "max": 3, "servers": 2}]}).json()
    details = v2.farm_details(env_id=2, farm_id=added["farm_id"])
    assert details.status == r.FarmStatus.RUNNING and len(details.servers) == 2
    server_id = details.servers[0].id
    assert httpx.post(f"{sim.url}/_sim/set_server_status",
                      json={"server_id": server_id, "status": "Pending terminate"}).json() == {"ok": True}
    assert v2.farm_details(env_id=2, farm_id=added["farm_id"]).servers[0].status == r.ServerStatus.PENDING_TERMINATE
    assert httpx.post(f"{sim.url}/_sim/fail_server", json={"server_id": details.servers[1].id}).status_code == 200
    types = [e.type for e in v2.list_events(env_id=2, farm_id=added["farm_id"]).items]
    assert "HostDown" in types
    assert httpx.post(f"{sim.url}/_sim/fail_server", json={"server_id": "nope"}).status_code == 400
    httpx.post(f"{sim.url}/_sim/tick", json={"steps": 2})
    assert httpx.post(f"{sim.url}/_sim/state", json={}).json()["ticks"] == 2
    assert httpx.post(f"{sim.url}/_sim/no_such_action", json={}).status_code == 404


def test_failed_server_is_replaced(sim, v1):
    web = farm_named(sim, 1, "web-prod")
    victim = sim.world.servers_of(farm_id=web.id)[0]
    sim.control("fail_server", {"server_id": victim.id, "reason": "Cannot reach the agent"})
    logs = v1.list_logs(env_id=1, farm_id=web.id, server_id=victim.id)
    assert logs.items[0].message == "Cannot reach the agent" and logs.items[0].severity == "error"
    wait_for(lambda: v1.farm_details(env_id=1, farm_id=web.id).roles[0].running_instances == 2
             and len(v1.farm_details(env_id=1, farm_id=web.id).servers) == 5, step=ticking(sim))


def test_stuck_server_stays_pending_until_released(sim, v2):
    analytics = farm_named(sim, 1, "analytics")
    stuck = next(s for s in sim.world.servers_of(farm_id=analytics.id) if s.stuck)
    for _ in range(5):
        sim.tick()
    assert stuck.status == "Pending"
    sim.control("set_server_status", {"server_id": stuck.id, "status": "Initializing"})
    wait_for(lambda: r.ServerStatus.INITIALIZING not in [s.status for s in v2.farm_details(
        env_id=1, farm_id=analytics.id).servers], step=ticking(sim))


def test_generated_world_for_benchmarks():
    simulator = ScalrSimulator(environments=2, farms_per_env=100, servers_per_farm=20, rate_limit=None)
    assert len(simulator.world.farms) == 200 and len(simulator.world.servers) == 4000
    simulator.serve()
    try:
        with ScalrV1Client(simulator.url, DEMO_V1_KEY_ID, DEMO_V1_SECRET, **FAST) as v1, \
                ScalrV2Client(simulator.url, DEMO_V2_KEY_ID, DEMO_V2_SECRET, **FAST) as v2:
            assert len(v1.list_farms(env_id=2)) == len(v2.list_farms(env_id=2)) == 100
            assert v2.request_counts[2] == 1
            details = v1.farm_details(env_id=1, farm_id=1)
            assert len(details.servers) == 20 and {s.status for s in details.servers} == {r.ServerStatus.RUNNING}
    finally:
        simulator.stop()


def test_concurrent_requests_and_ticks(sim):
    def work(number: int):
        cls, key, secret = (ScalrV1Client, DEMO_V1_KEY_ID, DEMO_V1_SECRET) if number % 2 else \
            (ScalrV2Client, DEMO_V2_KEY_ID, DEMO_V2_SECRET)
        with cls(sim.url, key, secret, **FAST) as scalr:
            if number % 5 == 0:
                scalr.launch_farm(env_id=2, farm_id=farm_named(sim, 2, "perf-test").id) if number == 0 else None
            for _ in range(5):
                for farm in scalr.list_farms(env_id=2):
                    scalr.farm_details(env_id=2, farm_id=farm.id)
                httpx.post(f"{sim.url}/_sim/tick", json={})
        return True

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(work, range(8)))
    assert sim.world.ticks == 40


def test_command_line_demo_server():
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen([sys.executable, "-m", "vendors.scalr.simulator", "--port", "0", "--demo"],
                               cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline()
        url = re.search(r"listening on (http://\S+)", line).group(1)
        with ScalrV2Client(url, DEMO_V2_KEY_ID, DEMO_V2_SECRET, **FAST) as v2:
            assert [e.name for e in v2.list_environments()] == ["production", "staging"]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
