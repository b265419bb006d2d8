"""The simulator verifies what the clients sign over real HTTP, and refuses the rest with
Scalr's documented codes and messages (scalr.md A2, B3, B4)."""

from __future__ import annotations

import time

import httpx
import pytest

from vendors.core import errors
from vendors.scalr.client import signing
from vendors.scalr.client import ScalrV1Client, ScalrV2Client
from vendors.scalr.simulator import (DEMO_V1_KEY_ID, DEMO_V2_KEY_ID, DEMO_V2_STAGING_KEY_ID,
                                     DEMO_V2_STAGING_SECRET)

from .conftest import FAST, apiv2_send, query_api_post

WRONG_SECRET = "d3JvbmctZDNKdmJtY3RjMlZqY21WMExYZHliMjVu"


def test_clients_signatures_verify(client):
    client.check()
    assert [e.name for e in client.list_environments()] == ["production", "staging"]


def test_apiv2_wrong_secret(sim):
    with ScalrV2Client(sim.url, DEMO_V2_KEY_ID, WRONG_SECRET, **FAST) as scalr:
        with pytest.raises(errors.AuthenticationError) as caught:
            scalr.list_farms(env_id=1)
    assert caught.value.message == "Signature does not match"
    assert caught.value.code == "BadAuthentication" and caught.value.status == 401
    assert len(caught.value.request_id) == 36


def test_apiv2_unknown_key(sim):
    with ScalrV2Client(sim.url, "APIKNOSUCHKEY0000000", WRONG_SECRET, **FAST) as scalr:
        with pytest.raises(errors.AuthenticationError, match=r"^Invalid API Key \(request id"):
            scalr.check()


def test_apiv2_skewed_date(sim, v2, monkeypatch):
    monkeypatch.setattr(signing, "utc_timestamp", lambda now=None: time.strftime(
        "%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 400)))
    with pytest.raises(errors.AuthenticationError) as caught:
        v2.list_farms(env_id=1)
    assert caught.value.message == "Request is expired."


@pytest.mark.parametrize("headers, status, code, message", [
    ({"X-Scalr-Signature": ""}, 401, "BadAuthentication", "Unsigned request"),
    ({"X-Scalr-Date": "yesterday-ish"}, 400, "BadRequest", "Missing or invalid X-Scalr-Date header"),
    ({"X-Scalr-Signature": "V2-HMAC-SHA256 abc"}, 401, "BadAuthentication", "Invalid signature"),
])
def test_apiv2_malformed_auth_headers(sim, headers, status, code, message):
    response = apiv2_send(sim.url, "GET", "/api/v1beta0/user/1/farms/", headers=headers)
    assert response.status_code == status
    body = response.json()
    assert list(body) == ["meta", "errors"]
    assert body["errors"] == [{"code": code, "message": message}]


def test_apiv2_debug_header_shows_string_to_sign_and_time(sim):
    response = apiv2_send(sim.url, "GET", "/api/v1beta0/user/1/farms/", params={"maxResults": 2},
                          headers={"X-Scalr-Debug": "1"})
    meta = response.json()["meta"]
    assert meta["stringToSign"].startswith("GET\n") and meta["stringToSign"].endswith(
        "\n/api/v1beta0/user/1/farms/\nmaxResults=2\n")
    stale = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 900))
    request = httpx.Request("GET", sim.url + "/api/v1beta0/user/1/farms/")
    request.headers.update(signing.apiv2_headers(DEMO_V2_KEY_ID, "x" * 40, "GET", "/api/v1beta0/user/1/farms/",
                                                 "", b"", date=stale))
    request.headers["X-Scalr-Debug"] = "1"
    with httpx.Client() as http:
        message = http.send(request).json()["errors"][0]["message"]
    assert message.startswith("Request is expired. Now is ")


def test_apiv2_body_needs_json_content_type(sim):
    response = apiv2_send(sim.url, "POST", "/api/v1beta0/user/1/farms/3/actions/launch/", body=b"{}",
                          headers={"Content-Type": "text/plain"})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"code": "BadRequest", "message": "Invalid Content-Type"}]


def test_apiv2_version_and_environment_checks(sim):
    wrong_version = apiv2_send(sim.url, "GET", "/api/v2beta0/user/1/farms/")
    assert (wrong_version.status_code, wrong_version.json()["errors"][0]["message"]) == (400, "Invalid API version")
    no_env = apiv2_send(sim.url, "GET", "/api/v1beta0/user/abc/farms/")
    assert no_env.json()["errors"] == [{"code": "InvalidValue",
                                        "message": "Environment has not been provided with the request"}]
    unknown = apiv2_send(sim.url, "GET", "/api/v1beta0/user/99/farms/")
    assert (unknown.status_code, unknown.json()["errors"][0]) == (
        403, {"code": "ObjectNotFound", "message": "Invalid environment"})
    nowhere = apiv2_send(sim.url, "GET", "/api/v1beta0/user/1/no-such-thing/")
    assert nowhere.status_code == 404 and nowhere.json()["errors"][0]["code"] == "EndpointNotFound"


