"""A steady poll costs what changed: apps without a change (same status in the app list, nothing
in the event feed) are read in detail only in turn, a share of them a poll; a change at Scalingo
shows at the next poll, and what no event announces within the rotation."""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from console.teams.models import Role
from vendors.scalingo import models, sync
from vendors.scalingo.simulator.routes_resources import new_domain

pytestmark = pytest.mark.django_db

APPS = 30  # populate_apps' 29 and the recorded example app


@pytest.fixture
def steady(scalingo_sims, make_connection, populate_apps, poll):
    """An account of APPS apps, polled once (every app read in detail), the simulator's log emptied."""
    sim = scalingo_sims()
    populate_apps(sim, APPS - 1)
    conn = make_connection(sim)
    assert poll(conn).status == "ok"
    assert models.App.objects.filter(connection=conn, details_synced_at__isnull=False).count() == APPS
    sim.received.clear()
    return sim, conn


def detail_reads(sim) -> Counter:
    """Requests per app id for that app's details (/v1/apps/<id>/<what>)."""
    return Counter(r.path.split("/")[3] for r in sim.received if r.path.startswith("/v1/apps/"))


def read_at(conn) -> dict[str, object]:
    return dict(models.App.objects.filter(connection=conn).values_list("external_id", "details_synced_at"))


def last_in_turn(sim, conn, poll, **filters) -> models.App:
    """An app the rotation would read last: one the previous poll read (the first poll read every
    app at the same instant, so one more poll tells the rotation's order)."""
    assert poll(conn).status == "ok"
    sim.received.clear()
    return models.App.objects.filter(connection=conn, **filters).order_by("-details_synced_at", "pk").first()


def test_a_steady_repoll_reads_only_the_rotations_share_of_apps(steady, poll):
    sim, conn = steady
    before = read_at(conn)

    assert poll(conn).status == "ok"

    share = sync.rotation_share(APPS)
    assert share == 3
    reads = detail_reads(sim)
    assert len(reads) == share and set(reads.values()) == {sync.CALLS_PER_APP}, reads
    by_kind = Counter(r.path.split("/")[4] for r in sim.received if r.path.startswith("/v1/apps/"))
    assert by_kind["addons"] == by_kind["domains"] == by_kind["collaborators"] == share
    others = sorted(r.path for r in sim.received if not r.path.startswith("/v1/apps/"))
    assert others == ["/v1/apps", "/v1/events"], others  # the bearer is reused; one page of the feed
    after = read_at(conn)
    assert {pk for pk in after if after[pk] != before[pk]} == set(reads)
    assert "each at least every 10 polls" in " ".join(conn.poll_notes)


def test_every_unchanged_app_is_read_again_within_ten_polls(steady, poll):
    sim, conn = steady
    first = read_at(conn)
    for _ in range(sync.ROTATION_POLLS):
        assert poll(conn).status == "ok"
    assert all(at > first[pk] for pk, at in read_at(conn).items())
    assert sum(detail_reads(sim).values()) == APPS * sync.CALLS_PER_APP  # each once, none twice


def test_an_app_that_crashes_at_scalingo_shows_after_one_poll(steady, poll):
    sim, conn = steady
    app = last_in_turn(sim, conn, poll, status="running")

    sim.control("crash", {"app": app.external_id})
    assert poll(conn).status == "ok"

    app.refresh_from_db()
    assert app.status == "crashed"
    assert app.containers_total > 0 and app.containers_crashed == app.containers_total
    assert set(app.containers.values_list("state", flat=True)) == {"crashed"}
    assert detail_reads(sim)[app.external_id] == sync.CALLS_PER_APP
    assert len(detail_reads(sim)) == sync.rotation_share(APPS) + 1  # the crashed app beyond the rotation


def test_a_domain_added_with_an_event_shows_after_one_poll(steady, poll):
    sim, conn = steady
    app = last_in_turn(sim, conn, poll)
    with sim.lock:  # what Scalingo does on POST /apps/:app/domains
        vendor_app = sim.world.find_app(app.external_id)
        new_domain(sim.world, vendor_app, "shop.example.com")
        sim.world.record(vendor_app, sim.ops, "new_domain", {"hostname": "shop.example.com", "ssl": True})

    assert poll(conn).status == "ok"

    assert models.Domain.objects.filter(app=app, name="shop.example.com").exists()
    assert len(detail_reads(sim)) == sync.rotation_share(APPS) + 1  # beyond the rotation: the feed named it


def test_a_domain_added_without_an_event_shows_within_the_rotation_and_the_page_says_when_it_was_read(
        steady, poll, members):
    sim, conn = steady
    app = last_in_turn(sim, conn, poll)
    with sim.lock:  # no event: only the rotation can find it
        new_domain(sim.world, sim.world.find_app(app.external_id), "quiet.example.com")

    polls = 0
    while not models.Domain.objects.filter(app=app, name="quiet.example.com").exists():
        assert polls < sync.ROTATION_POLLS, "the rotation promised every app within ten polls"
        assert poll(conn).status == "ok"
        polls += 1
    assert polls > 1  # it was not the first in turn: found by the rotation, not by chance

    viewer = Client()
    viewer.force_login(members[Role.VIEWER])
    page = html.unescape(viewer.get(reverse("scalingo:app-detail", args=[app.pk]) + "?tab=domains")
                         .content.decode())
    assert "quiet.example.com" in page
    said = re.sub(r"<[^>]+>", "", page.split('id="details-read">')[1].split("</span>\n")[0])
    assert re.match(r"containers, addons, domains and collaborators read \d+ s ago", said), said
