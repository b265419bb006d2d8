"""Poll → rows: what the simulator holds is what the console stores, and nothing secret.

Every test polls a real simulator over HTTP with the real client, writes to the real
database, and compares the rows with the simulated platform's own state.
"""

from __future__ import annotations

import json
import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from tests.scalingo import scalingo_wire as wire
from tests.scalingo.scalingo_helpers import APP, tables_holding

from vendors.core.simulator import Response

from vendors.core.models import Health
from vendors.scalingo import models, sync
from vendors.scalingo.client import ScalingoClient
from vendors.scalingo.events import sentence
from vendors.scalingo.simulator.demo import populate_demo
from vendors.scalingo.simulator import DEFAULT_TOKEN

pytestmark = pytest.mark.django_db

SECRET_VALUE = "pw-4e7f1c9a-never-stored"
OTHER_SECRET = "sk_live_51H8zQ-never-stored"
CRASH_LOGS_URL = "https://logs.osc-fr1.scalingo.com/apps/x/crash?token=crash-log-token-never-stored"


def visible_apps(sim, region="osc-fr1"):
    """The apps the ops token lists in the region, as the simulated platform holds them."""
    with sim.lock:
        return {a["id"]: a for a in sim.world.apps.values()
                if a["_region"] == region and sim.world.can_see(sim.ops, a)}




def demo_sim(scalingo_sims, **options):
    sim = scalingo_sims(**options)
    with sim.lock:
        populate_demo(sim)
    for _ in range(3):  # let the restarting app finish its operation
        sim.tick()
    return sim


# -- poll → rows ------------------------------------------------------------------------------------
def test_a_poll_stores_every_app_with_its_details(scalingo_sims, make_connection, poll):
    sim = demo_sim(scalingo_sims)
    conn = make_connection(sim)

    outcome = poll(conn)

    assert outcome.status == "ok", outcome.message
    assert conn.health == Health.OK and conn.last_error == ""
    truth = visible_apps(sim)
    rows = {a.external_id: a for a in models.App.objects.filter(connection=conn)}
    assert set(rows) == set(truth)
    assert {a["status"] for a in truth.values()} >= {"running", "stopped", "crashed", "new"}
    for app_id, app in truth.items():
        row = rows[app_id]
        assert (row.name, row.status, row.region) == (app["name"], app["status"], "osc-fr1")
        assert row.url == app["base_url"] and row.owner == sim.world.users[app["_owner"]]["username"]
        assert row.details_synced_at is not None
        assert row.last_deployment_id == (app["last_deployment_id"] or "")
        assert sorted(row.formation.values_list("name", "amount", "size")) == sorted(
            (e["name"], e["amount"], e["size"]) for e in app["_formation"])
        containers = sorted(row.containers.values_list("label", "state", "size", "cpu_percent"))
        assert containers == sorted(
            (c["label"], c["state"], c["_size"], float(c["_stats"]["cpu"]) if c["state"] == "running" else None)
            for c in app["_containers"])
        assert row.containers_total == len(app["_containers"])
        assert row.containers_crashed == sum(c["state"] == "crashed" for c in app["_containers"])
        assert sorted(row.addons.values_list("external_id", "provider_id", "status")) == sorted(
            (a["id"], a["addon_provider"]["id"], a["status"]) for a in app["_addons"])
        assert sorted(row.domain_set.values_list("name", "canonical")) == sorted(
            (d["name"], d["canonical"]) for d in app["_domains"])
        assert sorted(row.domains.split()) == sorted(d["name"] for d in app["_domains"])
        assert sorted(row.collaborators.values_list("email", "status")) == sorted(
            (c["email"], c["status"]) for c in app["_collaborators"])
        assert sorted(row.deployments.values_list("external_id", "status")) == sorted(
            (d["id"], d["status"]) for d in app["_deployments"][:20])
    # A partner app shared with ops lists its collaborators; an unshared one is not listed at all.
    assert models.Collaborator.objects.filter(app__connection=conn, email="ops@example.com").exists()
    assert not models.App.objects.filter(name="mobile-backend").exists()  # partner's, never shared
    # Events: the account feed's newest pages, linked to their apps, with a sentence each.
    feed = sorted((e for e in sim.world.events if e["app_id"] in truth), key=lambda e: e["_ts"], reverse=True)
    stored = models.Event.objects.filter(connection=conn)
    assert set(stored.values_list("external_id", flat=True)) == {e["id"] for e in feed[:sync.EVENT_PAGES * 30]}
    for event in stored.select_related("app"):
        assert event.app is not None and event.app.name == event.app_name
        assert sentence(event).endswith(".")


