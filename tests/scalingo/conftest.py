"""Scalingo tests run the real client against the simulator over real HTTP (port 0)."""

from __future__ import annotations

import json
import math
import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection as db
from django.db.models import Max
from tests.harness.factories import ScalingoConnectionFactory
from tests.scalingo.scalingo_helpers import EXAMPLES, FAST, make_sim, stop_soon

from vendors.core import budget as budget_module
from vendors.core import polling
from vendors.scalingo import models
from vendors.scalingo.client import ScalingoClient, forget_bearers
from vendors.scalingo.simulator import auth as sim_auth
from vendors.scalingo.simulator.routes_resources import find_plan, new_addon, new_collaborator, new_domain
from vendors.scalingo.simulator import DEFAULT_TOKEN
from vendors.scalingo.sync import BATCH, DETAIL_COLUMNS


@pytest.fixture(autouse=True)
def _no_bearer_from_another_test():
    """Bearers live in process memory, keyed by token and auth URL: a simulator of another test
    may have had this one's port. Every test starts exchanging, as a fresh process does."""
    forget_bearers()
    yield
    forget_bearers()


@pytest.fixture
def sim():
    simulator = make_sim()
    yield simulator
    stop_soon(simulator)


@pytest.fixture
def client(sim):
    scalingo = ScalingoClient(DEFAULT_TOKEN, region="osc-fr1", auth_url=sim.url, **FAST)
    yield scalingo
    scalingo.close()


@pytest.fixture(scope="session")
def examples() -> dict[str, dict]:
    return {example["id"]: example for example in json.loads(EXAMPLES.read_text())["examples"]}


# -- the Django side: connections polled against a simulator ----------------------------------
@pytest.fixture
def fresh_budgets():
    """Request budgets live in the shared cache, keyed by token; every test starts with a full one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fast_retries(monkeypatch):
    """Retries of 5xx/429 without the production backoff (polls build their own clients)."""
    for name, value in (("backoff_initial", 0.01), ("backoff_max", 0.05), ("max_retry_seconds", 3.0)):
        monkeypatch.setattr(ScalingoClient, name, value)


@pytest.fixture
def clock(monkeypatch):
    """The request budget's clock stands still at the start of a minute (so a test never straddles
    two of its fixed windows), and `clock.minute_passes()` moves it and the simulator's sliding
    60 s window on a minute, without waiting (their `time` modules are replaced, nothing else)."""
    state = SimpleNamespace(offset=0.0)
    start = (time.time() // 60) * 60 + 1
    monkeypatch.setattr(budget_module, "time", SimpleNamespace(time=lambda: start + state.offset))
    monkeypatch.setattr(sim_auth, "time", SimpleNamespace(time=lambda: time.time() + state.offset,
                                                          monotonic=lambda: time.monotonic() + state.offset))

    def minute_passes(seconds: float = 61.0):
        state.offset += seconds

    state.minute_passes = minute_passes
    return state


@pytest.fixture
def scalingo_sims():
    """A factory of simulators (make_sim options), all stopped at the end."""
    started = []

    def start(**options):
        simulator = make_sim(**options)
        started.append(simulator)
        return simulator

    yield start
    for simulator in started:
        stop_soon(simulator)


@pytest.fixture
def make_connection(team, fresh_budgets, fast_retries):
    """A ScalingoConnection of `team` pointing at a simulator (API and auth service on its URL)."""

    def make(simulator, *, name="scalingo-test", requests_per_minute=0, poll_seconds=60, token=DEFAULT_TOKEN):
        return ScalingoConnectionFactory(name=name, team=team, base_url=simulator.url, poll_seconds=poll_seconds,
                                         requests_per_minute=requests_per_minute, secret_values={"token": token})

    return make


@pytest.fixture
def poll():
    """Poll a connection the way the scheduler does (lease, then the vendor's poll); returns the
    outcome and refreshes `conn` from the database."""

    def run(conn):
        lease = polling.connection_claim(connection=conn, force=True)
        assert lease, "the connection's lease is held"
        outcome = polling.connection_poll(vendor=conn.vendor, pk=conn.pk, lease=lease)
        conn.refresh_from_db()
        return outcome

    return run


@pytest.fixture
def populate_apps():
    """`populate_apps(sim, count)`: that many apps in osc-fr1 with every kind of detail
    (formation, containers, an addon, a domain, a collaborator, a deployment, events)."""

    def populate(simulator, count: int) -> None:
        with simulator.lock:
            world = simulator.world
            for index in range(count):
                app = world.add_app(f"app-{index:03d}", simulator.ops, formation=[
                    {"name": "web", "command": "", "amount": 1 + index % 3, "size": "M"},
                    {"name": "worker", "command": "node w.js", "amount": index % 2, "size": "S"}])
                new_addon(world, app, "postgresql", find_plan("postgresql", "postgresql-sandbox"), status="running")
                new_domain(world, app, f"www.app-{index:03d}.example.com", canonical=True)
                new_collaborator(world, app, f"dev{index}@example.com")

    return populate


@pytest.fixture
def bulk_batches():
    """`bulk_batches(model, rows, update_fields=None)`: the statements Django needs for one bulk
    insert (or bulk_update of `update_fields`) of `rows` rows on this database: 1 on PostgreSQL
    up to the sync's BATCH, more on SQLite whose 999-parameter cap (Django 5.2) splits them."""

    def batches(model, rows: int, update_fields=None) -> int:
        if not rows:
            return 0
        if update_fields is None:
            fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        else:
            fields = ["pk", "pk", *update_fields]
        size = min(BATCH, db.ops.bulk_batch_size(fields, [None] * rows) or rows)
        return math.ceil(rows / size)

    return batches


@pytest.fixture
def bulk_writes(bulk_batches):
    """How many bulk statements a sync needed, from what it wrote: `before = bulk_writes.snapshot(conn)`,
    sync or poll, then `bulk_writes.statements(conn, before)`: the insert batches of every kind
    of row it added and the delete batches of the detail rows it removed. A sync whose statement
    count equals the fixed ones plus this does nothing per app."""

    def rows(model, conn):
        owner = "connection" if model in (models.App, models.Event) else "app__connection"
        return model.objects.filter(**{owner: conn})

    kinds = (models.App, models.Event, *DETAIL_COLUMNS)

    def snapshot(conn):
        return {model: (model.objects.aggregate(top=Max("pk"))["top"] or 0, rows(model, conn).count())
                for model in kinds}

    def statements(conn, before) -> int:
        total = 0
        for model, (top, count) in before.items():
            inserted = rows(model, conn).filter(pk__gt=top).count()
            deleted = count + inserted - rows(model, conn).count()
            total += bulk_batches(model, inserted) + math.ceil(deleted / BATCH)
        return total

    return SimpleNamespace(snapshot=snapshot, statements=statements)
