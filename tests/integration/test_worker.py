"""A real Celery worker on the configured broker (Redis in CI, the file-system broker on the
embedded default) and the configured database (PostgreSQL in CI, SQLite by default)."""

import threading

import pytest
from django.db import connections as db_connections
from tests.harness.waiting import wait_for
from tests.testvendor.models import Widget, WidgetConnection
from vendors.core import polling
from vendors.core.models import Health
from vendors.core.tasks import poll_connection

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(celery_worker_thread):
    return celery_worker_thread


def settled(conn):
    row = WidgetConnection.objects.get(pk=conn.pk)
    return row if row.last_attempt_at and not row.lease_owner else None


def test_two_concurrent_schedulers_poll_a_connection_once(worker, connection, widgets):
    start = threading.Barrier(2)
    claimed = []

    def scheduler():
        start.wait()
        try:
            claimed.extend(polling.scheduler_run(enqueue=lambda v, pk, lease: poll_connection.delay(v, pk, lease)))
        finally:
            db_connections.close_all()  # a thread's own database connection, as a worker would close it

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claimed) == 1
    conn = wait_for(lambda: settled(connection), timeout=20, what="the poll settled")
    assert conn.health == Health.OK
    assert widgets.list_calls == 1
    assert Widget.objects.filter(connection=connection).count() == 2


def test_failure_keeps_data_and_degrades_then_recovery_clears_it(worker, connection, widgets):
    def poll_and_wait():
        before = WidgetConnection.objects.get(pk=connection.pk).last_attempt_at
        lease = polling.connection_claim(connection=connection, force=True)
        poll_connection.delay("widgets", connection.pk, lease)
        return wait_for(lambda: (row := settled(connection)) and row.last_attempt_at != before and row, timeout=20,
                        what="a new poll settled")

    assert poll_and_wait().health == Health.OK
    widgets.faults.update(status=503)
    failed = poll_and_wait()
    assert failed.health == Health.DEGRADED
    assert failed.last_error == f"HTTP 503 from {widgets.url.removeprefix('http://')} (text/plain, 17 B)"
    assert Widget.objects.filter(connection=connection).count() == 2

    widgets.faults.update()
    recovered = poll_and_wait()
    assert recovered.health == Health.OK and recovered.last_error == "" and recovered.consecutive_failures == 0
