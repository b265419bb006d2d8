"""Scalingo variables: set (one or in bulk) and delete as actions, their values travelling
encrypted to the worker; a value revealed to an admin is audited."""

from __future__ import annotations

from console.audit.models import Outcome
from console.audit.services import audit_record
from vendors.core import errors
from vendors.core.actions import action_secret_values, action_start, performer
from vendors.scalingo import models
from vendors.scalingo.client import budgeted_client
from vendors.scalingo.selectors import scalingo_variables
from vendors.scalingo.services.apps import app_url


def scalingo_variable_reveal(*, app: models.App, name: str, actor) -> str | None:
    variable = next((v for v in scalingo_variables(app=app) if v.name == name), None)
    audit_record(actor=actor, verb="scalingo.variable.reveal", target=app, team=app.connection.team,
                 outcome=Outcome.SUCCESS if variable else Outcome.FAILURE,
                 message=f"Revealed the value of {name}." if variable else f"No variable named {name}.",
                 detail={"variable": name})
    return variable.value if variable else None


def scalingo_variables_set(*, app: models.App, variables: dict[str, str], actor, verb: str):
    names = ", ".join(sorted(variables))
    return action_start(connection=app.connection, actor=actor, verb=verb, target=app,
                        summary=f"Set {len(variables)} variable(s) on {app.name}: {names}",
                        params={"app": app.external_id, "names": sorted(variables)},
                        target_url=app_url(app), secret_payload=variables)


def scalingo_variable_delete(*, app: models.App, name: str, actor):
    return action_start(connection=app.connection, actor=actor, verb="scalingo.variable.delete", target=app,
                        summary=f"Delete variable {name} of {app.name}",
                        params={"app": app.external_id, "name": name}, target_url=app_url(app))


@performer("scalingo.variable.set")
@performer("scalingo.variables.set")
@performer("scalingo.variable.bulk")
def perform_set_variables(action, connection) -> str:
    values = action_secret_values(action)
    with budgeted_client(connection) as client:
        client.set_variables(action.params["app"], values)
    return f"{len(values)} variable(s) saved."


@performer("scalingo.variable.delete")
def perform_delete_variable(action, connection) -> str:
    with budgeted_client(connection) as client:
        variable = next((v for v in client.variables(action.params["app"]) if v.name == action.params["name"]), None)
        if variable is None:
            raise errors.NotFound(f"The variable {action.params['name']} does not exist any more.")
        client.delete_variable(action.params["app"], variable.id)
    return "Deleted."
