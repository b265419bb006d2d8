"""The demo, soaked: 30 minutes of simulated time with every vendor's world changing as in `manage.py demo`.

The simulators' worlds tick as fast as the machine allows (each tick is the simulated time it stands
for in the demo); every connection is polled once per simulated poll interval, and the rate budgets'
windows are turned as the simulated minutes pass. Nothing may end as "Internal error while polling",
no poll may fail, and every connection is OK at the end.
"""

import importlib
import logging

import pytest
from django.core.cache import cache

from vendors.core import polling, registry
from vendors.core.models import Health
from vendors.core.provisioning import provision

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

SIMULATED_MINUTES = 30
POLL_EVERY_SECONDS = 30  # the demo connections' interval


@pytest.fixture
def demo_worlds():
    started = []
    for spec in registry.vendors():
        if spec.demo is None:
            continue
        module, name = spec.demo.simulator.rsplit(".", 1)
        simulator = getattr(importlib.import_module(module), name).demo(seed=7)
        simulator.serve()
        started.append((spec, simulator))
    yield started
    for _spec, simulator in started:
        simulator.stop()


def test_thirty_simulated_minutes_of_the_demo(demo_worlds, caplog):
    document = {"teams": [{"name": "demo"}], "connections": []}
    for spec, simulator in demo_worlds:
        document["connections"].extend(spec.demo.connections(simulator.url))
    provision(document, environ={}, inline_secrets=True)
    connections = [c for spec, _ in demo_worlds for c in spec.connection_model.objects.all()]
    assert len(connections) >= 4
    outcomes = {c.name: [] for c in connections}
    ticks_owed = {id(simulator): 0.0 for _, simulator in demo_worlds}

    caplog.set_level(logging.ERROR, logger="vendors")
    for step in range(SIMULATED_MINUTES * 60 // POLL_EVERY_SECONDS):
        for _spec, simulator in demo_worlds:  # the worlds move for one poll interval
            ticks_owed[id(simulator)] += POLL_EVERY_SECONDS / simulator.tick_seconds
            while ticks_owed[id(simulator)] >= 1:
                with simulator.lock:
                    simulator.tick()
                ticks_owed[id(simulator)] -= 1
        if step % 2 == 0:  # a simulated minute went by: every rate budget's window turns, ours and the vendor's
            cache.clear()
            for _spec, simulator in demo_worlds:
                limiter = getattr(simulator, "limiter", None)  # Scalingo's 60 requests a minute per token
                if limiter is not None:
                    limiter._hits.clear()
        for connection in connections:
            lease = polling.connection_claim(connection=connection, force=True)
            outcome = polling.connection_poll(vendor=connection.vendor, pk=connection.pk, lease=lease)
            outcomes[connection.name].append((step, outcome.status, outcome.message))

    failures = [(name, step, message) for name, seen in outcomes.items() for step, status, message in seen
                if status not in ("ok", "degraded", "deferred")]
    assert failures == []
    assert not [r for r in caplog.records if "unexpectedly" in r.getMessage()]
    for connection in connections:
        connection.refresh_from_db()
        assert (connection.name, connection.health, connection.health_reason) == (connection.name, Health.OK, "")
        assert "Internal error" not in connection.last_error
