"""/health/ and /metrics as a monitoring system reads them."""

from concurrent.futures import ThreadPoolExecutor

from django.core.cache import cache
from django.urls import reverse

from vendors.core import polling


def test_health_reports_the_scheduler_heartbeat(client, celery_worker_thread):
    """With Redis the check also pings a worker: a real one runs during this test."""
    def get_health():
        # /health/ is an async view: call it from a thread without an event loop (Playwright's
        # sync API leaves one running in the main thread when browser tests ran before)
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(client.get, reverse("health"), HTTP_ACCEPT="application/json").result()

    cache.delete(polling.HEARTBEAT_KEY)
    stale = get_health()
    assert stale.status_code == 500
    assert "scheduler has not ticked yet" in stale.content.decode()

    polling.scheduler_run(enqueue=lambda *args: None)
    healthy = get_health()
    assert healthy.status_code == 200, healthy.content
    assert "Database" in healthy.content.decode()


def test_metrics_count_polls_and_vendor_latency(client, connection, widgets):
    lease = polling.connection_claim(connection=connection, force=True)
    polling.connection_poll(vendor="widgets", pk=connection.pk, lease=lease)
    text = client.get(reverse("metrics")).content.decode()
    assert 'console_polls_total{outcome="ok",vendor="widgets"}' in text
    assert 'console_vendor_http_request_seconds_count{outcome="200",vendor="widgets"}' in text
    assert "console_poll_seconds_bucket" in text
