"""What the app page reads live (logs, the live tail, charts, build output, variables) when the
token's minute is spent: they may use the reserve polls leave them, and when Scalingo itself
answers 429 the page says when to try again, while the live tail waits and goes on."""

from __future__ import annotations

import html
import json
import re
import threading

import pytest
from django.test import Client
from django.urls import reverse
from tests.harness.waiting import wait_for
from tests.scalingo.scalingo_helpers import APP

from console.teams.models import Role
from vendors.scalingo import models, sync
from vendors.scalingo.client import budget_for
from vendors.scalingo.views import logs as log_views

pytestmark = pytest.mark.django_db

LIMIT = 60


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def events(response):
    """(event, data) of a server-sent events response, as they come."""
    for chunk in response.streaming_content:
        for block in chunk.decode().split("\n\n"):
            fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
            if "event" in fields:
                yield fields["event"], json.loads(fields["data"])


@pytest.fixture
def short_tail(monkeypatch):
    """The live tail stops by itself after 30 s instead of 5 min: a test that waits for lines
    that never come fails in time instead of hanging."""
    monkeypatch.setattr(log_views, "TAIL_SECONDS", 30)


@pytest.fixture
def polled(scalingo_sims, make_connection, poll, clock):
    """An app behind Scalingo's real limit (the simulator's sliding minute, per token), polled once."""
    sim = scalingo_sims(rate_limit=LIMIT)
    conn = make_connection(sim, requests_per_minute=LIMIT)
    assert poll(conn).status == "ok"
    app = models.App.objects.get(connection=conn, name=APP)
    return sim, conn, app


# -- the live tail ------------------------------------------------------------------------------------
def test_the_live_tail_waits_out_429s_and_loses_or_repeats_no_line(polled, members, short_tail):
    sim, conn, app = polled
    written = [f"tail-{i:02d}" for i in range(1, 11)]
    # Scalingo refuses the tail's first asks (the logs URL), then, half-way, its log stream
    sim.control("rate_limit_requests", {"count": 2, "path": "/logs", "retry_after": 1})

    def delivered() -> bool:
        with sim.lock:
            newest = sim.world.find_app(APP)["_log_seq"]
            return any(session["seq"] == newest for session in sim.log_tokens.values())

    def writer():
        wait_for(lambda: any(s["seq"] is not None for s in list(sim.log_tokens.values())), timeout=20)
        for message in written[:5]:
            sim.control("log", {"app": APP, "source": "web-1", "lines": [message]})
        wait_for(delivered, timeout=20)
        sim.control("rate_limit_requests", {"count": 2, "path": "/logs", "retry_after": 1})
        wait_for(lambda: len(sim.throttled) > 2, timeout=20)  # the stream's next reconnect was refused
        for message in written[5:]:
            sim.control("log", {"app": APP, "source": "web-1", "lines": [message]})

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    response = web(members[Role.VIEWER]).get(reverse("scalingo:app-logs-tail", args=[app.pk]))
    seen, notices, failures = [], [], []
    try:
        for kind, data in events(response):
            if kind == "line":
                seen.extend(re.findall(r"tail-\d\d", data))
            elif kind == "notice":
                notices.append(data)
            elif kind in ("failed", "stopped"):
                failures.append(data)
                break
            if len(seen) >= len(written):
                break
    finally:
        response.close()
        thread.join(timeout=20)

    assert failures == []
    assert seen == written  # every line, once, in order
    assert len(sim.throttled) == 4  # Scalingo really refused: twice at the start, twice half-way
    assert any("/v1/apps/" in path for path in sim.throttled)  # the API (the logs URL)
    assert any(path.startswith("/apps/") for path in sim.throttled)  # the logs host (the stream)
    assert notices and set(notices) == {"Scalingo asked to slow down; the live tail resumes in 1 s."}


