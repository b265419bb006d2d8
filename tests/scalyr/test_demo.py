"""The demo's Scalyr: its saved queries and error-rate threshold, its simulator's incidents, its overview."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from vendors.core import registry
from vendors.scalyr import sync
from vendors.scalyr.models import SavedQuery, ScalyrConnection

from .chart_helpers import teams_of

SPEC = registry.get("scalyr")


# -- the demo -----------------------------------------------------------------------------------
def test_the_demo_error_rate_chart_has_a_threshold_and_is_the_overview_figure(scalyr_connection):
    ScalyrConnection.objects.filter(pk=scalyr_connection.pk).update(settings={"demo": True})
    scalyr_connection.refresh_from_db()
    sync.demo_seed(connection=scalyr_connection)
    errors = SavedQuery.objects.get(name="5xx responses")
    assert (errors.threshold_direction, errors.threshold, errors.headline) == ("above", 20.0, True)
    assert SavedQuery.objects.filter(headline=True).count() == 1


def test_a_demo_seeded_before_thresholds_gets_its_threshold_once(scalyr_connection):
    ScalyrConnection.objects.filter(pk=scalyr_connection.pk).update(settings={"demo": True, "demo_seeded": True})
    SavedQuery.objects.create(connection=scalyr_connection, name="5xx responses", kind="chart", state={})
    scalyr_connection.refresh_from_db()
    assert sync.demo_seed(connection=scalyr_connection) == 0  # nothing new created...
    assert SavedQuery.objects.get().threshold == 20.0  # ...but the alert is there
    SavedQuery.objects.update(threshold=None, threshold_direction="", headline=False)
    scalyr_connection.refresh_from_db()
    sync.demo_seed(connection=scalyr_connection)
    assert SavedQuery.objects.get().threshold is None  # a team's later choice stays


def test_the_demo_simulator_has_recurring_incidents():
    from vendors.scalyr.simulator.generator import Incidents
    from vendors.scalyr.simulator.timespec import NS

    incidents = Incidents(start_ns=0)
    assert incidents.active(0) and incidents.active(599 * NS) and not incidents.active(600 * NS)
    assert incidents.active(1200 * NS) and not incidents.active(-1 * NS)
    assert timedelta(seconds=incidents.period) == timedelta(minutes=20)


def test_the_demo_overview_shows_the_error_rate_chart_needing_attention(team):
    """The whole demo path: its simulator (an incident under way), its connection, one poll, the hooks."""
    from vendors.core.provisioning import provision
    from vendors.scalyr.simulator import ScalyrSimulator

    simulator = ScalyrSimulator.demo()
    simulator.serve()
    try:
        entries = [{**entry, "team": team.name} for entry in SPEC.demo.connections(simulator.url)]
        provision({"connections": entries}, environ={}, inline_secrets=True)
        connection = ScalyrConnection.objects.get(name="logs")
        SPEC.poll(connection)
    finally:
        simulator.stop()
    [item] = SPEC.attention(teams_of(team))
    assert item.title.startswith("Log chart 5xx responses is at ") and item.title.endswith(", above 20")
    assert item.severity in (0, 1) and item.since > timezone.now() - timedelta(minutes=15)
    figure = SPEC.summary(teams_of(team))[0]
    assert figure.label == "5xx responses · past its threshold (above 20)" and figure.state in ("warning", "danger")
