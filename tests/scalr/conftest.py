"""Fixtures: a demo simulator served on port 0 and both clients pointed at it over real HTTP."""

from __future__ import annotations

import threading

import httpx
import pytest

from vendors.scalr.client import signing
from vendors.scalr.client import ScalrV1Client, ScalrV2Client
from vendors.scalr.simulator import (DEMO_V1_KEY_ID, DEMO_V1_SECRET, DEMO_V2_KEY_ID, DEMO_V2_SECRET,
                                     ScalrSimulator)

FAST = {"max_attempts": 2, "backoff_initial": 0.01, "backoff_max": 0.02, "max_retry_seconds": 2.0}


@pytest.fixture(scope="session")
def served_sim():
    simulator = ScalrSimulator.demo()
    simulator.serve()
    yield simulator
    simulator.stop()


@pytest.fixture
def sim(served_sim):
    """The demo simulator, back in its initial state for every test."""
    served_sim.reset()
    return served_sim


@pytest.fixture
def v2(sim):
    with ScalrV2Client(sim.url, DEMO_V2_KEY_ID, DEMO_V2_SECRET, **FAST) as client:
        yield client


@pytest.fixture
def v1(sim):
    with ScalrV1Client(sim.url, DEMO_V1_KEY_ID, DEMO_V1_SECRET, **FAST) as client:
        yield client


@pytest.fixture(params=["v1", "v2"])
def client(request, sim):
    """Each test using it runs once per API generation."""
    cls, key, secret = ((ScalrV1Client, DEMO_V1_KEY_ID, DEMO_V1_SECRET) if request.param == "v1"
                        else (ScalrV2Client, DEMO_V2_KEY_ID, DEMO_V2_SECRET))
    with cls(sim.url, key, secret, **FAST) as scalr:
        yield scalr


def ticking(sim):
    """A `wait_for` step (tests.harness.waiting) that moves the simulated world on one tick instead of sleeping."""

    def tick():
        with sim.lock:
            sim.tick()

    return tick


@pytest.fixture
def world_moving(sim):
    """The simulated world moves on by itself (quickly) while a test runs, as a vendor's does."""
    stop = threading.Event()

    def tick():
        while not stop.wait(0.05):
            with sim.lock:
                sim.tick()

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    yield sim
    stop.set()
    thread.join()


def farm_named(sim, env_id: int, name: str):
    return next(f for f in sim.world.farms_of(env_id) if f.name == name)


def query_api_post(url: str, action: str, *, key_id=DEMO_V1_KEY_ID, secret=DEMO_V1_SECRET, env_id="1",
                   version="2.3.0", **params) -> httpx.Response:
    """A raw, correctly signed Query API call (to look at the XML itself)."""
    stamp = signing.utc_timestamp()
    form = {"Action": action, "Version": version, "AuthVersion": "3", "KeyID": key_id, "TimeStamp": stamp,
            "Signature": signing.query_api_signature_v3(secret, action, key_id, stamp), **params}
    if env_id is not None:
        form["EnvID"] = env_id
    return httpx.post(f"{url}/api/api.php", data=form)


def apiv2_send(url: str, method: str, path: str, *, params=None, body: bytes = b"", key_id=DEMO_V2_KEY_ID,
               secret=DEMO_V2_SECRET, headers: dict | None = None) -> httpx.Response:
    """A raw, correctly signed APIv2 call (headers can be overridden to break it)."""
    request = httpx.Request(method, url + path, params=params, content=body,
                            headers={"Content-Type": "application/json; charset=utf-8"})
    request.headers.update(signing.apiv2_headers(key_id, secret, method, request.url.path,
                                                 request.url.query.decode(), body))
    request.headers.update(headers or {})
    with httpx.Client() as http:
        return http.send(request)


# -- Django side: connections to the simulator ---------------------------------------------------
@pytest.fixture(autouse=True)
def _fresh_cache():
    """Budgets and cached reads live in the shared cache: every test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def make_connection(team, sim, *, api: str, name: str | None = None, env_ids=None, **settings):
    from tests.harness.factories import ScalrConnectionFactory

    return ScalrConnectionFactory(name=name or f"scalr-{api}-{team.slug}", team=team, base_url=sim.url, api=api,
                                  settings={"api": api, "env_ids": env_ids or [], **settings})


def poll(connection):
    """Claim and poll `connection` the way the scheduler does; returns the refreshed row."""
    from vendors.core import polling

    lease = polling.connection_claim(connection=connection, force=True)
    outcome = polling.connection_poll(vendor="scalr", pk=connection.pk, lease=lease)
    connection.refresh_from_db()
    return outcome


@pytest.fixture
def v2_connection(team, sim):
    return make_connection(team, sim, api="v2")


@pytest.fixture
def v1_connection(team, sim):
    return make_connection(team, sim, api="v1")


@pytest.fixture(params=["v1", "v2"])
def polled(request, team, sim):
    """A connection of each API generation, polled once."""
    connection = make_connection(team, sim, api=request.param)
    outcome = poll(connection)
    assert outcome.status == "ok", outcome.message
    return connection


@pytest.fixture
def web():
    """Django's test client (`client` here is the Scalr API client fixture)."""
    from django.test import Client

    return Client()
