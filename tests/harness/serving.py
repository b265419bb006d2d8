"""Simulators served for a fixture's lifetime: `yield from serving({...})` in a pytest fixture.

    @pytest.fixture(scope="module")
    def sims():
        yield from serving({"scalr": ScalrSimulator.demo(), "scalyr": ScalyrSimulator.demo()})

Each simulator listens on a port of its own (port 0) until the fixture ends.
"""

from __future__ import annotations

from collections.abc import Iterator

from vendors.core.simulator import Simulator


def serving(simulators: dict[str, Simulator]) -> Iterator[dict[str, Simulator]]:
    for simulator in simulators.values():
        simulator.serve()
    try:
        yield simulators
    finally:
        for simulator in simulators.values():
            simulator.stop()