def test_apiv2_old_path_order_answers_with_a_warning(sim):
    response = apiv2_send(sim.url, "GET", "/api/user/v1beta0/1/farms/")
    assert response.status_code == 200
    assert response.json()["warnings"] == [{"code": "Moved Permanently",
                                            "message": "Location /api/v1beta0/user/1/farms/"}]


def test_apiv2_user_key_sees_only_its_environment(sim):
    with ScalrV2Client(sim.url, DEMO_V2_STAGING_KEY_ID, DEMO_V2_STAGING_SECRET, env_ids=[2], **FAST) as scalr:
        assert [f.env_id for f in scalr.list_farms(env_id=2)] == [2] * 5
        with pytest.raises(errors.VendorForbids) as caught:
            scalr.list_farms(env_id=1)
        assert caught.value.message == "You don't have access to the environment."
        assert caught.value.code == "PermissionViolation"
        # no account scope: the environment list falls back to the configured ids
        assert [e.id for e in scalr.list_environments()] == [2]
        scalr.check()


def test_query_api_wrong_secret(sim):
    with ScalrV1Client(sim.url, DEMO_V1_KEY_ID, WRONG_SECRET + WRONG_SECRET, **FAST) as scalr:
        with pytest.raises(errors.AuthenticationError) as caught:
            scalr.list_farms(env_id=1)
    assert caught.value.message == "Signature doesn't match"
    assert caught.value.status == 200 and len(caught.value.request_id) == 36


def test_query_api_unknown_key(sim):
    with ScalrV1Client(sim.url, "0123456789abcdef", WRONG_SECRET, **FAST) as scalr:
        with pytest.raises(errors.AuthenticationError, match="^The specified KeyID does not exist"):
            scalr.check()


@pytest.mark.parametrize("drop, message", [("Signature", "Signature is missing"), ("KeyID", "KeyID is missing"),
                                           ("TimeStamp", "Timestamp is missing")])
def test_query_api_missing_auth_parameters(sim, drop, message):
    stamp = signing.utc_timestamp()
    form = {"Action": "FarmsList", "Version": "2.3.0", "AuthVersion": "3", "KeyID": DEMO_V1_KEY_ID,
            "TimeStamp": stamp, "Signature": "abc"}
    del form[drop]
    response = httpx.post(f"{sim.url}/api/api.php", data=form)
    assert response.status_code == 200
    assert f"<Message>{message}</Message>" in response.text


def test_query_api_timestamp_is_not_checked_for_freshness(sim):
    response = query_api_post(sim.url, "FarmsList")
    assert "<FarmsListResponse>" in response.text
    stamp = "2009-01-07T15:04:56Z"
    form = {"Action": "FarmsList", "Version": "2.3.0", "AuthVersion": "3", "KeyID": DEMO_V1_KEY_ID, "TimeStamp": stamp,
            "Signature": signing.query_api_signature_v3(sim.credentials[DEMO_V1_KEY_ID].secret, "FarmsList",
                                                        DEMO_V1_KEY_ID, stamp)}
    assert "<FarmsListResponse>" in httpx.get(f"{sim.url}/api/api.php", params=form).text


def test_query_api_signature_with_unescaped_plus_still_verifies(sim):
    """Scalr turns spaces in the received Signature back into '+' (B3)."""
    stamp = signing.utc_timestamp()
    secret = sim.credentials[DEMO_V1_KEY_ID].secret
    for attempt in range(50):
        stamp = f"2013-05-01T12:00:{attempt:02d}.000Z"
        signature = signing.query_api_signature_v3(secret, "FarmsList", DEMO_V1_KEY_ID, stamp)
        if "+" in signature:
            break
    body = (f"Action=FarmsList&Version=2.3.0&AuthVersion=3&KeyID={DEMO_V1_KEY_ID}&TimeStamp={stamp}"
            f"&Signature={signature}")  # '+' not escaped: it arrives as a space
    response = httpx.post(f"{sim.url}/api/api.php", content=body,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert "<FarmsListResponse>" in response.text


def test_query_api_rejects_unsupported_version_with_empty_400(sim):
    response = query_api_post(sim.url, "FarmsList", version="1.0.0")
    assert (response.status_code, response.content) == (400, b"")


def test_query_api_environment_access(sim):
    assert "<FarmsListResponse>" in query_api_post(sim.url, "FarmsList", env_id=None).text
    denied = query_api_post(sim.url, "FarmsList", env_id="9")
    assert "<Message>You don't have access to the environment #9</Message>" in denied.text
