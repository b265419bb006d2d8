"""The poll planned within Scalingo's 60 requests a minute per token.

The simulator enforces the limit (a sliding minute per API token, 429 "Retry later"), the
console's budget counts in fixed minutes in the shared cache; `clock.minute_passes()` moves
both on without waiting.
"""

from __future__ import annotations

import math
import re

import pytest
from django.utils import timezone

from tests.scalingo.scalingo_helpers import tables_holding
from vendors.scalingo import models, sync
from vendors.scalingo.client import budget_for
from vendors.scalingo.simulator.demo import populate_demo

pytestmark = pytest.mark.django_db

LIMIT = 60


@pytest.fixture
def limited(scalingo_sims, make_connection, clock):
    """The demo account behind Scalingo's real limit, and every 429 the simulator answers."""
    sim = scalingo_sims(rate_limit=LIMIT)
    with sim.lock:
        populate_demo(sim)
    for _ in range(3):
        sim.tick()  # the demo's restarting app finishes its operation
    refusals = []
    refuse = sim.rate_limited_response

    def counted():
        refusals.append(1)
        return refuse()

    sim.rate_limited_response = counted
    sim.received.clear()
    conn = make_connection(sim, requests_per_minute=LIMIT)
    return sim, conn, refusals


def visible(sim) -> dict[str, dict]:
    with sim.lock:
        return {a["id"]: a for a in sim.world.apps.values()
                if a["_region"] == "osc-fr1" and sim.world.can_see(sim.ops, a)}


def synced_at(conn) -> dict[str, object]:
    return dict(models.App.objects.filter(connection=conn).values_list("external_id", "details_synced_at"))


def test_one_poll_stays_within_the_limit_and_says_how_fresh_details_are(limited, poll):
    sim, conn, refusals = limited
    apps = visible(sim)
    assert len(apps) == 25  # the demo's osc-fr1 apps the ops token can see

    assert poll(conn).status == "ok"

    assert refusals == []
    made = len(sim.received)
    assert made <= LIMIT - sync.RESERVE
    assert budget_for(conn).used() == made  # the shared budget counted every request
    detailed = [pk for pk, at in synced_at(conn).items() if at]
    assert 0 < len(detailed) < len(apps)
    assert models.App.objects.filter(connection=conn).count() == len(apps)  # every app is listed anyway
    # the requests went where the plan says: the list, the feed, and 7 per detailed app
    details = [r for r in sim.received if "/apps/" in r.path]
    assert len(details) == sync.CALLS_PER_APP * len(detailed)
    assert {r.path.split("/")[3] for r in details} == set(detailed)
    notes = " ".join(conn.poll_notes)
    assert f"{len(apps)} apps; details of {len(detailed)} refreshed" in notes
    polls = math.ceil(len(apps) / len(detailed))
    assert f"every {polls} polls" in notes


def test_a_user_opening_an_app_after_a_poll_still_gets_it_refreshed(limited, poll):
    sim, conn, refusals = limited
    assert poll(conn).status == "ok"
    waiting = models.App.objects.filter(connection=conn, details_synced_at__isnull=True).first()

    sync.scalingo_app_refresh(conn, waiting)

    waiting.refresh_from_db()
    assert waiting.details_synced_at is not None and waiting.formation.exists()
    assert refusals == [] and budget_for(conn).used() <= LIMIT


def test_repeated_polls_refresh_every_app_in_turn(limited, poll, clock):
    sim, conn, refusals = limited
    apps = visible(sim)
    assert poll(conn).status == "ok"
    promised = int(re.search(r"every (\d+) polls", " ".join(conn.poll_notes)).group(1))
    polls = 1
    while not all(synced_at(conn).values()):
        clock.minute_passes()
        assert poll(conn).status == "ok"
        polls += 1
        assert polls <= promised, "the note promised every app within this many polls"
    assert refusals == []
    assert set(synced_at(conn)) == set(apps)

    # Round-robin from then on: each poll refreshes the apps refreshed longest ago.
    before = synced_at(conn)
    clock.minute_passes()
    assert poll(conn).status == "ok"
    after = synced_at(conn)
    refreshed = {pk for pk in after if after[pk] != before[pk]}
    oldest = sorted(before, key=lambda pk: before[pk])[:len(refreshed)]
    assert refreshed == set(oldest)
    assert refusals == []


