"""Typed errors carrying Scalr's own words, limits, faults, and secrets kept out of texts and logs."""

from __future__ import annotations

import logging

import pytest

from vendors.core import errors
from vendors.scalr.client import ScalrV1Client, ScalrV2Client
from vendors.scalr.simulator import DEMO_V1_KEY_ID, DEMO_V1_SECRET, DEMO_V2_KEY_ID, DEMO_V2_SECRET

from .conftest import FAST, farm_named


def test_apiv2_not_found_keeps_the_message_and_request_id(v2):
    with pytest.raises(errors.NotFound) as caught:
        v2.farm_details(env_id=1, farm_id=999)
    error = caught.value
    assert error.message == "Requested Farm either does not exist or is not owned by your environment."
    assert (error.status, error.code, len(error.request_id)) == (404, "ObjectNotFound", 36)
    assert str(error) == f"{error.message} (request id {error.request_id})"


def test_query_api_error_keeps_the_message_and_transaction_id(v1):
    with pytest.raises(errors.NotFound) as caught:
        v1.farm_details(env_id=1, farm_id=999)
    assert caught.value.message == "Farm ID#999 not found"
    assert caught.value.status == 200 and len(caught.value.request_id) == 36


def test_validation_errors_carry_details(sim, v1, v2):
    with pytest.raises(errors.InvalidRequest) as caught:
        v2.clone_farm(env_id=1, farm_id=1, name="")
    assert caught.value.details == {"InvalidStructure": "Missed property name"}
    with pytest.raises(errors.InvalidRequest) as caught:
        v1.call("FarmLaunch", 1)
    assert caught.value.details == {"FarmID": "Missing required parameter 'FarmID'"}


def test_apiv2_unacceptable_state_is_a_conflict(sim, v2):
    stopped = sim.world.servers_of(farm_id=farm_named(sim, 1, "legacy-app").id)[0]
    with pytest.raises(errors.Conflict) as caught:
        v2.suspend_server(env_id=1, server_id=stopped.id)
    assert (caught.value.status, caught.value.code) == (409, "UnacceptableState")
    assert caught.value.message.startswith("Only running servers can be suspended")


def test_apiv2_limit_exceeded_is_rate_limited(sim, v2):
    sim.apiv2_rate_limit = 2
    v2.check()
    v2.check()
    served = sim.requests_served
    with pytest.raises(errors.RateLimited) as caught:
        v2.check()
    assert sim.requests_served == served + 1, "a 403 LimitExceeded is not retried"
    assert caught.value.message.startswith("The maximum request rate permitted by the Scalr APIs has been exceeded")
    assert (caught.value.status, caught.value.code) == (403, "LimitExceeded")
    assert 0 < caught.value.retry_after <= 60


def test_query_api_hourly_limit_is_a_bare_429_per_environment(sim):
    sim.rate_limit = 3
    with ScalrV1Client(sim.url, DEMO_V1_KEY_ID, DEMO_V1_SECRET, **FAST) as scalr:
        for _ in range(3):
            scalr.list_farms(env_id=1)
        served = sim.requests_served
        with pytest.raises(errors.RateLimited) as caught:
            scalr.list_farms(env_id=1)
        assert sim.requests_served == served + 1, "the hourly limit is not retried within the call"
        assert caught.value.status == 429
        scalr.list_farms(env_id=2)
        assert scalr.request_counts == {1: 4, 2: 1}
    sim.control("set_rate_limit", {"rate_limit": None})
    with ScalrV1Client(sim.url, DEMO_V1_KEY_ID, DEMO_V1_SECRET, **FAST) as scalr:
        scalr.list_farms(env_id=1)


def test_rate_limit_fault_speaks_each_generation(sim, client):
    sim.faults.update(rate_limit=True, count=-1)
    with pytest.raises(errors.RateLimited) as caught:
        client.check()
    assert caught.value.status == (429 if client.api == "v1" else 403)


def test_transient_5xx_is_retried(sim, client):
    served, faults = sim.requests_served, sim.faults_served().get("http_503", 0)
    sim.faults.update(status=503, count=1)
    client.check()
    assert sim.faults_served().get("http_503", 0) == faults + 1, "the 503 was answered"
    assert sim.requests_served == served + 2, "and the check was sent again"


def test_persistent_5xx_becomes_unavailable(sim, client):
    sim.faults.update(status=500, count=-1)
    with pytest.raises(errors.VendorUnavailable):
        client.list_farms(env_id=1)


def test_malformed_answers_are_protocol_errors(sim, client):
    sim.faults.update(malformed=True, count=-1)
    with pytest.raises(errors.ProtocolError):
        client.list_farms(env_id=1)


def test_one_malformed_answer_to_a_read_is_read_again(sim, client):
    served, faults = sim.requests_served, sim.faults_served().get("malformed", 0)
    sim.faults.update(malformed=True, count=1)
    assert client.list_farms(env_id=1)
    assert sim.faults_served().get("malformed", 0) == faults + 1, "the malformed answer was served"
    assert sim.requests_served > served + 1, "and the list was read again"


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_secrets_never_reach_exception_texts_or_logs(sim, caplog, api):
    caplog.set_level(logging.DEBUG)
    cls, key, good = (ScalrV1Client, DEMO_V1_KEY_ID, DEMO_V1_SECRET) if api == "v1" else \
        (ScalrV2Client, DEMO_V2_KEY_ID, DEMO_V2_SECRET)
    wrong = good[::-1]
    raised = []
    for secret, url in ((wrong, sim.url), (good, "http://127.0.0.1:9")):
        with cls(url, key, secret, **FAST) as scalr:
            with pytest.raises(errors.VendorError) as caught:
                scalr.list_farms(env_id=1)
            raised.append(caught.value)
            assert secret not in repr(scalr)
    for error in raised:
        for text in (str(error), repr(error), error.message, repr(error.details)):
            assert good not in text and wrong not in text
    assert isinstance(raised[0], errors.AuthenticationError) and isinstance(raised[1], errors.VendorUnavailable)
    assert caplog.records, "the clients logged something"
    assert good not in caplog.text and wrong not in caplog.text
