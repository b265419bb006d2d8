"""Shared set-up: one simulator on port 0 with a frozen clock, and a client wired to it."""

from __future__ import annotations

import pytest

from vendors.scalyr.simulator import ScalyrSimulator

from .helpers import NOW, READ_CONFIG, READ_LOGS, WRITE_CONFIG, WRITE_LOGS, control, make_client


@pytest.fixture(scope="session")
def shared_sim():
    # One server for the run: stopping one costs the server loop's 0.5 s poll interval.
    simulator = ScalyrSimulator(read_logs_tokens=READ_LOGS, read_config_tokens=READ_CONFIG,
                                write_config_tokens=WRITE_CONFIG, write_logs_tokens=WRITE_LOGS, now=NOW,
                                retry_after=0)
    simulator.serve()
    yield simulator
    simulator.stop()


@pytest.fixture
def sim(shared_sim):
    """The shared simulator, emptied: no events, files or faults, clock frozen at NOW."""
    control(shared_sim, "reset", {"now": NOW})
    yield shared_sim
    shared_sim.faults.clear()


@pytest.fixture(scope="session")
def shared_client(shared_sim):
    with make_client(shared_sim) as scalyr:
        yield scalyr


@pytest.fixture
def client(sim, shared_client):
    """A client holding all three token kinds (stateless, so shared: building one costs ~30 ms of TLS set-up)."""
    return shared_client
