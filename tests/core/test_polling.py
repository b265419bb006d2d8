"""Lease claims, status bookkeeping, keeping the last good data, recovery."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.utils import timezone

from console.audit.models import AuditEvent
from tests.testvendor.models import Widget, WidgetConnection
from vendors.core import polling
from vendors.core.models import Health


def poll_once(conn):
    lease = polling.connection_claim(connection=conn, force=True)
    assert lease
    return polling.connection_poll(vendor=conn.vendor, pk=conn.pk, lease=lease)


def fresh(conn):
    return WidgetConnection.objects.get(pk=conn.pk)


def test_a_lease_is_held_by_one_claimer_only(connection):
    first = polling.connection_claim(connection=connection)
    assert first
    assert polling.connection_claim(connection=connection) is None
    assert polling.connection_claim(connection=connection, force=True) is None


def test_an_expired_lease_can_be_claimed_again(connection):
    assert polling.connection_claim(connection=connection)
    WidgetConnection.objects.filter(pk=connection.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert polling.connection_claim(connection=connection)


def test_a_start_that_emptied_the_queue_frees_the_leases_of_the_polls_it_dropped(connection, widgets):
    """The demo empties its task queue when it starts: a poll claimed just before the last stop would
    otherwise keep its connection unpolled (and "polling now…") until its lease expires."""
    assert polling.connection_claim(connection=connection, force=True)
    assert polling.connection_claim(connection=connection, force=True) is None
    assert polling.leases_release_all() == 1
    lease = polling.connection_claim(connection=connection, force=True)
    assert lease and polling.connection_poll(vendor="widgets", pk=connection.pk, lease=lease).status == "ok"


def test_a_connection_not_due_is_not_claimed_without_force(connection):
    WidgetConnection.objects.filter(pk=connection.pk).update(next_poll_at=timezone.now() + timedelta(minutes=5))
    assert polling.connection_claim(connection=connection) is None
    assert polling.connection_claim(connection=connection, force=True)


def test_disabled_connections_are_never_claimed(connection):
    WidgetConnection.objects.filter(pk=connection.pk).update(enabled=False)
    assert polling.connection_claim(connection=connection, force=True) is None


def test_a_successful_poll_writes_inventory_and_status(connection, widgets):
    outcome = poll_once(connection)
    assert outcome.status == "ok"
    assert sorted(Widget.objects.values_list("name", flat=True)) == ["alpha", "beta"]
    conn = fresh(connection)
    assert conn.health == Health.OK
    assert conn.lease_owner == "" and conn.consecutive_failures == 0
    assert conn.next_poll_at > timezone.now() + timedelta(seconds=50)
    assert conn.poll_notes == ["2 widgets"]


def test_a_duplicate_task_with_a_spent_lease_does_nothing(connection, widgets):
    lease = polling.connection_claim(connection=connection, force=True)
    assert polling.connection_poll(vendor="widgets", pk=connection.pk, lease=lease).status == "ok"
    assert polling.connection_poll(vendor="widgets", pk=connection.pk, lease=lease).status == "skipped"
    assert widgets.list_calls == 1


def test_a_failing_vendor_keeps_the_last_data_and_degrades(connection, widgets):
    poll_once(connection)
    widgets.faults.update(status=500)
    outcome = poll_once(connection)
    assert outcome.status == "failed"
    conn = fresh(connection)
    assert conn.health == Health.DEGRADED
    assert conn.last_error == f"HTTP 500 from {widgets.url.removeprefix('http://')} (text/plain, 17 B)"
    assert Widget.objects.filter(connection=conn).count() == 2  # last good data kept
    for _ in range(2):
        poll_once(conn)
    conn = fresh(connection)
    assert conn.health == Health.FAILING and conn.consecutive_failures == 3
    assert AuditEvent.objects.filter(verb="connection.failing", actor_label="scheduler").count() == 1

    widgets.faults.update()
    widgets.widgets.pop("w2")
    assert poll_once(conn).status == "ok"
    conn = fresh(connection)
    assert conn.health == Health.OK and conn.last_error == ""
    assert list(Widget.objects.filter(connection=conn).values_list("name", flat=True)) == ["alpha"]
    assert AuditEvent.objects.filter(verb="connection.recovered").count() == 1


def test_failures_back_off_with_a_cap(connection, widgets, settings):
    settings.CONSOLE_MAX_BACKOFF_SECONDS = 300
    widgets.faults.update(status=500)
    delays = []
    for _ in range(5):
        before = timezone.now()
        poll_once(connection)
        delays.append((fresh(connection).next_poll_at - before).total_seconds())
    assert delays[0] == pytest.approx(60, abs=2)
    assert delays[1] == pytest.approx(120, abs=2)
    assert delays[2] == pytest.approx(240, abs=2)
    assert delays[3] == pytest.approx(300, abs=2) and delays[4] == pytest.approx(300, abs=2)


def test_a_wrong_token_reads_as_a_clean_sentence(connection, widgets):
    widgets.token = "rotated-on-the-vendor-side"
    poll_once(connection)
    conn = fresh(connection)
    assert conn.last_error == "The widget service refused the token."
    assert conn.health == Health.FAILING  # never had good data


def test_stale_data_without_errors_is_degraded(connection, widgets):
    poll_once(connection)
    WidgetConnection.objects.filter(pk=connection.pk).update(last_success_at=timezone.now() - timedelta(hours=1))
    conn = fresh(connection)
    assert conn.health == Health.DEGRADED
    assert "worker" in conn.health_reason


def test_the_scheduler_claims_only_due_connections(connection, other_connection):
    WidgetConnection.objects.filter(pk=other_connection.pk).update(next_poll_at=timezone.now() + timedelta(hours=1))
    queued = []
    polling.scheduler_run(enqueue=lambda vendor, pk, lease: queued.append((vendor, pk)))
    assert queued == [("widgets", connection.pk)]
    polling.scheduler_run(enqueue=lambda vendor, pk, lease: queued.append((vendor, pk)))
    assert len(queued) == 1  # the lease is held until the poll runs
    assert polling.scheduler_last_tick() is not None


@pytest.mark.django_db(transaction=True)
def test_a_running_poll_holds_a_short_lease_renewed_until_it_ends(connection, widgets, settings):
    """Once a worker runs a poll, its lease is short and kept alive: a worker that dies with its host leaves
    its connections to the others within the running lease (bench/scale_out.py measures it after a kill -9),
    while a poll that lives past many running leases is never claimed by anyone else meanwhile."""
    settings.CONSOLE_POLL_RUNNING_LEASE_SECONDS = 1.0
    widgets.faults.update(latency=1.0)  # the poll's three requests take 3 s: three running leases
    lease = polling.connection_claim(connection=connection, force=True)
    assert fresh(connection).lease_until > timezone.now() + timedelta(seconds=60)  # queued: the long lease
    outcome = {}

    def work():
        outcome["poll"] = polling.connection_poll(vendor="widgets", pk=connection.pk, lease=lease)
        db_connection.close()

    worker = threading.Thread(target=work)
    started = time.monotonic()
    worker.start()
    taken = None
    while worker.is_alive() and not taken:
        row = fresh(connection)
        if row.last_attempt_at and row.lease_owner == lease:
            assert row.lease_until - timezone.now() <= timedelta(seconds=1.0)
        taken = polling.connection_claim(connection=connection, force=True)  # only once the poll has ended
        worker.join(0.1)
    worker.join()
    assert outcome["poll"].status == "ok"
    assert time.monotonic() - started > 3 * 1.0
    row = fresh(connection)
    assert row.last_success_at is not None, "another claim took the lease while the poll ran"
    assert row.lease_owner == (taken or "")
