"""Chaos mode of the simulators (vendors.core.simulator), over real HTTP against the real vendor simulators.

Each vendor is called the way the console calls it (Scalingo, Scalyr and Scalr APIv2 answer JSON;
the Scalr Query API answers XML), and every answer is checked for what it claims to be.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser

import httpx
import pytest

from tests.harness.serving import serving
from vendors.core.simulator import CHAOS_KINDS
from vendors.scalingo.simulator.demo import populate_demo
from vendors.scalingo.simulator import DEFAULT_TOKEN, ScalingoSimulator
from vendors.scalr.client import signing
from vendors.scalr.simulator import DEMO_V1_KEY_ID, DEMO_V1_SECRET, DEMO_V2_KEY_ID, DEMO_V2_SECRET, ScalrSimulator
from vendors.scalyr.simulator import ScalyrSimulator

HOLD = 0.3  # how long a chaos timeout holds the request in these tests


# -- the simulators and one real call to each ------------------------------------------------------
@pytest.fixture(scope="module")
def sims():
    scalingo = ScalingoSimulator(rate_limit=None)  # the demo's apps, without its 60 requests a minute
    populate_demo(scalingo)
    yield from serving({"scalingo": scalingo, "scalyr": ScalyrSimulator.demo(),
                        "scalr": ScalrSimulator.demo(rate_limit=None)})


@pytest.fixture(autouse=True)
def _no_faults(sims):
    for sim in sims.values():
        sim.faults.update()
    yield
    for sim in sims.values():
        sim.faults.update()


class Vendor:
    """One API of one simulator: how to call it and how to read its format."""

    def __init__(self, name: str, sim, fmt: str):
        self.name, self.sim, self.format = name, sim, fmt
        if name == "scalingo":  # exchanged before any fault is set
            self._bearer = httpx.post(sim.url + "/v1/tokens/exchange", auth=("", DEFAULT_TOKEN)).json()["token"]

    def call(self, http: httpx.Client) -> httpx.Response:
        url = self.sim.url
        if self.name == "scalingo":
            return http.get(url + "/v1/apps", headers={"Authorization": f"Bearer {self._bearer}"})
        if self.name == "scalyr":
            return http.post(url + "/api/listFiles", json={"token": ScalyrSimulator.DEMO_TOKENS["read_config"]})
        if self.name == "scalr-v2":
            path = "/api/v1beta0/user/1/farms/"
            return http.get(url + path, headers=signing.apiv2_headers(DEMO_V2_KEY_ID, DEMO_V2_SECRET, "GET", path))
        stamp = signing.utc_timestamp()
        return http.post(url + "/api/api.php", data={
            "Action": "FarmsList", "Version": "2.3.0", "AuthVersion": "3", "KeyID": DEMO_V1_KEY_ID, "EnvID": "1",
            "TimeStamp": stamp, "Signature": signing.query_api_signature_v3(DEMO_V1_SECRET, "FarmsList",
                                                                             DEMO_V1_KEY_ID, stamp)})

    def parse(self, body: bytes):
        """The body in the vendor's format; raises when it is not."""
        return ET.fromstring(body) if self.format == "xml" else json.loads(body)

    def parses(self, body: bytes) -> bool:
        try:
            self.parse(body)
        except (ValueError, ET.ParseError):
            return False
        return True



#: request and transaction ids (APIv2's meta.requestId, the Query API's TransactionID) differ in every answer
UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def agree(body: bytes, clean: bytes) -> bool:
    """`body` reads as `clean`'s beginning (or all of it), but for the ids each answer has anew."""
    fresh = {i for m in UUID.finditer(clean) for i in range(m.start(), m.end())}
    return len(body) <= len(clean) and all(a == b or i in fresh for i, (a, b) in enumerate(zip(body, clean)))


VENDORS = ("scalingo", "scalyr", "scalr-v2", "scalr-v1")


