"""/health/ and /metrics as a monitoring system reads them."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from tests.harness.threads import off_the_event_loop
from vendors.core import polling


#: how a browser, a monitor asking for JSON, and a monitor naming the format ask for /health/
ASKS = {"page": {"HTTP_ACCEPT": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"},
        "json": {"HTTP_ACCEPT": "application/json"}, "format=json": {"data": {"format": "json"}}}


def get_health(client, ask):
    # /health/ is an async view: call it from a thread without an event loop (Playwright's
    # sync API leaves one running in the main thread when browser tests ran before)
    return off_the_event_loop(client.get, reverse("health"), **ASKS[ask])


def secrets_of_the_settings() -> list[str]:
    database = settings.DATABASES["default"]
    values = [settings.SECRET_KEY, *settings.FIELD_ENCRYPTION_KEYS, str(settings.VAR_DIR), database["NAME"],
              database.get("PASSWORD"), database.get("HOST"), urlsplit(settings.REDIS_URL).netloc]
    return [value for value in values if value and len(value) > 3]


def test_health_says_503_until_the_scheduler_ticks_in_every_format(client, celery_worker_thread):
    """With Redis the check also pings a worker: a real one runs during this test."""
    cache.delete(polling.HEARTBEAT_KEY)
    stale = {ask: get_health(client, ask) for ask in ASKS}
    assert {ask: response.status_code for ask, response in stale.items()} == dict.fromkeys(ASKS, 503)
    assert "scheduler has not ticked yet" in stale["page"].content.decode()
    assert stale["page"]["Content-Type"].startswith("text/html")
    assert "Unavailable" in stale["page"].content.decode()
    assert "scheduler has not ticked yet" in stale["json"].json()["SchedulerHeartbeat(max_age_ticks=6)"]

    polling.scheduler_run(enqueue=lambda *args: None)
    healthy = {ask: get_health(client, ask) for ask in ASKS}
    assert {ask: response.status_code for ask, response in healthy.items()} == dict.fromkeys(ASKS, 200), healthy
    assert set(healthy["json"].json().values()) == {"OK"}
    assert healthy["format=json"].json() == healthy["json"].json()
    page = healthy["page"].content.decode()
    for check in ("Database", "Cache", "SchedulerHeartbeat"):
        assert f"<td>{check}</td>" in page
    assert "<style" not in page and " style=" not in page  # the CSP allows no inline style

    for response in (*stale.values(), *healthy.values()):
        shown = response.content.decode()
        assert [value for value in secrets_of_the_settings() if value in shown] == []


def test_metrics_count_polls_and_vendor_latency(client, connection, widgets):
    lease = polling.connection_claim(connection=connection, force=True)
    polling.connection_poll(vendor="widgets", pk=connection.pk, lease=lease)
    text = client.get(reverse("metrics")).content.decode()
    assert 'console_polls_total{outcome="ok",vendor="widgets"}' in text
    assert 'console_vendor_http_request_seconds_count{outcome="200",vendor="widgets"}' in text
    assert "console_poll_seconds_bucket" in text
