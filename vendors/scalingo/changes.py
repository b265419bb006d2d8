"""Scalingo's part in "what changed just before it broke": its apps' changes (the events each poll keeps),
the apps a key or a name points at, and the app stats on the incident page."""

from __future__ import annotations

from django.urls import reverse

from vendors.core import changes as core_changes
from vendors.core import registry
from vendors.scalingo import models
from vendors.scalingo.events import sentence
from vendors.scalingo.selectors import connection_ids

KEY = "scalingo.app"
#: Scalingo event type -> kind of change (types not listed are no change of the app's running: a
#: collaborator invited, a one-off command run)
KINDS = {"deployment": "deploy", "scale": "scale", "restart": "restart", "stop_app": "scale", "crash": "crash",
         "repeated_crash": "crash", "new_variable": "config", "edit_variable": "config", "edit_variables": "config",
         "delete_variable": "config", "new_addon": "config", "delete_addon": "config", "upgrade_addon": "config",
         "new_domain": "config", "edit_domain": "config", "delete_domain": "config", "rename_app": "config"}


def app_key(app_id: int) -> str:
    return f"{KEY}:{app_id}"


def app_changes(query: registry.ChangeQuery) -> list[registry.Change]:
    events = models.Event.objects.filter(connection_id__in=connection_ids(teams=query.teams), type__in=KINDS,
                                         created_at__gte=query.start, created_at__lte=query.end)
    if not query.everything:
        ids = query.ids(KEY)
        if not ids:
            return []
        events = events.filter(app_id__in=ids)
    return [registry.Change(
        when=event.created_at, vendor="scalingo", kind=KINDS[event.type], text=sentence(event),
        url=reverse("scalingo:app-detail", args=[event.app_id]) + "?tab=events" if event.app_id else "",
        object_key=app_key(event.app_id) if event.app_id else "", object_label=event.app_name,
        connection_id=event.connection_id, connection=event.connection.name, team=event.connection.team.name,
        status=(event.type_data or {}).get("status", "") if event.type == "deployment" else "")
        for event in events.select_related("connection__team").order_by("-created_at", "-pk")[:query.limit]]


def subject(app: models.App) -> registry.Subject:
    return registry.Subject(
        key=app_key(app.pk), label=app.name, kind_label="Scalingo app", vendor="scalingo",
        connection_id=app.connection_id, connection=app.connection.name, team_id=app.connection.team_id,
        url=reverse("scalingo:app-detail", args=[app.pk]), link_kind=KEY, attrs={"name": app.name})


def app_subjects(teams, keys: frozenset[str], names: frozenset[str]) -> list[registry.Subject]:
    """The apps of `teams` named by key ("scalingo.app:42") or by name (one query)."""
    ids = registry.key_ids(keys, KEY)
    if not ids and not names:
        return []
    apps = models.App.objects.filter(connection_id__in=connection_ids(teams=teams)).select_related("connection")
    if ids and names:
        apps = apps.filter(pk__in=ids) | apps.filter(name__in=names)
    else:
        apps = apps.filter(pk__in=ids) if ids else apps.filter(name__in=names)
    return [subject(app) for app in apps.order_by("name", "pk")[:50]]


def incident_panels(request, incident) -> list[registry.Panel]:
    """Each app's stats over the incident's window, its changes drawn on them (read live, like its stats tab)."""
    apps = [s for s in incident.subjects if s.key.startswith(KEY + ":")]
    if not apps:
        return []
    return [registry.Panel(title=f"{s.label}: app stats", template="scalingo/incident_stats.html",
                           url=s.url + "?tab=stats", context={"subject": s, "app_id": int(s.key.split(":")[1])})
            for s in apps[:4]]


def app_chart_changes(*, app: models.App, start, end) -> dict:
    """The app's changes in [start, end] for its stats charts' markers (see vendors/core/changes.py)."""
    return core_changes.chart_changes(teams=[app.connection.team_id], subjects=[subject(app)], start=start, end=end)
