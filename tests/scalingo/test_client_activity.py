"""The Scalingo client's events and deployments against the simulator over real HTTP: pages,
the spellings of their pagination, a deployment and its output (client/activity.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import takewhile

import httpx
import pytest
from tests.harness.waiting import wait_for
from tests.scalingo import scalingo_wire as wire
from tests.scalingo.scalingo_helpers import APP, FAST, api_requests

from vendors.scalingo.client import ScalingoClient
from vendors.scalingo.client.records import Pagination


# -- pagination --------------------------------------------------------------------------------
def test_iterates_every_page_of_events(sim, client):
    for i in range(23):  # with new_app and its first deployment: 25
        sim.control("event", {"app": APP, "type": "edit_app", "type_data": {"n": i}})
    page = client.events(APP, per_page=10)
    assert page.pagination.next_page == 2 and page.pagination.prev_page is None
    assert page.pagination.total_count == 25
    events = list(wire.every_event(client, APP, per_page=10))
    assert len(events) == 25 and len({e.id for e in events}) == 25
    assert len(api_requests(sim, "/events")) == 1 + 3
    last = client.events(APP, page=3, per_page=10)
    assert last.pagination.next_page is None and last.pagination.prev_page == 2


def test_events_come_newest_first_until_since(sim, client):
    since = datetime.now(timezone.utc) - timedelta(minutes=1)  # the app and its deployment are older
    sim.control("event", {"app": APP, "type": "edit_app"})
    sim.control("event", {"app": APP, "type": "rename_app"})
    recent = list(takewhile(lambda e: not e.created_at or e.created_at >= since, wire.every_event(client, APP)))
    assert [e.type for e in recent] == ["rename_app", "edit_app"]
    assert [e.type for e in wire.every_event(client)][-1] == "new_app"  # the user's feed, all pages


@pytest.mark.parametrize("previous_key", ["prev_page", "previous_page"])
def test_pagination_reads_either_previous_key(previous_key):
    pages = {
        1: {"current_page": 1, previous_key: None, "next_page": 2, "total_pages": 2, "total_count": 3},
        2: {"current_page": 2, previous_key: 1, "next_page": None, "total_pages": 2, "total_count": 3},
    }

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tokens/exchange"):
            return httpx.Response(200, json={"token": "header.e30.signature"})
        page = int(request.url.params.get("page", 1))
        items = [{"id": f"ev{page}{i}", "type": "restart", "created_at": "2020-05-29T13:27:56.095Z"}
                 for i in range(2 if page == 1 else 1)]
        return httpx.Response(200, json={"events": items, "meta": {"pagination": pages[page]}})

    with ScalingoClient("tk-us-mock-token-123", api_url="https://api.test", auth_url="https://auth.test",
                        transport=httpx.MockTransport(answer), **FAST) as client:
        assert client.events("app", page=2).pagination.prev_page == 1
        assert [e.id for e in wire.every_event(client, "app")] == ["ev10", "ev11", "ev20"]


def test_pagination_stops_on_clamped_next_page():
    """go-utils services clamp next_page to the last page instead of null."""
    def answer(request):
        if request.url.path.endswith("/tokens/exchange"):
            return httpx.Response(200, json={"token": "header.e30.signature"})
        meta = {"pagination": {"current_page": 1, "prev_page": 1, "next_page": 1, "total_pages": 1,
                               "total_count": 1, "per_page": 20}}
        return httpx.Response(200, json={"deployments": [{"id": "d1", "status": "success"}], "meta": meta})

    with ScalingoClient("tk-us-mock-token-123", api_url="https://api.test", auth_url="https://auth.test",
                        transport=httpx.MockTransport(answer), **FAST) as client:
        assert [d.id for d in wire.every_deployment(client, "app")] == ["d1"]
    assert Pagination.from_json(None).current_page == 1


# -- deployments -------------------------------------------------------------------------------
def test_deployment_followed_to_success_with_output(sim, client):
    deployment = wire.deploy(client, APP, "https://example.test/archive.tar.gz", git_ref="v2")
    assert not deployment.finished and deployment.git_ref == "v2"
    done = wait_for(lambda: (d := wire.deployment(client, APP, deployment.id)).finished and d)
    assert done.status == "success" and done.output_url.endswith(f"/deployments/{deployment.id}/output")
    output = client.deployment_output(APP, deployment.id)
    assert "<-- Start deployment of example-running-application -->" in output
    page = client.deployments(APP, per_page=1)
    assert page.items[0].id == deployment.id and page.pagination.total_count == 2
    assert [d.id for d in wire.every_deployment(client, APP, per_page=1)][0] == deployment.id
