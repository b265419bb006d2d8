"""Scalingo actions (scale, restart, variables) and on-demand reads (variables, logs, series)."""

from __future__ import annotations

import math
import re
from contextlib import contextmanager

from django.core.cache import cache
from django.urls import reverse

from console.audit.models import Outcome
from console.audit.services import audit_record
from vendors.core import errors
from vendors.core.actions import Accepted, action_secret_values, action_start, done, failed, performer, still
from vendors.scalingo import models
from vendors.scalingo.polling import budget_for, client_for, interactive_client_for, scalingo_app_refresh

SERIES_CACHE_SECONDS = 30
_FIELD = re.compile(r"^container-(?P<type>.+)-(?P<what>amount|size)$")


def _app_url(app: models.App) -> str:
    return reverse("scalingo:app-detail", args=[app.pk])


def formation_sentence(changes: list[dict]) -> str:
    """"web 2×M → 4×L, worker 1×S → 0×S"."""
    return ", ".join(f"{c['name']} {c['from_amount']}×{c['from_size']} → {c['amount']}×{c['size']}" for c in changes)


# -- actions ---------------------------------------------------------------------------------
#: a scale or restart Scalingo refused with 429 did nothing, so it is sent again: this many
#: attempts, within the client's 30 s, rather than failing the action at the first "Retry later"
SEND_ATTEMPTS = 8


@contextmanager
def _action_client(connection, **options):
    """A client whose requests (the action, following its operation) count against the token's
    minute like the polls' do, so the next poll plans with what is really left. Actions do not
    ask the budget first: they may use the RESERVE polls leave."""
    budget = budget_for(connection)
    with client_for(connection, **options) as client:
        try:
            yield client
        finally:
            budget.spend(client.limited_requests)


def scalingo_app_scale(*, app: models.App, changes: list[dict], actor):
    return action_start(connection=app.connection, actor=actor, verb="scalingo.app.scale", target=app,
                        summary=f"Scale {app.name}: {formation_sentence(changes)}",
                        params={"app": app.external_id, "containers": [
                            {"name": c["name"], "amount": c["amount"], "size": c["size"]} for c in changes]},
                        target_url=_app_url(app))


def scalingo_app_restart(*, app: models.App, scope: list[str], actor):
    what = ", ".join(scope) if scope else "all containers"
    return action_start(connection=app.connection, actor=actor, verb="scalingo.app.restart", target=app,
                        summary=f"Restart {app.name}: {what}", params={"app": app.external_id, "scope": scope},
                        target_url=_app_url(app))


#: seconds between two looks at a running operation (each look is one request of the token's minute)
OPERATION_LOOK_SECONDS = 3.0


def follow_operation(action, connection):
    """One look at the operation Scalingo answered with (its `Location`); the app is re-read when it ends.

    One request per look, not retried here: a 429 or an outage goes back to the pipeline,
    which waits (Scalingo's `Retry-After` when it gives one), says so on the page, and looks
    again; it never makes the accepted action failed."""
    with _action_client(connection, max_attempts=1) as client:
        operation = client.operation_at(action.follow["operation"])
    if not operation.finished:
        return still(f"Scalingo's {operation.type or 'operation'} is {operation.status}…", OPERATION_LOOK_SECONDS)
    _refresh_after_action(connection, action.params["app"])
    if operation.status != "done":
        return failed(f"The operation ended with status {operation.status}: {operation.error or 'no reason given'}")
    return done(action.follow["done"])


def _accepted(location: str | None, done_sentence: str):
    if not location:
        return done_sentence
    return Accepted("Scalingo accepted it; following its operation…", {"operation": location, "done": done_sentence})


@performer("scalingo.app.scale", follow=follow_operation)
def perform_scale(action, connection):
    containers = action.params["containers"]
    with _action_client(connection, max_attempts=SEND_ATTEMPTS) as client:
        try:
            result = client.scale(action.params["app"], containers)
        except errors.InvalidRequest as exc:
            fields = {}
            for key, messages in exc.details.items():
                match = _FIELD.match(key)
                if match and isinstance(messages, list):
                    fields[f"{match['what']}_{match['type']}"] = " ".join(messages)
            raise errors.InvalidRequest(exc.message, status=exc.status, details={"fields": fields}) from None
    if not result.operation_url:
        _refresh_after_action(connection, action.params["app"])
    return _accepted(result.operation_url, "Scaled.")


@performer("scalingo.app.restart", follow=follow_operation)
def perform_restart(action, connection):
    with _action_client(connection, max_attempts=SEND_ATTEMPTS) as client:
        location = client.restart(action.params["app"], action.params["scope"] or None)
    if not location:
        _refresh_after_action(connection, action.params["app"])
    return _accepted(location, "Restarted.")