def test_scale_values_and_deployments_read_as_the_timeline_shows_them(scalingo_sims, make_connection, poll):
    sim = scalingo_sims()
    with ScalingoClient(DEFAULT_TOKEN, api_url=sim.url, auth_url=sim.url) as vendor:
        vendor.scale(APP, [{"name": "web", "amount": 3, "size": "M"}])
    conn = make_connection(sim)
    assert poll(conn).status == "ok"

    scale = models.Event.objects.get(connection=conn, type="scale")
    assert scale.type_data["containers"]["web"] == "3:M"
    assert sentence(scale) == f"ops scaled {APP} from clock 0×M, web 1×S to clock 0×M, web 3×M."
    deployment = models.Deployment.objects.get(app__name=APP)
    assert deployment.status == "success" and deployment.pusher == "ops" and len(deployment.git_ref) == 40


def test_an_app_removed_in_scalingo_disappears_on_the_next_poll(scalingo_sims, make_connection, poll):
    sim = scalingo_sims()
    sim.control("add_app", {"name": "short-lived"})
    conn = make_connection(sim)
    assert poll(conn).status == "ok"
    doomed = models.App.objects.get(connection=conn, name="short-lived")
    assert doomed.containers.count() == 1

    sim.control("remove_app", {"app": "short-lived"})
    assert poll(conn).status == "ok"

    assert list(models.App.objects.filter(connection=conn).values_list("name", flat=True)) == [APP]
    assert not models.Container.objects.filter(app_id=doomed.pk).exists()
    # The deletion stays in the account's timeline, no longer linked to an app row.
    gone = models.Event.objects.get(connection=conn, type="delete_app")
    assert gone.app is None and gone.app_name == "short-lived"


def test_a_crash_shows_on_the_next_poll(scalingo_sims, make_connection, poll):
    sim = scalingo_sims()
    sim.control("add_app", {"name": "fragile", "formation": [
        {"name": "web", "command": "", "amount": 2, "size": "M"},
        {"name": "worker", "command": "node w.js", "amount": 1, "size": "S"}]})
    conn = make_connection(sim)
    assert poll(conn).status == "ok"
    app = models.App.objects.get(connection=conn, name="fragile")
    assert (app.status, app.containers_crashed, app.needs_attention) == ("running", 0, False)

    sim.control("crash", {"app": "fragile"})
    assert poll(conn).status == "ok"

    app.refresh_from_db()
    assert (app.status, app.containers_total, app.containers_crashed) == ("crashed", 3, 3)
    assert app.needs_attention
    assert set(app.containers.values_list("state", flat=True)) == {"crashed"}
    assert models.App.objects.get(name=APP).status == "running"
    crash = models.Event.objects.get(connection=conn, type="crash", app=app)
    assert sentence(crash) == "web of fragile crashed."


def test_vendor_errors_fail_the_poll_keep_the_data_and_recovery_clears_it(scalingo_sims, make_connection, poll):
    sim = scalingo_sims()
    conn = make_connection(sim)
    assert poll(conn).status == "ok"
    good = list(models.App.objects.filter(connection=conn).values_list("name", "status", "details_synced_at"))
    containers = models.Container.objects.filter(app__connection=conn).count()
    assert containers == 1

    sim.faults.update(status=500)
    outcome = poll(conn)

    assert outcome.status == "failed"
    assert conn.health == Health.DEGRADED and conn.consecutive_failures == 1
    assert conn.last_error == f"HTTP 500 from {sim.url.removeprefix('http://')} (text/plain, 17 B)"
    assert list(models.App.objects.filter(connection=conn).values_list("name", "status", "details_synced_at")) == good
    assert models.Container.objects.filter(app__connection=conn).count() == containers

    sim.faults.update()
    sim.control("crash", {"app": APP})
    assert poll(conn).status == "ok"
    assert conn.health == Health.OK and conn.last_error == "" and conn.consecutive_failures == 0
    assert models.App.objects.get(connection=conn).status == "crashed"


