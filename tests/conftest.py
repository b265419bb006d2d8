"""Shared fixtures: users in each role, teams, and a running test-vendor simulator."""

import os

import pytest
from django.contrib.auth import get_user_model

from console.teams.models import Membership, Role, Team
from tests.testvendor.models import WidgetConnection
from tests.testvendor.simulator import WidgetSimulator

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def widget_sim():
    simulator = WidgetSimulator()
    simulator.serve()
    yield simulator
    simulator.stop()


@pytest.fixture
def widgets(widget_sim):
    """The widget simulator, reset to its initial state and faults cleared."""
    widget_sim.faults.update()
    fresh = WidgetSimulator()
    widget_sim.widgets = fresh.widgets
    widget_sim.token = fresh.token
    widget_sim.list_calls = 0
    widget_sim.owners, widget_sim.refuse_owner, widget_sim.owner_calls = fresh.owners, {}, {}
    return widget_sim


def make_user(username, *, superuser=False):
    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.com", PASSWORD)
    return User.objects.create_user(username, f"{username}@example.com", PASSWORD)


@pytest.fixture
def team(db):
    return Team.objects.create(name="Platform", slug="platform")


@pytest.fixture
def other_team(db):
    return Team.objects.create(name="Data", slug="data")


@pytest.fixture
def members(team, other_team):
    """One user per role in `team`, plus an admin of another team."""
    users = {}
    for role in (Role.VIEWER, Role.OPERATOR, Role.ADMIN):
        users[role] = make_user(f"{role}-user")
        Membership.objects.create(team=team, user=users[role], role=role)
    users["outsider"] = make_user("outsider")
    Membership.objects.create(team=other_team, user=users["outsider"], role=Role.ADMIN)
    return users


@pytest.fixture
def connection(team, widgets):
    conn = WidgetConnection(name="widgets-prod", team=team, base_url=widgets.url, poll_seconds=60)
    conn.secrets.set("token", widgets.token)
    conn.save()
    return conn


@pytest.fixture
def other_connection(other_team, widgets):
    conn = WidgetConnection(name="widgets-data", team=other_team, base_url=widgets.url)
    conn.secrets.set("token", widgets.token)
    conn.save()
    return conn


@pytest.fixture
def celery_worker_thread(transactional_db):
    """A real Celery worker (threads pool) consuming the configured broker while the test runs."""
    from celery.contrib.testing.worker import start_worker

    from dashboard.celery import app as celery_app

    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    with start_worker(celery_app, pool="threads", concurrency=2, perform_ping_check=False, loglevel="WARNING"):
        yield
    celery_app.conf.task_always_eager = True