@pytest.fixture(params=VENDORS)
def vendor(request, sims):
    name = request.param
    return Vendor(name, sims[name.split("-")[0]], "xml" if name == "scalr-v1" else "json")


def content_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip()


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


def html_tags(text: str) -> set[str]:
    parser = Tags()
    parser.feed(text)
    return parser.tags


# -- chaos 1.0 with one kind: every answer is that fault ------------------------------------------------
#: the vendor's own rate-limit answer (each simulator's `rate_limited_response`): status, content type
RATE_LIMITED = {"scalingo": (429, "text/plain"), "scalyr": (429, "application/json"),
                "scalr-v2": (403, "application/json"), "scalr-v1": (429, "text/xml")}


@pytest.mark.parametrize("kind", [k for k in CHAOS_KINDS if k != "timeout"])
def test_every_answer_is_the_one_kind_asked_for(vendor, kind):
    with httpx.Client(timeout=5) as http:
        clean = vendor.call(http)
        assert clean.status_code == 200 and vendor.parses(clean.content)
        vendor.sim.faults.update(chaos=1.0, chaos_kinds=[kind])
        answers = [vendor.call(http) for _ in range(4)]
    for answer in answers:
        body = answer.content
        if kind == "rate_limit":
            assert (answer.status_code, content_type(answer)) == RATE_LIMITED[vendor.name]
            if vendor.name == "scalyr":
                assert answer.headers["Retry-After"] == "1" and answer.json()["status"] == "error/server/backoff"
            if vendor.name == "scalr-v2":
                assert answer.json()["errors"][0]["code"] == "LimitExceeded"
        elif kind.startswith("http_"):
            assert answer.status_code == int(kind[5:]) and answer.text == "simulated failure"
        elif kind.startswith("html_"):
            assert answer.status_code == int(kind[5:]) and content_type(answer) == "text/html"
            assert answer.text.startswith("<!DOCTYPE html>")
            assert {"html", "head", "title", "body", "h1"} <= html_tags(answer.text)
            assert not vendor.parses(body), "an HTML page must not pass for the vendor's format"
        elif kind == "truncated":
            assert answer.status_code == 200
            assert content_type(answer) == content_type(clean), "truncated, but labelled as the real answer"
            assert not vendor.parses(body)
            assert 0 < len(body) < len(clean.content)
            assert agree(body, clean.content), "the beginning of the real answer"
        else:  # wrong_content_type: the real answer, labelled as something else
            assert answer.status_code == 200
            assert content_type(answer) in ("text/plain", "text/html") != content_type(clean)
            assert len(body) == len(clean.content) and agree(body, clean.content), "the whole real answer"


def test_a_chaos_timeout_holds_the_request_past_the_read_timeout_then_drops_it(vendor):
    vendor.sim.faults.update(chaos=1.0, chaos_kinds=["timeout"], chaos_timeout=HOLD)
    with httpx.Client(timeout=httpx.Timeout(5, read=HOLD / 3)) as http:
        with pytest.raises(httpx.ReadTimeout):
            vendor.call(http)
    with httpx.Client(timeout=5) as http:  # a patient client sees the connection dropped after the hold
        started = time.monotonic()
        with pytest.raises(httpx.RemoteProtocolError):
            vendor.call(http)
        assert time.monotonic() - started >= HOLD * 0.9
    assert vendor.sim.faults_served()["timeout"] >= 2


# -- chaos 0.3: about 30%, reproducible, counted ------------------------------------------------------------
def classify(vendor: Vendor, http: httpx.Client) -> str:
    """What a client sees, named as the simulator names the fault ("ok" when none)."""
    try:
        answer = vendor.call(http)
    except httpx.TransportError:
        return "timeout"
    label, body = content_type(answer), answer.content
    if answer.status_code == 429:
        return "rate_limit"
    if answer.status_code >= 500 and answer.text == "simulated failure":
        return f"http_{answer.status_code}"
    if label == "text/html" and answer.text.startswith("<!DOCTYPE html>"):
        return f"html_{answer.status_code}"
    if label in ("text/plain", "text/html"):
        return "wrong_content_type" if vendor.parses(body) else "unexpected"
    if answer.status_code == 200 and label == "application/json":
        return "ok" if vendor.parses(body) else "truncated"
    return "unexpected"