def test_a_part_that_fails_keeps_its_rows_and_the_rest_is_stored(scalingo_sims, make_connection, poll):
    """An app's details are a part of the poll: when they fail, the app list and the events are still
    written, the failed details stay as they were, and the connection is Degraded saying what is missing."""
    sim = scalingo_sims()
    sim.control("add_app", {"name": "second"})
    conn = make_connection(sim)
    assert poll(conn).status == "ok"
    before = dict(models.App.objects.filter(connection=conn).values_list("name", "details_synced_at"))
    containers_before = sorted(models.Container.objects.filter(app__connection=conn).values_list("app__name",
                                                                                                "label"))
    sim.control("crash", {"app": "second"})
    # the app list and the event feed answer; every addons list then fails
    answer = sim.handle

    def addons_fail(request):  # a token that may not read addons: a lasting refusal
        if request.path.endswith("/addons"):
            return Response(403, {"error": "You are not allowed to read the addons of this app"})
        return answer(request)

    sim.handle = addons_fail
    outcome = poll(conn)

    assert outcome.status == "degraded", outcome.message
    assert outcome.message.startswith("2 of 3 parts failed: details of app ")
    assert "You are not allowed to read the addons of this app" in outcome.message
    conn.refresh_from_db()
    assert conn.health == "degraded" and conn.last_error == ""
    assert conn.health_reason == outcome.message
    assert set(conn.part_failures) == {f"app:{app.external_id}" for app in models.App.objects.filter(connection=conn)}
    # the app list and the feed were stored: "second" is crashed, and its crash is on the timeline
    assert models.App.objects.get(connection=conn, name="second").status == "crashed"
    assert models.Event.objects.filter(connection=conn, type="crash").exists()
    # the failed parts kept their rows and their age
    assert dict(models.App.objects.filter(connection=conn).values_list("name", "details_synced_at")) == before
    assert sorted(models.Container.objects.filter(app__connection=conn).values_list("app__name", "label")) \
        == containers_before

    sim.handle = answer
    # a part refused just now is not asked again at once (it backs off), and stays listed as failing
    seen = []

    def spy(request):
        seen.append(request.path)
        return answer(request)

    sim.handle = spy
    assert poll(conn).status == "degraded"
    assert not [path for path in seen if path.endswith("/addons")] and any(p.endswith("/apps") for p in seen)
    # an interval later it is asked again, and the connection is whole
    models.ScalingoConnection.objects.filter(pk=conn.pk).update(part_failures={
        key: {**failure, "retry_at": "2000-01-01T00:00:00+00:00"} for key, failure in conn.part_failures.items()})
    conn.refresh_from_db()
    assert poll(conn).status == "ok"
    conn.refresh_from_db()
    assert conn.part_failures == {} and conn.health == "ok"


def test_a_passing_fault_in_a_part_is_asked_again_at_the_next_poll(scalingo_sims, make_connection, poll):
    sim = scalingo_sims()
    conn = make_connection(sim)
    answer = sim.handle
    faults = {"left": True}

    def addons_unavailable(request):  # the addons service is down for a moment (past the client's retries)
        if request.path.endswith("/addons") and faults["left"]:
            return Response(503, {"error": "addons service unavailable"})  # Scalingo's shape: its words are shown
        return answer(request)

    sim.handle = addons_unavailable
    outcome = poll(conn)
    assert outcome.status == "degraded" and "addons service unavailable" in outcome.message
    faults["left"] = False
    assert poll(conn).status == "ok"  # asked again at once: no backoff for a passing fault
    conn.refresh_from_db()
    assert conn.part_failures == {}


