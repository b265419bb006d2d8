"""The permission matrix over every `scalingo:` URL: anonymous, another team, viewer, operator, admin.

Every URL of the app must have a row (a test checks it), so a new page cannot ship without one.
The helper that checks each cell is tests/harness/permissions.py; the rows are built by the
factories, for the simulator's recorded app (so the live reads read something).
"""

import pytest
from django.test import Client
from django.urls import reverse

from console.teams.models import Role
from tests.harness.factories import (AppFactory, ContainerFactory, ContainerTypeFactory, DeploymentFactory,
                                     ScalingoConnectionFactory)
from tests.harness.permissions import Matrix, Row, namespace
from tests.scalingo.scalingo_helpers import APP, make_sim, stop_soon

MATRIX = Matrix([
    Row("scalingo:app-list"),
    Row("scalingo:app-detail", team_object=True),
    Row("scalingo:app-series", team_object=True),
    Row("scalingo:app-logs", team_object=True),
    Row("scalingo:app-logs-tail", team_object=True),  # a stream: the matrix reads its status, not its lines
    Row("scalingo:deployment-output", team_object=True),
    # scale and restart answer with the confirmation dialog (nothing is queued without "confirmed")
    Row("scalingo:app-scale", "post", Role.OPERATOR, team_object=True, data={"amount_web": 2, "size_web": "M"},
        allowed=(200,)),
    Row("scalingo:app-restart", "post", Role.OPERATOR, team_object=True, allowed=(200,)),
    Row("scalingo:app-variables", "post", Role.ADMIN, team_object=True, data={"name": "MATRIX", "value": "1"}),
    Row("scalingo:variables-bulk", "post", Role.ADMIN, team_object=True, data={"text": "MATRIX=1"}),
    Row("scalingo:variable-reveal", "post", Role.ADMIN, team_object=True, data={"name": "MATRIX"}, allowed=(200,)),
    Row("scalingo:variable-delete", "post", Role.ADMIN, team_object=True, data={"name": "MATRIX"}),
], scope=namespace("scalingo"))


def test_every_scalingo_url_has_a_row():
    MATRIX.assert_covers_resolver()


@pytest.fixture(scope="module")
def matrix_sim():
    simulator = make_sim()
    yield simulator
    stop_soon(simulator)


@pytest.fixture
def urls(team, matrix_sim, fresh_budgets):
    recorded = next(a for a in matrix_sim.world.apps.values() if a["name"] == APP)
    connection = ScalingoConnectionFactory(team=team, base_url=matrix_sim.url)
    app = AppFactory(connection=connection, external_id=recorded["id"], name=APP)
    ContainerTypeFactory(app=app, name="web", amount=1, size="M")
    ContainerFactory(app=app, type="web")
    deployment = DeploymentFactory(app=app)
    args = {"scalingo:app-list": [], "scalingo:deployment-output": [app.pk, deployment.external_id]}
    return {name: reverse(name, args=args.get(name, [app.pk])) for name in MATRIX.names}


@pytest.fixture
def web(db):
    """Django's test client (`client` here is the Scalingo API client fixture)."""
    return Client()


@pytest.mark.parametrize(("row", "who"), MATRIX.cells())
def test_permission_matrix(web, urls, members, row, who):
    response = MATRIX.check(web, row, who, urls=urls, members=members)
    if getattr(response, "streaming", False):
        response.close()  # the tail's stream is never read: end it
