"""The shared test harness (tests/harness): `wait_for` says what it awaited, the factories build valid rows."""

import pytest

from console.teams.models import Role
from tests.harness import factories as f
from tests.harness.waiting import wait_for


def test_wait_for_returns_the_first_truthy_value_and_steps_between_tries():
    seen = []
    assert wait_for(lambda: len(seen) >= 3 and seen, step=lambda: seen.append(1)) == [1, 1, 1]


def test_wait_for_names_what_it_awaited_and_the_last_value():
    pending = []
    with pytest.raises(AssertionError, match=r"^not met within 0.05 s: the queue drained \(last value: \[\]\)$"):
        wait_for(lambda: pending, timeout=0.05, what="the queue drained")
    with pytest.raises(AssertionError, match=r"wait_for\(lambda: pending, timeout=0.05\)"):  # its source, unnamed
        wait_for(lambda: pending, timeout=0.05)


@pytest.mark.django_db
def test_the_factories_build_every_kind_of_row():
    team = f.TeamFactory()
    viewer = f.member_of(team, Role.VIEWER)
    assert viewer.memberships.get().role == Role.VIEWER and viewer.check_password(f.PASSWORD)
    assert f.UserFactory(superuser=True).is_superuser

    scalr = f.ScalrConnectionFactory(team=team, api="v1")
    assert scalr.settings["api"] == "v1" and scalr.secrets.get("key_id") and scalr.secrets.get("callback_token")
    server = f.ServerFactory(farm_role__farm__environment__connection=scalr)
    assert server.connection == server.farm.connection == scalr and server.farm_role.farm == server.farm
    assert f.ScriptFactory(environment=server.farm.environment).environment.connection == scalr

    scalingo = f.ScalingoConnectionFactory(team=team, base_url="http://127.0.0.1:1")
    assert scalingo.settings["auth_url"] == "http://127.0.0.1:1" and scalingo.secrets.get("token")
    app = f.AppFactory(connection=scalingo)
    f.ContainerTypeFactory(app=app)
    f.ContainerFactory(app=app)
    f.DeploymentFactory(app=app)
    assert (app.formation.count(), app.containers.count(), app.deployments.count()) == (1, 1, 1)

    saved = f.SavedQueryFactory(connection__team=team)
    assert saved.connection.secrets.get("read_logs_token") and saved.connection.team == team

    run = f.ActionRunFactory(connection=f.WidgetConnectionFactory(team=team, secret_values={"token": "t"}))
    assert run.team == team and run.vendor == "widgets"
