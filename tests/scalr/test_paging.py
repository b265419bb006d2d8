"""Paging in both generations: APIv2 `pagination` links, Query API StartFrom/RecordsLimit."""

from __future__ import annotations

import pytest

from vendors.core import errors
from vendors.scalr.client import ScalrV2Client
from vendors.scalr.simulator import DEMO_V2_KEY_ID, DEMO_V2_SECRET

from .conftest import FAST, apiv2_send


def test_apiv2_links(sim):
    body = apiv2_send(sim.url, "GET", "/api/v1beta0/user/1/farms/", params={"pageNum": 2, "maxResults": 3}).json()
    assert list(body) == ["meta", "data", "pagination", "warnings"]
    assert [f["id"] for f in body["data"]] == [4, 5, 6]
    base = "/api/v1beta0/user/1/farms/?maxResults=3&pageNum="
    assert body["pagination"] == {"first": base + "1", "last": base + "3", "prev": base + "1", "next": base + "3"}
    last = apiv2_send(sim.url, "GET", "/api/v1beta0/user/1/farms/", params={"pageNum": 3, "maxResults": 3}).json()
    assert [f["id"] for f in last["data"]] == [7] and last["pagination"]["next"] is None
    single = apiv2_send(sim.url, "GET", "/api/v1beta0/user/1/farms/").json()
    assert len(single["data"]) == 7 and set(single["pagination"].values()) == {None}


def test_apiv2_links_keep_filters_sorted_and_rfc3986_encoded(sim):
    body = apiv2_send(sim.url, "GET", "/api/v1beta0/user/1/servers/",
                      params={"status": "running", "maxResults": 2, "cloudLocation": "us-east-1"}).json()
    assert all(s["status"] == "running" and s["cloudLocation"] == "us-east-1" for s in body["data"])
    assert body["pagination"]["next"] == ("/api/v1beta0/user/1/servers/?cloudLocation=us-east-1&maxResults=2"
                                          "&pageNum=2&status=running")


@pytest.mark.parametrize("params, message", [
    ({"maxResults": 0}, "Limit should be a positive number less then or equal to 100."),
    ({"maxResults": 101}, "Limit should be a positive number less then or equal to 100."),
    ({"pageNum": 0}, "Page number should be more than 0."),
])
def test_apiv2_paging_limits(sim, params, message):
    response = apiv2_send(sim.url, "GET", "/api/v1beta0/user/1/farms/", params=params)
    assert (response.status_code, response.json()["errors"]) == (400, [{"code": "InvalidValue", "message": message}])


def test_apiv2_client_follows_next(sim):
    with ScalrV2Client(sim.url, DEMO_V2_KEY_ID, DEMO_V2_SECRET, page_size=2, **FAST) as scalr:
        farms = scalr.list_farms(env_id=1)
        assert [f.id for f in farms] == [f.id for f in sim.world.farms_of(1)]
        assert scalr.request_counts[1] == 4  # 7 farms, 2 a page


def test_apiv2_event_pages(sim, v2):
    first = v2.list_events(env_id=1, farm_id=1, start=0, limit=4)
    second = v2.list_events(env_id=1, farm_id=1, start=4, limit=4)
    assert first.has_more and first.next_start == 4 and first.total is None
    assert not second.has_more and second.total == 4 + len(second.items)
    stamps = [e.timestamp for e in first.items + second.items]
    assert stamps == sorted(stamps, reverse=True)
    with pytest.raises(errors.InvalidRequest):
        v2.list_events(env_id=1, farm_id=1, start=3, limit=4)


def test_query_api_event_and_log_pages(sim, v1):
    seen, start = [], 0
    while start is not None:
        page = v1.list_events(env_id=1, farm_id=1, start=start, limit=4)
        assert (page.start, page.limit) == (start, 4)
        seen += page.items
        start = page.next_start
    assert len(seen) == page.total == len(sim.world.events[1])
    assert [e.timestamp for e in seen] == sorted((e.timestamp for e in seen), reverse=True)
    logs = v1.list_logs(env_id=1, farm_id=1, limit=2)
    assert len(logs.items) == 2 and logs.total == len(sim.world.logs[1]) and logs.has_more


def test_query_api_zero_paging_values_fall_back_to_defaults(v1):
    page = v1.list_events(env_id=1, farm_id=1, start=0, limit=0)
    assert page.limit == 20
