"""Scalr event callbacks under attack: the token stays out of every log, big bodies are refused unread,
a replayed event changes nothing, and a flood of callbacks cannot make the console poll Scalr per request."""

import copy
import io
import logging
import logging.config
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.harness.waiting import wait_for
from tests.integration.test_demo_command import free_port
from vendors.scalr import models
from vendors.scalr.services.callbacks import REFRESH_EVERY

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
CANARY = "cAnArY-callback-token-5e1f0c2b"


def url(connection, token=None):
    return reverse("scalr:callback", args=[connection.pk, token or f"token-{connection.api}-platform"])


@pytest.fixture
def logged():
    """What the configured log handlers write (root and django.server), in each of the two formats."""
    handlers = {h for name in ("", "django.server") for h in logging.getLogger(name).handlers if h.name == "console"}
    assert handlers, "settings.LOGGING's console handler is installed"
    buffer = io.StringIO()
    saved = [(h, h.setStream(buffer), h.formatter) for h in handlers]

    def use(fmt: str):
        formatter = logging.config.DictConfigurator({}).configure_formatter(
            copy.deepcopy(settings.LOGGING["formatters"][fmt]))
        for handler, _, _ in saved:
            handler.setFormatter(formatter)
        return buffer

    yield use
    for handler, stream, formatter in saved:
        handler.setStream(stream)
        handler.setFormatter(formatter)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_log_line_shows_a_callback_token(web, polled, logged, fmt):
    buffer = logged(fmt)
    right = url(polled)
    token = right.rstrip("/").rsplit("/", 1)[1]
    assert web.get(right).status_code == 405  # the right token
    assert web.post(url(polled, CANARY), {"event": "HostUp"}).status_code == 404  # a wrong one
    assert web.post(reverse("scalr:callback", args=[polled.pk + 1000, CANARY])).status_code == 404
    assert web.post(url(polled, CANARY), {"message": "x" * 70_000}).status_code == 413
    output = buffer.getvalue()
    assert output.count(f"/scalr/callback/{polled.pk}/[redacted]/") >= 3, output  # the refusals were logged
    assert CANARY not in output and token not in output


def test_the_request_line_for_the_access_log_is_masked(web, polled):
    response = web.post(url(polled, CANARY) + "?farm_id=1", {"event": "HostUp"})
    line = response.wsgi_request.META["CONSOLE_REQUEST_LINE"]
    assert line.startswith(f"POST /scalr/callback/{polled.pk}/[redacted]/?farm_id=1") and CANARY not in line


def test_gunicorns_access_log_never_shows_the_token(tmp_path):
    """The deploy/ configuration, served by a real gunicorn: its access log and Django's log of the refusal."""
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "LOG_FORMAT")}
    env.update(CONSOLE_DEV="1", CONSOLE_VAR_DIR=str(tmp_path / "var"), CONSOLE_BIND=f"127.0.0.1:{port}",
               WEB_CONCURRENCY="1", PROMETHEUS_MULTIPROC_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    out, err = open(tmp_path / "access.log", "w+"), open(tmp_path / "error.log", "w+")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "dashboard.wsgi"],
                              cwd=ROOT, env=env, stdout=out, stderr=err)
    try:
        base = f"http://127.0.0.1:{port}"

        def answer():
            try:
                return httpx.post(f"{base}/scalr/callback/1/{CANARY}/", content=b"x" * 66_560,
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
            except httpx.TransportError:
                return None

        assert wait_for(answer, timeout=30, interval=0.2, what="gunicorn answers").status_code == 413
        assert httpx.get(f"{base}/scalr/callback/1/{CANARY}").status_code == 301  # APPEND_SLASH, no lookup
        logs = lambda: (tmp_path / "access.log").read_text()  # noqa: E731
        wait_for(lambda: logs().count("/scalr/callback/1/[redacted]") == 2, what="two access log lines")
    finally:
        server.terminate()
        server.wait(timeout=30)
    access, errors = logs(), (tmp_path / "error.log").read_text()
    assert '"POST /scalr/callback/1/[redacted]/ HTTP/1.1" 413' in access
    assert "/scalr/callback/1/[redacted]/" in errors  # Django logged the refusal, masked
    assert CANARY not in access + errors


def test_a_body_over_64_kb_is_refused_unread(web, polled):
    response = web.post(url(polled), {"event": "HostUp", "message": "x" * (65 * 1024)})
    assert response.status_code == 413
    assert not models.Event.objects.filter(via="callback").exists()
    assert web.post(url(polled), {"event": "HostUp", "message": "x" * (60 * 1024)}).status_code == 200


def post(web, capture, address, data):
    with capture(execute=True):
        return web.post(address, data)


@pytest.mark.parametrize("identified", [True, False])
def test_a_replayed_event_is_accepted_once(web, polled, sim, django_capture_on_commit_callbacks, identified):
    farm = models.Farm.objects.get(connection=polled, name="web-prod")
    data = {"event": "HostDown", "message": f"A server of farm web-prod (ID: {farm.external_id}) went down",
            **({"event_id": "b7c2d0e4-0000-4a1b-9c7e-5d3f2a1b0c9d"} if identified else {})}
    first = post(web, django_capture_on_commit_callbacks, url(polled), data)
    served = sim.requests_served
    again = post(web, django_capture_on_commit_callbacks, url(polled), data)
    assert (first.status_code, again.status_code) == (200, 200)
    assert b"already received" in again.content
    assert models.Event.objects.filter(via="callback").count() == 1
    assert sim.requests_served == served  # no second refresh


def test_a_flood_of_callbacks_starts_one_refresh(web, polled, sim, django_capture_on_commit_callbacks):
    farm = models.Farm.objects.get(connection=polled, name="web-prod")
    served_before = sim.requests_served
    answers = [post(web, django_capture_on_commit_callbacks, url(polled) + f"?farm_id={farm.external_id}",
                    {"event": "HostUp", "message": "flood", "event_id": f"flood-{n}"}).status_code
               for n in range(50)]
    assert answers == [200] + [202] * 49
    assert sim.requests_served > served_before, "the first callback refreshed the farm at Scalr"
    assert models.Event.objects.filter(via="callback").count() == 50  # every event is on the timeline
    polled.refresh_from_db()
    assert polled.next_poll_at <= timezone.now() + timedelta(seconds=REFRESH_EVERY), \
        "the rest coalesce into the poll due when the window ends"
    assert not polled.lease_owner
    served = sim.requests_served
    post(web, django_capture_on_commit_callbacks, url(polled), {"event": "HostUp", "message": "one more"})
    assert sim.requests_served == served  # the window still holds