# -- secrets ---------------------------------------------------------------------------------------
def test_variable_values_and_crash_log_urls_never_reach_the_database(scalingo_sims, make_connection, poll):
    sim = scalingo_sims()
    with ScalingoClient(DEFAULT_TOKEN, api_url=sim.url, auth_url=sim.url) as vendor:
        created = wire.create_variable(vendor, APP, "DATABASE_PASSWORD", SECRET_VALUE)  # new_variable
        wire.update_variable(vendor, APP, created.id, SECRET_VALUE + "-2")              # edit_variable (+ old_value)
        vendor.set_variables(APP, {"STRIPE_KEY": OTHER_SECRET, "DATABASE_PASSWORD": SECRET_VALUE + "-3"})
        stripe = next(v for v in vendor.variables(APP) if v.name == "STRIPE_KEY")
        wire.delete_variables(vendor, APP, [stripe.id])                             # edit_variables, deleted
        vendor.delete_variable(APP, created.id)                                     # delete_variable
    sim.control("event", {"app": APP, "type": "crash", "type_data": {
        "container_type": "web", "crash_logs": f"Error: DATABASE_PASSWORD={SECRET_VALUE} rejected",
        "logs_url": CRASH_LOGS_URL}})
    sim.control("event", {"app": APP, "type": "repeated_crash", "type_data": {
        "container_type": "web", "crash_logs": OTHER_SECRET, "logs_url": CRASH_LOGS_URL}})
    conn = make_connection(sim)

    assert poll(conn).status == "ok"

    events = {}
    for event in models.Event.objects.filter(connection=conn).order_by("created_at"):
        events.setdefault(event.type, []).append(event)
    assert {"new_variable", "edit_variable", "edit_variables", "delete_variable", "crash", "repeated_crash"} <= set(
        events)
    # what a user still learns: which variable changed, which container type crashed
    assert events["new_variable"][0].type_data == {"name": "DATABASE_PASSWORD"}
    assert sentence(events["edit_variable"][0]) == f"ops changed the variable DATABASE_PASSWORD of {APP}."
    bulk_set, bulk_delete = events["edit_variables"]
    assert (sorted(bulk_set.type_data["new_vars"]), bulk_set.type_data["updated_vars"]) == (
        ["STRIPE_KEY"], ["DATABASE_PASSWORD"])
    assert bulk_delete.type_data == {"new_vars": [], "updated_vars": [], "deleted_vars": ["STRIPE_KEY"]}
    assert sentence(events["delete_variable"][0]) == f"ops deleted the variable DATABASE_PASSWORD of {APP}."
    assert events["crash"][0].type_data == {"container_type": "web"}
    assert sentence(events["repeated_crash"][0]) == f"web of {APP} repeatedly crashed."
    stored = json.dumps([e.type_data for rows in events.values() for e in rows])
    for secret in (SECRET_VALUE, OTHER_SECRET, "crash-log-token-never-stored", "logs.osc-fr1"):
        assert secret not in stored
    # and nowhere else in the database either
    for secret in (SECRET_VALUE, OTHER_SECRET, "crash-log-token-never-stored"):
        assert not tables_holding(secret)


# -- SQL statements ----------------------------------------------------------------------------------
def _fetch(sim):
    with ScalingoClient(DEFAULT_TOKEN, api_url=sim.url, auth_url=sim.url) as vendor:
        apps = vendor.apps()
        details = {a.id: sync.fetch_details(vendor, a.id) for a in apps}
        events = [e for page in (1, 2, 3) for e in vendor.events(page=page).items]
    return apps, details, events


