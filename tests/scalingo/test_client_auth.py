"""The Scalingo client's auth against the simulator over real HTTP: the token exchange and its
bearer, legacy Basic auth, regions, and tokens kept out of errors and logs (client/base.py)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import httpx
import pytest
from tests.scalingo.scalingo_helpers import APP, FAST, api_requests, exchanges, make_sim, stop_soon

from console import redaction
from vendors.core import errors
from vendors.scalingo.client import ScalingoClient
from vendors.scalingo.simulator import DEFAULT_PASSWORD, DEFAULT_TOKEN


class Clock:
    """A hand-moved clock for the client's token-expiry arithmetic."""

    def __init__(self):
        self.now = datetime.now(timezone.utc).timestamp()

    def __call__(self):
        return self.now


# -- auth --------------------------------------------------------------------------------------
def test_token_exchanged_once_and_sent_as_bearer(sim, client):
    client.apps()
    client.app(APP)
    client.formation(APP)
    assert exchanges(sim) == 1
    calls = api_requests(sim, "/apps")
    assert calls and all(r.header("Authorization").startswith("Bearer ") for r in calls)
    assert all(r.header("Accept") == "application/json" for r in calls)


def test_bearer_refreshed_five_minutes_before_expiry(sim):
    clock = Clock()
    with ScalingoClient(DEFAULT_TOKEN, auth_url=sim.url, clock=clock, **FAST) as client:
        client.apps()
        clock.now += 3600 - 301  # 301 s left: still good
        client.apps()
        assert exchanges(sim) == 1
        clock.now += 2  # 299 s left: exchange again before asking
        client.apps()
        assert exchanges(sim) == 2
        assert len(api_requests(sim, "/v1/apps")) == 3  # ahead of time: no call was refused and repeated


def test_short_lived_bearer_is_refreshed_ahead_of_each_call():
    simulator = make_sim(token_lifetime=200)  # under the 5-minute margin from the start
    try:
        with ScalingoClient(DEFAULT_TOKEN, auth_url=simulator.url, **FAST) as client:
            client.apps()
            client.apps()
        assert exchanges(simulator) == len(api_requests(simulator)) == 3  # regions, apps, apps
    finally:
        stop_soon(simulator)


def test_expired_bearer_is_refreshed_once_on_401(sim, client):
    client.apps()
    sim.control("expire_tokens", {})  # the cached bearer now answers 401 "token expired"
    assert [a.name for a in client.apps()] == [APP]
    assert exchanges(sim) == 2


def test_refresh_on_401_happens_only_once(sim, client):
    client.apps()
    sim.control("expire_tokens", {"count": 5})
    with pytest.raises(errors.AuthenticationError, match="token expired"):
        client.apps()
    assert exchanges(sim) == 2  # the first exchange, then one refresh, and no loop


def test_one_client_shared_by_threads_refreshes_once(sim, client):
    client.apps()
    sim.control("expire_tokens", {})
    with ThreadPoolExecutor(max_workers=8) as pool:
        apps = list(pool.map(lambda _: client.app(APP).name, range(16)))
    assert apps == [APP] * 16
    assert exchanges(sim) == 2  # every thread saw 401 on the old bearer; one exchange renewed it for all
    assert client.requests_made == len(sim.received)


def test_wrong_api_token_is_not_retried(sim):
    with ScalingoClient("tk-us-wrong-token-000000", auth_url=sim.url, **FAST) as client:
        with pytest.raises(errors.AuthenticationError, match="Invalid credentials") as caught:
            client.apps()
    assert caught.value.status == 401
    assert exchanges(sim) == 1


