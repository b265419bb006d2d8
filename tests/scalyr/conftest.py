"""Shared set-up: one simulator on port 0 with a frozen clock, and a client wired to it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from vendors.scalyr.simulator import ScalyrSimulator

from .helpers import NOW, READ_CONFIG, READ_LOGS, WRITE_CONFIG, WRITE_LOGS, control, make_client


@pytest.fixture(autouse=True)
def fresh_cache():
    """Live-tail places and request budgets live in the shared cache, keyed by user or token, and a
    rolled-back test's ids come again: every test starts with none."""
    cache.clear()


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


# -- the Django app: a simulator on the real clock, and connections to it ----------------------
@pytest.fixture
def live_sim(shared_sim):
    """The shared simulator, emptied, its clock running with the console's (relative ranges agree)."""
    import time

    control(shared_sim, "reset", {"now": time.time_ns()})
    control(shared_sim, "set_clock", {"time": time.time_ns(), "frozen": False})
    yield shared_sim
    shared_sim.faults.clear()


def _scalyr_connection(name, team, sim, **tokens):
    from tests.harness.factories import ScalyrConnectionFactory

    return ScalyrConnectionFactory(name=name, team=team, base_url=sim.url, secret_values=tokens)


@pytest.fixture
def scalyr_connection(team, live_sim):
    return _scalyr_connection("logs-prod", team, live_sim, read_logs_token=READ_LOGS, read_config_token=READ_CONFIG,
                              write_config_token=WRITE_CONFIG)


@pytest.fixture
def other_scalyr_connection(other_team, live_sim):
    return _scalyr_connection("logs-data", other_team, live_sim, read_logs_token=READ_LOGS)


@pytest.fixture
def web(db):
    """Django's test client (`client` here is the Scalyr client of the wire-layer tests)."""
    from django.test import Client

    return Client()
