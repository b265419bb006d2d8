"""Live tails are bounded (vendors/core/streams.py): through a real web server process, the tails a
browser leaves end at the vendor within seconds, the per-user and per-process limits answer the
page's message, and pages keep answering while a process relays as many tails as it allows.

The simulator's log streams here wait a minute for lines, so a vendor stream that ends sooner was
closed by the console; the simulator counts the ones open (`open_log_streams`)."""

from __future__ import annotations

import json
from contextlib import ExitStack

import httpx
import pytest
from django.conf import settings
from django.urls import reverse
from tests.harness.factories import member_of
from tests.harness.waiting import wait_for
from tests.integration.web_process import WebServer
from tests.integration.worker_process import worker_environment
from tests.scalingo.scalingo_helpers import APP

from console.teams.models import Role
from vendors.scalingo import models

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

#: the browser side is closed; the vendor side must have ended within this (issue 11)
VENDOR_ENDS_WITHIN = 10.0
#: a safety net so a starved server fails the test instead of hanging it; the ordering is what is asserted
NEVER = httpx.Timeout(60.0)


@pytest.fixture
def tailed_app(scalingo_sims, make_connection, poll):
    # no 60-a-minute limit here: a poll, twenty tails and the pages in one minute may pass it, and
    # waiting it out is another test's subject (tests/scalingo/test_live_reads.py)
    sim = scalingo_sims(stream_seconds=60, rate_limit=None)
    conn = make_connection(sim)
    assert poll(conn).status == "ok"
    return sim, models.App.objects.get(connection=conn, name=APP)


@pytest.fixture
def serve(tmp_path):
    servers = []

    def start(kind: str) -> WebServer:
        server = getattr(WebServer, kind)(tmp_path / f"{kind}.log", worker_environment()).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def open_tail(stack: ExitStack, client: httpx.Client, app) -> httpx.Response:
    """A browser's EventSource: the request, its headers and the stream's first comment; held open."""
    url = reverse("scalingo:app-logs-tail", args=[app.pk])
    response = client.send(client.build_request("GET", url, headers={"Accept": "text/event-stream"}), stream=True)
    stack.callback(response.close)
    assert response.status_code == 200 and response.headers["content-type"] == "text/event-stream"
    first = next(response.iter_text())
    assert first.startswith(":"), f"a tail was expected, got {first!r}"
    return response


def refusal(client: httpx.Client, app) -> str:
    """The message of the `refused` event a tail past a limit answers (a whole answer, for the page)."""
    response = client.get(reverse("scalingo:app-logs-tail", args=[app.pk]))
    fields = dict(line.split(": ", 1) for line in response.text.splitlines() if ": " in line)
    assert response.status_code == 200 and fields.get("event") == "refused", (response.status_code, response.text)
    return json.loads(fields["data"])


PAGES = ("overview:home", "scalingo:app-list", "core:connection-list", "overview:timeline")


def pages_answer(client: httpx.Client, app) -> list[int]:
    urls = [reverse(name) for name in PAGES] + [reverse("scalingo:app-detail", args=[app.pk])]
    return [client.get(url, timeout=NEVER).status_code for url in urls]


def test_gunicorn_bounds_live_tails_and_ends_the_vendor_streams_the_browsers_left(tailed_app, team, serve):
    sim, app = tailed_app
    per_user, per_process = settings.CONSOLE_TAILS_PER_USER, settings.CONSOLE_TAILS_PER_PROCESS
    server = serve("gunicorn")  # deploy/gunicorn.conf.py, one worker: every tail counts against it
    users = [member_of(team, Role.VIEWER, username=f"tailer-{i}") for i in range(-(-per_process // per_user))]
    clients = [server.client_for(user, timeout=NEVER) for user in users]
    tails = ExitStack()
    with tails:
        for index in range(per_process):
            open_tail(tails, clients[index // per_user], app)
            if index + 1 == per_user:  # the first user's next one is refused, for that user
                assert refusal(clients[0], app) == (
                    f"You already have {per_user} live tails open, as many as one person may. "
                    "Stop one (in another tab or window) and press Live tail again.")
        wait_for(lambda: sim.open_log_streams == per_process, timeout=30, what="every tail reading Scalingo")

        # one more than the process relays is refused, even for a user below their own limit
        assert per_process % per_user, "the last user must be below the per-user limit"
        full = (f"This server is already relaying {per_process} live tails, as many as it allows. "
                "Try again in a few minutes; Reload shows the latest lines meanwhile.")
        assert refusal(clients[-1], app) == full

        answered = pages_answer(clients[0], app)
        assert refusal(clients[-1], app) == full  # every page answered while the server was full of tails
    assert answered == [200] * (len(PAGES) + 1)

    # the browsers went away (the `with` closed them): the vendor's streams end within seconds
    wait_for(lambda: sim.open_log_streams == 0, timeout=VENDOR_ENDS_WITHIN, what="Scalingo's log streams closed")
    # and their places are free again
    wait_for(lambda: _tail_opens(clients[-1], app), timeout=VENDOR_ENDS_WITHIN, what="a new tail accepted")
    for client in clients:
        client.close()


def _tail_opens(client: httpx.Client, app) -> bool:
    with ExitStack() as stack:
        try:
            open_tail(stack, client, app)
        except AssertionError:
            return False
    return True


def test_the_demo_server_keeps_tails_bounded_and_ends_them_with_the_browser(tailed_app, team, serve):
    """`manage.py demo` serves with runserver: the same limits and the same end."""
    sim, app = tailed_app
    per_user = settings.CONSOLE_TAILS_PER_USER
    server = serve("runserver")
    client = server.client_for(member_of(team, Role.VIEWER, username="demo-tailer"), timeout=NEVER)
    with ExitStack() as tails:
        for _ in range(per_user):
            open_tail(tails, client, app)
        wait_for(lambda: sim.open_log_streams == per_user, timeout=30, what="every tail reading Scalingo")
        assert refusal(client, app).startswith(f"You already have {per_user} live tails open")
        answered = pages_answer(client, app)
        assert refusal(client, app).startswith(f"You already have {per_user} live tails open")  # still open
    assert answered == [200] * (len(PAGES) + 1)
    wait_for(lambda: sim.open_log_streams == 0, timeout=VENDOR_ENDS_WITHIN, what="Scalingo's log streams closed")
    client.close()


def test_a_users_tails_are_counted_across_web_processes(tailed_app, team, serve):
    """Two web processes sharing the database and the cache: a user's tails count in both."""
    sim, app = tailed_app
    per_user = settings.CONSOLE_TAILS_PER_USER
    user = member_of(team, Role.VIEWER, username="two-tabs")
    first, second = (serve("runserver").client_for(user, timeout=NEVER) for _ in range(2))
    with ExitStack() as tails:
        for index in range(per_user):
            open_tail(tails, first if index % 2 == 0 else second, app)
        assert refusal(second, app).startswith(f"You already have {per_user} live tails open")
        assert refusal(first, app).startswith(f"You already have {per_user} live tails open")
    wait_for(lambda: sim.open_log_streams == 0, timeout=VENDOR_ENDS_WITHIN, what="Scalingo's log streams closed")
    wait_for(lambda: _tail_opens(second, app), timeout=VENDOR_ENDS_WITHIN, what="the user's places freed")
    first.close()
    second.close()
