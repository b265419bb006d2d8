"""Shared fixtures: users in each role, teams, and a running test-vendor simulator."""

import os

import pytest

from console.teams.models import Role
from tests.harness.factories import PASSWORD, TeamFactory, UserFactory, WidgetConnectionFactory, member_of
from tests.testvendor.simulator import WidgetSimulator

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

__all__ = ["PASSWORD", "make_user"]  # imported by tests that log in through the form


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
    widget_sim.restarts = []
    return widget_sim


def make_user(username, *, superuser=False):
    return UserFactory(username=username, superuser=superuser)


@pytest.fixture
def team(db):
    return TeamFactory(name="Platform", slug="platform")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Data", slug="data")


@pytest.fixture
def members(team, other_team):
    """One user per role in `team`, plus an admin of another team."""
    users = {role: member_of(team, role, username=f"{role}-user") for role in (Role.VIEWER, Role.OPERATOR, Role.ADMIN)}
    users["outsider"] = member_of(other_team, Role.ADMIN, username="outsider")
    return users


@pytest.fixture
def api_tokens(members):
    """A read-write API token for each of `members`, and a read-only one of the team's admin
    (tests/harness/api.py); each caller's token is its plain text."""
    from console.tokens.services import token_create

    tokens = {who: token_create(user=user, description=f"{who} script", write=True)[1]
              for who, user in members.items()}
    tokens["read-token"] = token_create(user=members[Role.ADMIN], description="admin reader")[1]
    return tokens


@pytest.fixture
def connection(team, widgets):
    return WidgetConnectionFactory(name="widgets-prod", team=team, base_url=widgets.url,
                                   secret_values={"token": widgets.token})


@pytest.fixture
def other_connection(other_team, widgets):
    return WidgetConnectionFactory(name="widgets-data", team=other_team, base_url=widgets.url,
                                   secret_values={"token": widgets.token})


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


@pytest.fixture
def catchers():
    """`catchers(answer=None)` starts a catcher (tests/harness/catcher.py), a real server on loopback that
    keeps what it receives; all are stopped after the test."""
    from tests.harness.catcher import Catcher

    started = []

    def start(answer=None) -> Catcher:
        started.append(Catcher(answer).start())
        return started[-1]

    yield start
    for catcher in started:
        catcher.stop()