def run(vendor: Vendor, requests: int) -> list[str]:
    with httpx.Client(timeout=5) as http:
        return [classify(vendor, http) for _ in range(requests)]


def test_chaos_at_30_percent_faults_about_30_percent_of_requests_reproducibly(sims):
    scalingo = Vendor("scalingo", sims["scalingo"], "json")
    sim = scalingo.sim
    settings = {"chaos": 0.3, "chaos_timeout": 0.02, "chaos_seed": 11}
    httpx.post(sim.url + "/_sim/stats", json={"reset": True})
    assert httpx.post(sim.url + "/_sim/faults", json=settings).status_code == 200
    first = run(scalingo, 400)

    outcomes = Counter(first)
    assert outcomes["unexpected"] == 0, outcomes
    faulted = sum(n for kind, n in outcomes.items() if kind != "ok")
    assert 0.22 <= faulted / len(first) <= 0.38, outcomes
    assert set(outcomes) - {"ok"} == set(CHAOS_KINDS), "every kind of the default mix is drawn"
    served = httpx.get(sim.url + "/_sim/stats").json()["faults_served"]
    assert served == {kind: n for kind, n in outcomes.items() if kind != "ok"}, "what the client saw is counted"

    sim.faults.update(**settings)
    assert run(scalingo, 400) == first, "the same seed draws the same faults for the same requests"
    sim.faults.update(**{**settings, "chaos_seed": 12})
    assert run(scalingo, 400) != first


def test_chaos_kinds_restrict_the_mix_and_groups_expand(sims):
    scalyr = Vendor("scalyr", sims["scalyr"], "json")
    answer = httpx.post(scalyr.sim.url + "/_sim/faults", json={"chaos": 0.5, "chaos_kinds": ["5xx", "rate_limit"]})
    assert answer.json()["chaos_kinds"] == ["http_500", "http_502", "http_503", "rate_limit"]
    seen = Counter(run(scalyr, 200))
    assert set(seen) == {"ok", "http_500", "http_502", "http_503", "rate_limit"}, seen


def test_the_older_faults_still_come_first_and_are_counted(sims):
    sim = sims["scalr"]
    scalr = Vendor("scalr-v2", sim, "json")
    before = sim.faults_served()
    sim.faults.update(status=503, count=2, chaos=1.0, chaos_kinds=["html_200"])
    assert run(scalr, 4) == ["http_503", "http_503", "html_200", "html_200"]
    after = sim.faults_served()
    assert after.get("http_503", 0) - before.get("http_503", 0) == 2
    assert after.get("html_200", 0) - before.get("html_200", 0) == 2
    sim.faults.update()
    assert run(scalr, 3) == ["ok"] * 3


@pytest.mark.parametrize("settings", [{"chaos": 1.5}, {"chaos": "often"}, {"chaos": 0.3, "chaos_kinds": ["nope"]},
                                      {"chaos": 0.3, "chaos_kinds": []}, {"chaos": 0.3, "chaos_kinds": "timeout"},
                                      {"chaos": 0.3, "chaos_timeout": -1}, {"chaos": 0.3, "chaos_seed": "x"}])
def test_bad_chaos_settings_are_refused_and_change_nothing(sims, settings):
    sim = sims["scalingo"]
    sim.faults.update(chaos=0.2)
    answer = httpx.post(sim.url + "/_sim/faults", json=settings)
    assert answer.status_code == 400 and "chaos" in answer.json()["error"]
    assert sim.faults.chaos == 0.2