def test_apps_that_changed_are_refreshed_first(limited, poll, clock):
    sim, conn, refusals = limited
    assert poll(conn).status == "ok"
    while not all(synced_at(conn).values()):
        clock.minute_passes()
        assert poll(conn).status == "ok"
    # the most recently refreshed apps: round-robin would not pick them next
    before = synced_at(conn)
    fresh = sorted(before, key=lambda pk: before[pk], reverse=True)
    names = dict(models.App.objects.filter(connection=conn).values_list("external_id", "name"))
    running = {pk for pk, a in visible(sim).items() if a["status"] == "running"}
    crashed, evented, stopped = [pk for pk in fresh if pk in running][:3]
    sim.control("crash", {"app": crashed})                                         # a status change and an event
    sim.control("event", {"app": evented, "type": "new_domain",                    # an event only
                          "type_data": {"hostname": "shop.example.com", "ssl": True}})
    sim.control("set_app_status", {"app": stopped, "status": "stopped"})           # a status change only

    clock.minute_passes()
    assert poll(conn).status == "ok"

    after = synced_at(conn)
    refreshed = {pk for pk in after if after[pk] != before[pk]}
    assert {crashed, evented, stopped} <= refreshed, {names[pk] for pk in refreshed}
    app = models.App.objects.get(external_id=crashed)
    assert (app.status, app.containers_crashed) == ("crashed", app.containers_total)
    assert app.containers_total > 0
    assert refusals == []


def test_a_poll_refused_by_scalingo_keeps_what_it_fetched(scalingo_sims, make_connection, poll, clock):
    """Another client (the CLI, a CI job) shares the token and spends the minute: the simulator
    answers 429 half-way; the poll keeps the details it got and says why the rest waits."""
    sim = scalingo_sims(rate_limit=35)
    with sim.lock:
        populate_demo(sim)
    conn = make_connection(sim, requests_per_minute=LIMIT)

    outcome = poll(conn)

    assert outcome.status == "ok", outcome.message
    # 5 requests for the list and the feed, then the planned apps' 7 calls each share the 30 left:
    # at least the first app to finish fits, never all of them
    detailed = models.App.objects.filter(connection=conn, details_synced_at__isnull=False).count()
    assert 0 < detailed <= sync.FETCH_CONCURRENCY
    assert models.App.objects.filter(connection=conn).count() == len(visible(sim))
    assert any("Retry later" in note for note in conn.poll_notes)


def test_without_a_limit_one_poll_refreshes_everything(scalingo_sims, make_connection, poll):
    sim = scalingo_sims(rate_limit=None)
    with sim.lock:
        populate_demo(sim)
    conn = make_connection(sim, requests_per_minute=0)

    assert poll(conn).status == "ok"

    assert all(synced_at(conn).values()) and len(synced_at(conn)) == len(visible(sim))
    assert conn.poll_notes == [f"{len(visible(sim))} apps; details of {len(visible(sim))} refreshed in this poll."]


def test_an_app_deleted_while_the_poll_reads_it_does_not_fail_the_poll(scalingo_sims, make_connection, poll):
    sim = scalingo_sims()
    sim.control("add_app", {"name": "going-away"})
    conn = make_connection(sim)
    answer = sim.handle

    def delete_after_listing(request):
        response = answer(request)
        if request.path == "/v1/apps" and sim.world.find_app("going-away"):
            sim.control("remove_app", {"app": "going-away"})  # someone deletes it right now
        return response

    sim.handle = delete_after_listing
    outcome = poll(conn)

    assert outcome.status == "ok", outcome.message
    assert models.App.objects.get(name="example-running-application").details_synced_at is not None
    assert poll(conn).status == "ok"
    assert not models.App.objects.filter(name="going-away").exists()


def test_a_poll_with_the_minute_already_spent_asks_scalingo_nothing(limited, poll):
    """The console's own choice to wait is a deferral, not a failure: the connection does not turn Failing."""
    sim, conn, refusals = limited
    budget = budget_for(conn)
    budget.spend(LIMIT - 1)  # users opened app pages, logs and charts this minute

    outcome = poll(conn)

    assert outcome.status == "deferred"
    assert "60 requests a minute" in conn.deferred_reason
    assert conn.consecutive_failures == 0 and conn.last_error == ""
    assert conn.next_poll_at > timezone.now()
    assert len(sim.received) == 0 and refusals == []
    assert budget.used() == LIMIT - 1


