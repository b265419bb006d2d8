"""Scalingo app actions: scale and restart (sent, then their operation followed), and the
refresh of one app when a user opens it or an action ends."""

from __future__ import annotations

import re

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from vendors.core import errors
from vendors.core.actions import Accepted, action_start, done, failed, performer, still
from vendors.core.dispatch import enqueue
from vendors.scalingo import models
from vendors.scalingo.client import budgeted_client
from vendors.scalingo.sync import scalingo_app_refresh

_FIELD = re.compile(r"^container-(?P<type>.+)-(?P<what>amount|size)$")
#: a scale or restart Scalingo refused with 429 did nothing, so it is sent again: this many
#: attempts, within the client's 30 s, rather than failing the action at the first "Retry later"
SEND_ATTEMPTS = 8
#: seconds between two looks at a running operation (each look is one request of the token's minute)
OPERATION_LOOK_SECONDS = 3.0


def app_url(app: models.App) -> str:
    return reverse("scalingo:app-detail", args=[app.pk])


def formation_sentence(changes: list[dict]) -> str:
    """"web 2×M → 4×L, worker 1×S → 0×S"."""
    return ", ".join(f"{c['name']} {c['from_amount']}×{c['from_size']} → {c['amount']}×{c['size']}" for c in changes)


def scalingo_app_scale(*, app: models.App, changes: list[dict], actor):
    return action_start(connection=app.connection, actor=actor, verb="scalingo.app.scale", target=app,
                        summary=f"Scale {app.name}: {formation_sentence(changes)}",
                        params={"app": app.external_id, "containers": [
                            {"name": c["name"], "amount": c["amount"], "size": c["size"]} for c in changes]},
                        target_url=app_url(app))


def scalingo_app_restart(*, app: models.App, scope: list[str], actor):
    what = ", ".join(scope) if scope else "all containers"
    return action_start(connection=app.connection, actor=actor, verb="scalingo.app.restart", target=app,
                        summary=f"Restart {app.name}: {what}", params={"app": app.external_id, "scope": scope},
                        target_url=app_url(app))


def follow_operation(action, connection):
    """One look at the operation Scalingo answered with (its `Location`); the app is re-read when it ends.

    One request per look, not retried here: a 429 or an outage goes back to the pipeline,
    which waits (Scalingo's `Retry-After` when it gives one), says so on the page, and looks
    again; it never makes the accepted action failed."""
    with budgeted_client(connection, max_attempts=1) as client:
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
    with budgeted_client(connection, max_attempts=SEND_ATTEMPTS) as client:
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
    with budgeted_client(connection, max_attempts=SEND_ATTEMPTS) as client:
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


def scalingo_app_refresh_now(*, app_id: int) -> None:
    app = models.App.objects.select_related("connection").filter(pk=app_id).first()
    if app is not None and app.connection.enabled:
        try:
            scalingo_app_refresh(app.connection, app)
        except errors.VendorError:
            pass  # shown through the connection's next poll


def scalingo_app_viewed(*, app: models.App, min_age_seconds: int = 30) -> None:
    """A user opened the app: refresh its details now unless fresh or recently asked."""
    fresh = app.details_synced_at and (timezone.now() - app.details_synced_at).total_seconds() < min_age_seconds
    if not fresh and cache.add(f"scalingo:viewed:{app.pk}", 1, min_age_seconds):
        enqueue("scalingo.refresh_app", app.pk)
