"""Reads for the Scalingo pages: rows scoped to the user's teams, and what the app page reads
live from Scalingo (variables, logs, series, build output) within the token's budget."""

from __future__ import annotations

import math

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from console.teams.selectors import teams_for_user
from vendors.core import errors, registry
from vendors.core import selectors as core_selectors
from vendors.core.models import ActionRun
from vendors.core.parts import part_failure
from vendors.scalingo import models
from vendors.scalingo.client import INTERACTIVE, budget_for, budgeted_client
from vendors.scalingo.events import sentence
from vendors.scalingo.filters import AppFilter

SERIES_CACHE_SECONDS = 30
EVENTS_PER_PAGE = 30


def connection_ids(*, teams) -> list[int]:
    return core_selectors.connection_ids(model=models.ScalingoConnection, teams=teams)


def apps_for_user(*, user) -> QuerySet[models.App]:
    ids = connection_ids(teams=teams_for_user(user=user))
    return models.App.objects.filter(connection_id__in=ids).select_related("connection", "connection__team")


def app_get(*, user, pk: int) -> models.App:
    return get_object_or_404(apps_for_user(user=user), pk=pk)


def apps_filtered(*, user, params) -> QuerySet[models.App]:
    """The apps list: `params` is its query string (filters.AppFilter says what it understands)."""
    return AppFilter(params, queryset=apps_for_user(user=user)).qs


def app_list_choices(*, user) -> dict:
    """What the apps list offers to filter by: the user's Scalingo connections and teams."""
    connections = core_selectors.connections_for_user(user=user, spec=registry.get("scalingo"))
    return {"connections": list(connections.order_by("name").values_list("name", flat=True)),
            "teams": teams_for_user(user=user)}


def apps_with_details(*, apps: QuerySet[models.App]) -> QuerySet[models.App]:
    """`apps` with their formation and their containers' states, in one query each per page."""
    return apps.prefetch_related("formation", Prefetch("containers", queryset=models.Container.objects.only(
        "app_id", "state")))


def app_events(*, app: models.App) -> QuerySet[models.Event]:
    """Newest first; events of the same moment by id, so pages never overlap nor skip one."""
    return app.events.order_by(F("created_at").desc(nulls_last=True), "-pk")


def app_deployments(*, app: models.App) -> QuerySet[models.Deployment]:
    """Newest first, as stable as app_events."""
    return app.deployments.order_by(F("created_at").desc(nulls_last=True), "-pk")


# -- the app page ---------------------------------------------------------------------------------
def app_page(*, app: models.App, tab: str, page: str | None = None) -> dict:
    """The rows the app page shows on every tab, and those of `tab` (`page`: of the events)."""
    rows = {
        "formation": list(app.formation.all()),
        "last_deployment": app.deployments.first(),
        "recent_actions": ActionRun.objects.filter(vendor="scalingo", connection_id=app.connection_id,
                                                   params__app=app.external_id)[:5],
        "details_failure": details_failure(app=app),
    }
    if tab in ("overview", "containers"):
        rows["containers"] = list(app.containers.all())
    if tab == "events":
        events = Paginator(app.events.all(), EVENTS_PER_PAGE).get_page(page)
        rows["events_page"] = events
        rows["event_rows"] = [(event, sentence(event)) for event in events.object_list]
    if tab == "deployments":
        rows["deployments"] = list(app.deployments.all()[:30])
    if tab == "addons":
        rows["addons"] = list(app.addons.all())
    if tab == "domains":
        rows["domain_rows"] = list(app.domain_set.all())
    if tab == "collaborators":
        rows["collaborators"] = list(app.collaborators.all())
    if tab == "logs":
        rows["log_types"] = sorted({c.type for c in app.containers.all()} | {"router"})
    return rows


def details_failure(*, app: models.App) -> dict | None:
    """Why the last poll could not refresh this app's details (Scalingo's words, since when), or
    None; None too once the app was refreshed after that poll (a user opened it, an action ended)."""
    failure = part_failure(app.connection, f"app:{app.external_id}")
    polled_at = app.connection.last_attempt_at
    if failure and app.details_synced_at and polled_at and app.details_synced_at > polled_at:
        return None
    return failure


def app_formation(*, app: models.App) -> QuerySet[models.ContainerType]:
    return app.formation.all()


def container_type_names(*, app: models.App) -> list[str]:
    return list(app.formation.values_list("name", flat=True))


def deployment_get(*, app: models.App, external_id: str) -> models.Deployment | None:
    """A deployment the last poll stored, or None."""
    return app.deployments.filter(external_id=external_id).first()


# -- live reads -----------------------------------------------------------------------------------
def read_error(exc: errors.VendorError, connection) -> str:
    """What a page says when a live read did not work: Scalingo's words, except for a 429: when to
    try again (its `Retry-After`, else when the console's count of the token's minute starts over)."""
    if isinstance(exc, errors.RateLimited):
        wait = exc.retry_after if exc.retry_after is not None else budget_for(connection).seconds_to_reset()
        return f"Scalingo asked to slow down; try again in {max(1, math.ceil(wait))} s."
    return str(exc)


def scalingo_variables(*, app: models.App):
    """The app's variables with their values (read live, never stored), by name."""
    with budgeted_client(app.connection, **INTERACTIVE) as client:
        return sorted(client.variables(app.external_id), key=lambda v: v.name)


def variable_names(*, app: models.App) -> tuple[list[str], str]:
    """The names of the app's variables (the page never shows a value unasked), or why they
    could not be read."""
    try:
        return [v.name for v in scalingo_variables(app=app)], ""
    except errors.VendorError as exc:
        return [], read_error(exc, app.connection)


def scalingo_series(*, app: models.App, metric: str, container_type: str, hours: int = 3):
    """CPU or memory points of one container type, or router requests per minute, cached briefly
    (every viewer of the app shares them)."""
    key = f"scalingo:series:{app.pk}:{metric}:{container_type}:{hours}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    with budgeted_client(app.connection, **INTERACTIVE) as client:
        if metric == "router":
            points = client.router(app.external_id, since_hours=hours)
        else:
            reader = client.cpu if metric == "cpu" else client.memory
            points = reader(app.external_id, container_type, since_hours=hours)
    data = [[int(p.time.timestamp()) for p in points if p.time], [p.value for p in points if p.time]]
    cache.set(key, data, SERIES_CACHE_SECONDS)
    return data


def app_series(*, app: models.App, hours: int) -> tuple[dict, str]:
    """The charts of the app page: CPU and memory per container type, router requests when the
    app has web containers; and why they stopped, if Scalingo refused one."""
    series = {}
    try:
        for line in app.formation.all():
            series[line.name] = {
                "cpu": scalingo_series(app=app, metric="cpu", container_type=line.name, hours=hours),
                "memory": scalingo_series(app=app, metric="memory", container_type=line.name, hours=hours),
            }
        if app.formation.filter(name="web").exists():
            series["router"] = {"requests": scalingo_series(app=app, metric="router", container_type="",
                                                            hours=hours)}
    except errors.VendorError as exc:
        return series, read_error(exc, app.connection)
    return series, ""


def scalingo_logs(*, app: models.App, lines: int = 200, filter: str | None = None):
    with budgeted_client(app.connection, **INTERACTIVE) as client:
        return client.logs(app.external_id, n=lines, filter=filter or None)


def scalingo_deployment_output(*, app: models.App, deployment_id: str) -> str:
    with budgeted_client(app.connection, **INTERACTIVE) as client:
        return client.deployment_output(app.external_id, deployment_id)