def test_polls_leave_the_reserve_to_people(limited, poll):
    """With only the reserve left in the minute, a poll waits: what is kept is for pages and actions."""
    sim, conn, refusals = limited
    budget = budget_for(conn)
    budget.spend(LIMIT - sync.RESERVE - sync.POLL_MINIMUM + 1)

    assert poll(conn).status == "deferred"
    assert len(sim.received) == 0

    budget_left = budget_for(conn)
    assert budget_left.remaining() == sync.RESERVE + sync.POLL_MINIMUM - 1


@pytest.mark.parametrize("warm", [False, True], ids=["first-poll", "next-poll"])
def test_a_whole_polls_sql_statements_do_not_grow_with_the_number_of_apps(
        scalingo_sims, make_connection, populate_apps, bulk_writes, poll, warm):
    """From the lease claim to the status bookkeeping: nothing per app, only per batch."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    measured = {}
    for size in (10, 100):
        sim = scalingo_sims()
        populate_apps(sim, size - 1)  # plus the recorded example app
        conn = make_connection(sim, name=f"scalingo-{size}")
        if warm:
            assert poll(conn).status == "ok"
            sim.tick()  # stats move: every container row changes
        before = bulk_writes.snapshot(conn)
        with CaptureQueriesContext(db) as queries:
            assert poll(conn).status == "ok"
        assert models.App.objects.filter(connection=conn, details_synced_at__isnull=False).count() == size
        batches = bulk_writes.statements(conn, before)
        measured[size] = (len(queries), batches)
    (small, small_batches), (large, large_batches) = measured[10], measured[100]
    assert large - small == large_batches - small_batches, measured
    if db.vendor != "sqlite":
        assert large == small, measured


# -- the bearer: exchanged once, reused until Scalingo refuses it ------------------------------------------
def _holding(text: str) -> list[str]:
    """Database tables and files under the console's var/ (SQLite, file cache, broker) holding `text`."""
    import pickle
    import zlib

    from django.conf import settings

    found = tables_holding(text)
    for path in settings.VAR_DIR.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".djcache":  # Django's file cache: a pickled expiry, then a zlib'd pickle
            with path.open("rb") as handle:
                try:
                    pickle.load(handle)
                    data += zlib.decompress(handle.read())
                except Exception:
                    pass
        if text.encode() in data:
            found.append(str(path))
    return found


def test_polls_page_reads_and_actions_reuse_one_bearer_until_scalingo_refuses_it(
        scalingo_sims, make_connection, poll, members, django_capture_on_commit_callbacks):
    from console.teams.models import Role
    from tests.scalingo.scalingo_helpers import APP, api_requests, exchanges
    from vendors.scalingo import selectors, services
    from vendors.scalingo.simulator import PARTNER_TOKEN

    sim = scalingo_sims()
    conn = make_connection(sim)
    for _ in range(4):
        assert poll(conn).status == "ok"
    app = models.App.objects.get(connection=conn, name=APP)
    selectors.scalingo_variables(app=app)
    with django_capture_on_commit_callbacks(execute=True):
        services.scalingo_app_restart(app=app, scope=[], actor=members[Role.OPERATOR])

    assert exchanges(sim) == 1
    used = {r.header("Authorization") for r in api_requests(sim)}
    assert len(used) == 1
    bearer = used.pop().removeprefix("Bearer ")
    assert _holding(bearer) == []  # process memory only: no table, no cache file, nothing on disk

    sim.control("expire_tokens", {})  # Scalingo no longer accepts it
    sim.received.clear()
    assert poll(conn).status == "ok"
    assert exchanges(sim) == 1  # exactly one new exchange
    lists = [r.header("Authorization") for r in sim.received if r.path == "/v1/apps"]
    assert len(lists) == 2 and lists[0] == f"Bearer {bearer}" != lists[1]  # refused once, asked again
    sim.received.clear()
    assert poll(conn).status == "ok"
    assert exchanges(sim) == 0  # the new one is kept in turn

    partner = make_connection(sim, name="scalingo-partner", token=PARTNER_TOKEN)
    assert poll(partner).status == "ok"
    assert exchanges(sim) == 1  # another token has its own bearer