def test_legacy_sign_in_then_basic_auth(sim):
    """The 2015 flow: a login and password traded at `/users/sign_in` for a token sent with Basic."""
    signed = httpx.post(sim.url + "/v1/users/sign_in",
                        json={"user": {"login": "ops@example.com", "password": DEFAULT_PASSWORD}})
    assert signed.status_code == 201
    client = ScalingoClient(signed.json()["authentication_token"], legacy=True, api_url=sim.url, **FAST)
    assert [a.name for a in client.apps()] == [APP]
    assert client.whoami().email == "ops@example.com"
    calls = api_requests(sim, "/v1/apps")
    assert calls[-1].header("Authorization").startswith("Basic ")
    assert exchanges(sim) == 0
    refused = httpx.post(sim.url + "/v1/users/sign_in",
                         json={"user": {"login": "ops@example.com", "password": "wrong-password"}})
    assert isinstance(client.error_from_response(refused), errors.AuthenticationError)
    client.close()


def test_legacy_token_with_basic_auth(sim):
    with ScalingoClient(DEFAULT_TOKEN, legacy=True, api_url=sim.url, **FAST) as client:
        assert [a.name for a in client.apps()] == [APP]
    refused = make_sim(legacy_auth=False)
    try:
        with ScalingoClient(DEFAULT_TOKEN, legacy=True, api_url=refused.url, **FAST) as client:
            with pytest.raises(errors.AuthenticationError):
                client.apps()
    finally:
        stop_soon(refused)


def test_check_and_whoami(sim, client):
    user = client.check()
    assert user.email == "ops@example.com" and user.id.startswith("us-")
    assert client.api_url == sim.url


# -- regions -----------------------------------------------------------------------------------
def test_regions_resolve_to_their_own_api(sim):
    sim.control("add_app", {"name": "secure-vault-api", "region": "osc-secnum-fr1"})
    with ScalingoClient(DEFAULT_TOKEN, region="osc-secnum-fr1", auth_url=sim.url, **FAST) as client:
        assert {r.name for r in client.regions()} == {"osc-fr1", "osc-secnum-fr1"}
        assert [a.name for a in client.apps()] == ["secure-vault-api"]
        assert client.api_url == sim.url + "/osc-secnum-fr1"
    with ScalingoClient(DEFAULT_TOKEN, region="agora-fr1", auth_url=sim.url, **FAST) as client:
        with pytest.raises(errors.NotFound, match="agora-fr1"):
            client.apps()


def test_custom_api_url_with_or_without_v1(sim):
    for api_url in (sim.url, sim.url + "/v1", sim.url + "/v1/"):
        with ScalingoClient(DEFAULT_TOKEN, api_url=api_url, auth_url=sim.url + "/v1", **FAST) as client:
            assert [a.name for a in client.apps()] == [APP]
    assert not [r for r in sim.received if r.path == "/v1/regions"]


# -- secrets -----------------------------------------------------------------------------------
def test_tokens_never_reach_errors_or_logs(sim, caplog):
    caplog.set_level(logging.DEBUG)
    texts = []
    with ScalingoClient(DEFAULT_TOKEN, auth_url=sim.url, **FAST) as client:
        client.apps()
        bearer = client._bearer
        url = client.logs_url(APP)
        sim.control("expire_tokens", {"count": 3})
        for call in (client.apps, lambda: client.app("missing"), lambda: client.scale(APP, [("web", 11)])):
            try:
                call()
            except errors.VendorError as exc:
                texts += [str(exc), repr(exc)]
        sim.faults.update(status=500)
        try:
            client.logs(APP)
        except errors.VendorError as exc:
            texts += [str(exc), repr(exc)]
    with ScalingoClient("tk-us-wrong-token-000000", auth_url=sim.url, **FAST) as wrong:
        try:
            wrong.apps()
        except errors.VendorError as exc:
            texts += [str(exc), repr(exc)]
    assert len(texts) >= 8
    token = url.split("token=")[1].split("&")[0]
    for secret in (DEFAULT_TOKEN, bearer, url, token, "tk-us-wrong-token-000000"):
        assert all(secret not in text for text in texts)
        assert secret not in caplog.text
        assert redaction.redact(f"x {secret} y") == f"x {redaction.MASK} y"