@pytest.mark.parametrize("first", [True, False], ids=["first-sync", "resync"])
def test_sql_statements_do_not_grow_with_the_number_of_apps(scalingo_sims, make_connection, populate_apps,
                                                            bulk_writes, first):
    measured = {}
    for size in (10, 100):
        sim = scalingo_sims()
        populate_apps(sim, size - 1)  # plus the recorded example app
        conn = make_connection(sim, name=f"scalingo-{size}")
        apps, details, events = _fetch(sim)
        assert len(apps) == size and len(details) == size
        if not first:
            sync.scalingo_inventory_sync(connection=conn, apps=apps, details=details, events=events)
            sim.tick()  # stats move, so every container row is rewritten
            sim.control("crash", {"app": "app-000"})  # and one app row changes
            apps, details, events = _fetch(sim)
        before = bulk_writes.snapshot(conn)
        with CaptureQueriesContext(db) as queries:
            result = sync.scalingo_inventory_sync(connection=conn, apps=apps, details=details, events=events)
        assert result["apps"] == size and result["detailed"] == size
        assert result["updated"] == (0 if first else 1)
        assert models.App.objects.filter(connection=conn, details_synced_at__isnull=False).count() == size
        for model in (models.ContainerType, models.Container, models.Addon, models.Domain, models.Collaborator,
                      models.Deployment):
            assert model.objects.filter(app__connection=conn).count() >= size - 1
        measured[size] = (len(queries), bulk_writes.statements(conn, before))

    (small, small_batches), (large, large_batches) = measured[10], measured[100]
    # Nothing per app, one statement per batch: equal wherever one batch holds 100 apps' rows
    # (PostgreSQL); SQLite's 999-parameter cap in Django 5.2 adds exactly the extra batches.
    # A resync writes only the rows that changed (the containers, whose stats moved).
    assert large - small == large_batches - small_batches, (measured, [q["sql"][:80] for q in queries])
    if db.vendor != "sqlite":
        assert large == small


def test_a_second_poll_writes_only_what_changed_and_ends_equal_to_scalingo(scalingo_sims, make_connection, poll):
    sim = demo_sim(scalingo_sims)
    conn = make_connection(sim)
    assert poll(conn).status == "ok"
    kinds = (models.ContainerType, models.Container, models.Addon, models.Domain, models.Collaborator,
             models.Deployment)
    before = {model: set(model.objects.filter(app__connection=conn).values_list("pk", flat=True)) for model in kinds}
    with ScalingoClient(DEFAULT_TOKEN, api_url=sim.url, auth_url=sim.url) as vendor:
        vendor.scale("storefront", [{"name": "web", "amount": 4, "size": "L"}])
        addon = vendor.addons("billing-api")[0]
        wire.delete_addon(vendor, "billing-api", addon.id)
        wire.add_domain(vendor, "status-page", "status.example.org")
    sim.control("crash", {"app": "search-indexer"})
    for _ in range(3):
        sim.tick()  # the scale's operation ends; stats move

    assert poll(conn).status == "ok"

    truth = visible_apps(sim)
    for row in models.App.objects.filter(connection=conn):
        app = truth[row.external_id]
        assert sorted(row.formation.values_list("name", "amount", "size")) == sorted(
            (e["name"], e["amount"], e["size"]) for e in app["_formation"])
        assert sorted(row.containers.values_list("label", "state", "size")) == sorted(
            (c["label"], c["state"], c["_size"]) for c in app["_containers"])
        assert sorted(row.addons.values_list("external_id", flat=True)) == sorted(a["id"] for a in app["_addons"])
        assert sorted(row.domain_set.values_list("name", flat=True)) == sorted(d["name"] for d in app["_domains"])
        assert sorted(row.domains.split()) == sorted(d["name"] for d in app["_domains"])
    assert models.App.objects.get(name="search-indexer").status == "crashed"
    assert not models.Addon.objects.filter(external_id=addon.id).exists()
    # rows that did not change are the same rows: formation lines of untouched apps, deployments...
    after = {model: set(model.objects.filter(app__connection=conn).values_list("pk", flat=True)) for model in kinds}
    for model in (models.ContainerType, models.Addon, models.Collaborator, models.Deployment):
        assert len(before[model] & after[model]) >= len(before[model]) - 3, model
