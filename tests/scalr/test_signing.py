"""Every vector of scalr_vectors.json, both generations: the signing functions, the clients'
requests (clock frozen, transport stubbed), and the simulator's verifier over real HTTP."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from vendors.scalr.client import signing
from vendors.scalr.client import v1 as client_v1
from vendors.scalr.client import ScalrV1Client, ScalrV2Client
from vendors.scalr.simulator import ScalrSimulator

# a copy of /work/shared/vendor-apis/scalr_vectors.json, so the suite runs without the shared folder
VECTORS = json.loads((Path(__file__).parent / "data" / "scalr_vectors.json").read_text())
APIV2 = VECTORS["apiv2"]["vectors"]
QUERY_API = VECTORS["query_api_v1"]["vectors"]
QUERY_API_V3 = [v for v in QUERY_API if v["inputs"]["auth_version"] == "3"]


def names(vectors):
    return [v["name"] for v in vectors]


@pytest.mark.parametrize("vector", APIV2, ids=names(APIV2))
def test_apiv2_signing_functions(vector):
    given = vector["inputs"]
    assert signing.canonical_query(given["query_params"]) == vector["canonical_query_string"]
    assert signing.apiv2_string_to_sign(given["method"], given["date"], given["path"],
                                        vector["canonical_query_string"], given["body"]) \
        == vector["string_to_sign"].encode()
    headers = signing.apiv2_headers(given["key_id"], given["secret_key"], given["method"], given["path"],
                                    given["query_params"], given["body"], date=given["date"])
    for name in ("X-Scalr-Key-Id", "X-Scalr-Date", "X-Scalr-Signature"):
        assert headers[name] == vector["expected_headers"][name]


@pytest.mark.parametrize("vector", APIV2, ids=names(APIV2))
def test_apiv2_wire_query_signs_like_the_canonical_one(vector):
    """requests sends `name=web+farm` in the caller's order; it must canonicalise the same."""
    query = urlsplit(vector["example_wire_url_from_scalrctl"]).query
    assert signing.canonical_query(query) == vector["canonical_query_string"]


@pytest.mark.parametrize("vector", APIV2, ids=names(APIV2))
def test_apiv2_client_sends_the_vector_headers(vector, monkeypatch):
    given = vector["inputs"]
    monkeypatch.setattr(signing, "utc_timestamp", lambda now=None: given["date"])
    seen = []

    def reply(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"meta": {"requestId": "x"}, "data": None, "warnings": []})

    with ScalrV2Client("https://my.scalr.com", given["key_id"], given["secret_key"],
                       transport=httpx.MockTransport(reply)) as client:
        client.request(given["method"], given["path"], params=given["query_params"] or None,
                       content=given["body"].encode())
    for name, value in vector["expected_headers"].items():
        assert seen[0].headers[name] == value


@pytest.mark.parametrize("vector", QUERY_API, ids=names(QUERY_API))
def test_query_api_signing_functions(vector):
    given = vector["inputs"]
    if given["auth_version"] == "3":
        assert f"{given['action']}:{given['key_id']}:{given['timestamp']}" == vector["string_to_sign"]
        signature = signing.query_api_signature_v3(given["secret_key"], given["action"], given["key_id"],
                                                   given["timestamp"])
    else:
        signature = signing.query_api_signature_v2(given["secret_key"], vector["expected_request_params"])
    assert signature == vector["expected_signature"]


@pytest.mark.parametrize("vector", QUERY_API_V3, ids=names(QUERY_API_V3))
def test_query_api_client_sends_the_vector_form(vector, monkeypatch):
    given = vector["inputs"]
    monkeypatch.setattr(signing, "utc_timestamp", lambda now=None: given["timestamp"])
    seen = []

    def reply(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = f'<?xml version="1.0"?>\n<{given["action"]}Response><TransactionID>t</TransactionID>' \
               f'</{given["action"]}Response>\n'
        return httpx.Response(200, text=body, headers={"Content-Type": "text/xml"})

    with ScalrV1Client("https://api.scalr.net", given["key_id"], given["secret_key"], endpoint="/",
                       transport=httpx.MockTransport(reply)) as client:
        client.call(given["action"], int(given["env_id"]), **given["action_params"])
    sent = dict(parse_qsl(seen[0].content.decode(), keep_blank_values=True))
    assert sent == vector["expected_request_params"]
    # encoded once: the signature's + / = travel as %2B %2F %3D, exactly as in the vector's body
    sent_pairs = dict(pair.split("=", 1) for pair in seen[0].content.decode().split("&"))
    vector_pairs = dict(pair.split("=", 1) for pair in vector["example_form_body_sorted"].split("&"))
    assert sent_pairs["Signature"] == vector_pairs["Signature"]
    assert client.request_counts[int(given["env_id"])] == 1
    assert client_v1.ACTIONS[given["action"]]


@pytest.fixture(scope="module")
def vector_sim():
    """Seven environments, so the vectors' EnvID 7 and path /user/5/ exist."""
    simulator = ScalrSimulator(environments=7, farms_per_env=1, servers_per_farm=2)
    simulator.serve()
    yield simulator
    simulator.stop()


@pytest.mark.parametrize("vector", QUERY_API, ids=names(QUERY_API))
def test_simulator_accepts_the_vector_form_bodies(vector, vector_sim):
    response = httpx.post(f"{vector_sim.url}/api/api.php", content=vector["example_form_body_sorted"],
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200
    # the vector's farm 1234 does not exist here: a not-found answer proves the signature passed
    assert "Signature" not in response.text and "KeyID" not in response.text
    assert response.text.startswith(f'<?xml version="1.0"?>\n<{vector["inputs"]["action"]}Response>') \
        or "not found" in response.text


@pytest.mark.parametrize("vector", APIV2, ids=names(APIV2))
def test_simulator_accepts_the_vector_requests(vector, vector_sim, monkeypatch):
    given = vector["inputs"]
    signed_at = dt.datetime.fromisoformat(given["date"]).timestamp()
    monkeypatch.setattr(vector_sim.apiv2, "clock", lambda: signed_at + 10)
    wire = urlsplit(vector["example_wire_url_from_scalrctl"])
    url = f"{vector_sim.url}{wire.path}" + (f"?{wire.query}" if wire.query else "")
    response = httpx.request(given["method"], url, content=given["body"].encode(),
                             headers=vector["expected_headers"])
    errors = response.json().get("errors") or []
    assert not [e for e in errors if e["code"] in ("BadAuthentication", "BadRequest")], errors
    monkeypatch.setattr(vector_sim.apiv2, "clock", lambda: signed_at + 301)
    expired = httpx.request(given["method"], url, content=given["body"].encode(), headers=vector["expected_headers"])
    assert expired.status_code == 401
    assert expired.json()["errors"] == [{"code": "BadAuthentication", "message": "Request is expired."}]