def test_the_live_tail_counts_its_api_requests_against_the_tokens_minute(polled, members, short_tail):
    sim, conn, app = polled
    budget = budget_for(conn)
    before = budget.used()
    sim.received.clear()

    def writer():
        wait_for(lambda: any(s["seq"] is not None for s in list(sim.log_tokens.values())), timeout=20)
        sim.control("log", {"app": APP, "source": "web-1", "lines": ["first live line"]})

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    response = web(members[Role.VIEWER]).get(reverse("scalingo:app-logs-tail", args=[app.pk]))
    try:
        kind, data = next(events(response))
    finally:
        response.close()
        thread.join(timeout=20)

    assert kind == "line" and "first live line" in data
    api = [r for r in sim.received if r.path.startswith("/v1/")]
    logs_host = [r for r in sim.received if r.path.startswith("/apps/")]
    assert len(api) == 1 and len(logs_host) >= 2  # the logs URL; then the dump and the stream
    assert budget.used() - before == len(api)  # the API's minute counts; the pre-authenticated logs host's not


# -- page reads -----------------------------------------------------------------------------------------
def read_logs(client, app):
    return html.unescape(client.get(reverse("scalingo:app-logs", args=[app.pk])).content.decode())


def read_variables(client, app):
    return html.unescape(client.get(reverse("scalingo:app-detail", args=[app.pk]) + "?tab=variables")
                         .content.decode())


def read_output(client, app):
    deployment = app.deployments.first()
    url = reverse("scalingo:deployment-output", args=[app.pk, deployment.external_id])
    return html.unescape(client.get(url).content.decode())


def read_series(client, app):
    return client.get(reverse("scalingo:app-series", args=[app.pk])).json()["error"]


READS = {"logs": (read_logs, "/logs"), "variables": (read_variables, "/variables"),
         "build output": (read_output, "/output"), "charts": (read_series, "/stats/")}


def test_page_reads_use_the_reserve_polls_leave(polled, members, poll):
    """Polls spent the token's minute down to the reserve and wait; the page's reads still work."""
    sim, conn, app = polled
    outcomes = [poll(conn).status for _ in range(12)]
    assert "deferred" in outcomes and "failed" not in outcomes
    budget = budget_for(conn)
    assert budget.remaining() < sync.RESERVE + sync.POLL_MINIMUM  # what polls leave: the reserve
    sim.control("log", {"app": APP, "source": "web-1", "lines": ["GET / 200"]})
    admin = web(members[Role.ADMIN])
    with sim.lock:
        sim.world.find_app(APP)["_variables"].append({"id": "v1", "app_id": app.external_id,
                                                      "name": "FEATURE_FLAG", "value": "on"})

    assert "GET / 200" in read_logs(admin, app)
    page = read_variables(admin, app)
    assert "FEATURE_FLAG" in page and "Could not read" not in page
    assert "Start deployment" in read_output(admin, app)
    assert read_series(admin, app) == ""

    assert sim.throttled == [] and "asked to slow down" not in page
    assert budget.used() <= LIMIT  # within Scalingo's minute: it never had to refuse


@pytest.mark.parametrize("read", READS)
@pytest.mark.parametrize("retry_after, wait", [(20, 20), (None, 61)], ids=["retry-after", "documented-429"])
def test_a_page_read_scalingo_refuses_says_when_to_try_again(polled, members, read, retry_after, wait):
    """Scalingo's 429 (with or without Retry-After) is not an error to show: the page says when to
    try again (Scalingo's word, else when the requests counted in the token's sliding minute start to
    leave it: the poll spent them 1 s into the clock's minute, so 61 s from then, counted to the second)."""
    sim, conn, app = polled
    reader, path = READS[read]
    sim.control("rate_limit_requests", {"count": 5, "path": path, "retry_after": retry_after})

    shown = reader(web(members[Role.ADMIN]), app)

    assert f"Scalingo asked to slow down; try again in {wait} s." in shown
    assert "Retry later" not in shown
    # a Retry-After longer than a page may wait is not retried before its time
    assert len(sim.throttled) == (1 if retry_after else 2)
