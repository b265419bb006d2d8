"""Scalingo tests run the real client against the simulator over real HTTP (port 0)."""

from __future__ import annotations

import json

import pytest
from scalingo_helpers import EXAMPLES, FAST, make_sim, stop_soon

from vendors.scalingo.client import ScalingoClient
from vendors.scalingo.simulator import DEFAULT_TOKEN


@pytest.fixture
def sim():
    simulator = make_sim()
    yield simulator
    stop_soon(simulator)


@pytest.fixture
def client(sim):
    scalingo = ScalingoClient(DEFAULT_TOKEN, region="osc-fr1", auth_url=sim.url, **FAST)
    yield scalingo
    scalingo.close()


@pytest.fixture(scope="session")
def examples() -> dict[str, dict]:
    if not EXAMPLES.exists():
        pytest.skip("shared/vendor-apis/scalingo_examples.json is not beside the repository")
    return {example["id"]: example for example in json.loads(EXAMPLES.read_text())["examples"]}
