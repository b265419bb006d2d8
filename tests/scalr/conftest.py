"""Fixtures: a demo simulator served on port 0 and both clients pointed at it over real HTTP."""

from __future__ import annotations

import time

import httpx
import pytest

from vendors.scalr import signing
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


def eventually(condition, *, sim=None, deadline: float = 5.0):
    """Tick the simulated world until `condition()` is truthy; fail after `deadline` seconds."""
    stop = time.monotonic() + deadline
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > stop:
            raise AssertionError("condition not met before the deadline")
        if sim is not None:
            with sim.lock:
                sim.tick()


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