def _refresh_after_action(connection, app_ext: str) -> None:
    """Re-read the app at once (one try per request: the action's outcome does not wait on it)."""
    app = connection.apps.filter(external_id=app_ext).first()
    if app is not None:
        try:
            scalingo_app_refresh(connection, app, max_attempts=1)
        except errors.VendorError:
            pass  # the action's outcome stands; the next poll brings the new state


# -- what a page says when a live read did not work ------------------------------------------------
def read_error(exc: errors.VendorError, connection) -> str:
    """Scalingo's words, except for a 429: when to try again (its `Retry-After`, else when the
    console's count of the token's minute starts over)."""
    if isinstance(exc, errors.RateLimited):
        wait = exc.retry_after if exc.retry_after is not None else budget_for(connection).seconds_to_reset()
        return f"Scalingo asked to slow down; try again in {max(1, math.ceil(wait))} s."
    return str(exc)


# -- variables (values are read live, never stored) --------------------------------------------
def scalingo_variables(*, app: models.App):
    budget = budget_for(app.connection)
    with interactive_client_for(app.connection) as client:
        try:
            return sorted(client.variables(app.external_id), key=lambda v: v.name)
        finally:
            budget.spend(client.limited_requests)


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
                        target_url=_app_url(app), secret_payload=variables)


def scalingo_variable_delete(*, app: models.App, name: str, actor):
    return action_start(connection=app.connection, actor=actor, verb="scalingo.variable.delete", target=app,
                        summary=f"Delete variable {name} of {app.name}",
                        params={"app": app.external_id, "name": name}, target_url=_app_url(app))


@performer("scalingo.variable.set")
@performer("scalingo.variables.set")
@performer("scalingo.variable.bulk")
def perform_set_variables(action, connection) -> str:
    values = action_secret_values(action)
    with _action_client(connection) as client:
        client.set_variables(action.params["app"], values)
    return f"{len(values)} variable(s) saved."


@performer("scalingo.variable.delete")
def perform_delete_variable(action, connection) -> str:
    with _action_client(connection) as client:
        variable = next((v for v in client.variables(action.params["app"]) if v.name == action.params["name"]), None)
        if variable is None:
            raise errors.NotFound(f"The variable {action.params['name']} does not exist any more.")
        client.delete_variable(action.params["app"], variable.id)
    return "Deleted."


# -- live reads for the app page -------------------------------------------------------------
def scalingo_series(*, app: models.App, metric: str, container_type: str, hours: int = 3):
    """CPU or memory points of one container type, or router requests per minute, cached briefly
    (every viewer of the app shares them)."""
    key = f"scalingo:series:{app.pk}:{metric}:{container_type}:{hours}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    budget = budget_for(app.connection)
    with interactive_client_for(app.connection) as client:
        try:
            if metric == "router":
                points = client.router(app.external_id, since_hours=hours)
            else:
                reader = client.cpu if metric == "cpu" else client.memory
                points = reader(app.external_id, container_type, since_hours=hours)
        finally:
            budget.spend(client.limited_requests)
    data = [[int(p.time.timestamp()) for p in points if p.time], [p.value for p in points if p.time]]
    cache.set(key, data, SERIES_CACHE_SECONDS)
    return data


def scalingo_logs(*, app: models.App, lines: int = 200, filter: str | None = None):
    budget = budget_for(app.connection)
    with interactive_client_for(app.connection) as client:
        try:
            return client.logs(app.external_id, n=lines, filter=filter or None)
        finally:
            budget.spend(client.limited_requests)


def scalingo_deployment_output(*, app: models.App, deployment_id: str) -> str:
    budget = budget_for(app.connection)
    with interactive_client_for(app.connection) as client:
        try:
            return client.deployment_output(app.external_id, deployment_id)
        finally:
            budget.spend(client.limited_requests)


def scalingo_app_refresh_now(*, app_id: int) -> None:
    app = models.App.objects.select_related("connection").filter(pk=app_id).first()
    if app is not None and app.connection.enabled:
        try:
            scalingo_app_refresh(app.connection, app)
        except errors.VendorError:
            pass  # shown through the connection's next poll


def scalingo_app_viewed(*, app: models.App, min_age_seconds: int = 30) -> None:
    """A user opened the app: refresh its details now unless fresh or recently asked."""
    from django.utils import timezone

    from vendors.scalingo.tasks import refresh_app

    fresh = app.details_synced_at and (timezone.now() - app.details_synced_at).total_seconds() < min_age_seconds
    if not fresh and cache.add(f"scalingo:viewed:{app.pk}", 1, min_age_seconds):
        refresh_app.delay(app.pk)
