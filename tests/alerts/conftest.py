"""Real receivers of the alerts' notifications: an HTTP server that keeps what it is posted (a webhook
or Slack's endpoint) and answers what the test says, and an SMTP server (aiosmtpd) that keeps the mail."""

from __future__ import annotations

import socket
import threading
import time
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from tests.harness.catcher import Catcher
from tests.harness.factories import ChannelFactory
from vendors.core.simulator import Request, Response


class Receiver(Catcher):
    """Keeps each request with its arrival time; answers `statuses` in turn (a status, or (status, body)),
    then 200."""

    vendor = "receiver"

    def __init__(self, statuses=()):
        super().__init__(Response(200, "ok"))
        self.statuses = list(statuses)
        self.arrivals: list[tuple[float, Request]] = []

    def handle(self, request: Request) -> Response:
        with self.lock:
            self.requests.append(request)
            self.arrivals.append((time.monotonic(), request))
            answer = self.statuses.pop(0) if self.statuses else 200
        status, body = answer if isinstance(answer, tuple) else (answer, "ok" if answer < 400 else "receiver is down")
        return Response(status, body)

    def bodies(self) -> list[dict]:
        with self.lock:
            return [request.json() for request in self.requests]


@pytest.fixture
def receivers():
    """`receivers(statuses=())` starts a Receiver on loopback; all stop after the test."""
    started = []

    def start(statuses=()) -> Receiver:
        receiver = Receiver(statuses)
        receiver.serve()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


class Mailbox:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """An SMTP server on loopback (aiosmtpd), and the console's mail settings pointing at it (EMAIL_URL)."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_URL = f"smtp://127.0.0.1:{controller.port}"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield mailbox
    controller.stop()


@pytest.fixture
def webhook(team, receivers):
    """A webhook channel of `team` posting to a fresh receiver, signed; (channel, receiver)."""
    receiver = receivers()
    channel = ChannelFactory(team=team, name="ops-webhook", url=receiver.url + "/hooks/ops",
                             signing_secret="whsec-test-0123456789")
    return channel, receiver


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run what was queued after commit (the notifications), as a committed transaction would."""
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = action(*args, **kwargs)
        return result

    return run
