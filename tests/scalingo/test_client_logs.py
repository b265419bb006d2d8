"""The Scalingo client's logs against the simulator over real HTTP: the last lines and the live
tail (client/logs.py)."""

from __future__ import annotations

import threading

from tests.harness.waiting import wait_for
from tests.scalingo.scalingo_helpers import APP, api_requests


def test_logs_dump_and_filter(sim, client):
    sim.control("log", {"app": APP, "source": "web-1", "lines": ["GET / 200", "GET /health 200"]})
    sim.control("log", {"app": APP, "source": "worker-1", "lines": ["job done"]})
    lines = client.logs(APP, n=2)
    assert [(l.source, l.message) for l in lines] == [("web-1", "GET /health 200"), ("worker-1", "job done")]
    assert lines[0].time.tzinfo is not None
    assert [l.message for l in client.logs(APP, n=10, filter="worker")] == ["job done"]
    sim.control("add_app", {"name": "silent-app", "status": "new"})
    assert client.logs("silent-app") == []  # 204: no logs yet


def test_tail_follows_new_lines(sim, client):
    sim.control("log", {"app": APP, "source": "web-1", "lines": ["before"]})
    stop = threading.Event()
    seen = []

    def writer():
        wait_for(lambda: seen)  # the dump has been read
        for i in range(3):
            sim.control("log", {"app": APP, "source": "web-1", "lines": [f"live {i}"]})

    thread = threading.Thread(target=writer)
    thread.start()
    for line in client.tail_logs(APP, n=1, stop=stop, timeout=10):
        seen.append(line.message)
        if line.message == "live 2":
            break
    thread.join()
    assert seen == ["before", "live 0", "live 1", "live 2"]


def test_tail_gets_a_new_url_when_its_token_expires(sim, client):
    sim.control("log", {"app": APP, "source": "web-1", "lines": ["first"]})
    tail = client.tail_logs(APP, n=1, timeout=10)
    assert next(tail).message == "first"
    sim.log_tokens.clear()  # the logs URL's token is no longer accepted
    sim.control("log", {"app": APP, "source": "web-1", "lines": ["second", "third"]})
    assert [next(tail).message, next(tail).message] == ["second", "third"]  # caught up, nothing twice
    tail.close()
    assert len(api_requests(sim, "/logs")) >= 4  # URL, dump, refused stream, new URL, catch-up
