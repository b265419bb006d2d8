"""Scalr's part in "what changed just before it broke": its farms' changes (the events each poll and
callback keep), the farms a key or a name points at, and a farm's running servers on the incident page."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse

from vendors.core import changes as core_changes
from vendors.core import registry
from vendors.scalr import models
from vendors.scalr.selectors import connection_ids

FARM, SERVER = "scalr.farm", "scalr.server"
#: Scalr event type -> kind of change; HostDown is a server gone (terminated, suspended or failed), BeforeHost*
#: and HostInit only announce what HostUp and HostDown then say
KINDS = {"FarmLaunched": "farm", "FarmTerminated": "farm", "HostUp": "server", "HostDown": "server",
         "RebootComplete": "restart", "HostInitFailed": "crash", "InstanceLaunchFailed": "crash"}
#: how a farm's running servers move with each event, read back from its count now
SERVER_STEPS = {"HostUp": 1, "HostDown": -1}
MAX_STEPS = 2000


def farm_key(farm_id: int) -> str:
    return f"{FARM}:{farm_id}"


def farm_changes(query: registry.ChangeQuery) -> list[registry.Change]:
    events = models.Event.objects.filter(connection_id__in=connection_ids(teams=query.teams), type__in=KINDS,
                                         timestamp__gte=query.start, timestamp__lte=query.end)
    if not query.everything:
        ids = query.ids(FARM)
        if not ids:
            return []
        events = events.filter(farm_id__in=ids)
    return [registry.Change(
        when=event.timestamp, vendor="scalr", kind=KINDS[event.type],
        text=f"{event.farm.name if event.farm else 'Scalr'}: {event.message or event.type}",
        url=reverse("scalr:farm-detail", args=[event.farm_id]) if event.farm_id else "",
        object_key=farm_key(event.farm_id) if event.farm_id else "",
        object_label=event.farm.name if event.farm else "", connection_id=event.connection_id,
        connection=event.connection.name, team=event.connection.team.name,
        status="failed" if KINDS[event.type] == "crash" else "")
        for event in events.select_related("farm", "connection__team").order_by("-timestamp", "-pk")[:query.limit]]


def subject(farm: models.Farm) -> registry.Subject:
    return registry.Subject(
        key=farm_key(farm.pk), label=farm.name, kind_label="Scalr farm", vendor="scalr",
        connection_id=farm.connection_id, connection=farm.connection.name, team_id=farm.connection.team_id,
        url=reverse("scalr:farm-detail", args=[farm.pk]), link_kind=FARM, attrs={"name": farm.name})


def farm_subjects(teams, keys: frozenset[str], names: frozenset[str]) -> list[registry.Subject]:
    """The farms of `teams` named by key or name; a server's key names its farm (a server's changes are its
    farm's events about it)."""
    farm_ids, server_ids = registry.key_ids(keys, FARM), registry.key_ids(keys, SERVER)
    if not farm_ids and not server_ids and not names:
        return []
    ids = connection_ids(teams=teams)
    if server_ids:
        farm_ids += list(models.Server.objects.filter(connection_id__in=ids, pk__in=server_ids)
                         .values_list("farm_id", flat=True))
    farms = models.Farm.objects.filter(connection_id__in=ids).select_related("connection")
    if farm_ids and names:
        farms = farms.filter(pk__in=farm_ids) | farms.filter(name__in=names)
    else:
        farms = farms.filter(pk__in=farm_ids) if farm_ids else farms.filter(name__in=names)
    return [subject(farm) for farm in farms.order_by("name", "pk")[:50]]


def running_servers(*, farm: models.Farm, start: datetime, end: datetime, now: datetime) -> dict:
    """The farm's running servers over [start, end] as a step series: its count now, walked back through
    its HostUp (+1) and HostDown (-1) events since `start` (no history is stored: the events are it)."""
    events = list(models.Event.objects.filter(farm=farm, type__in=SERVER_STEPS, timestamp__gte=start)
                  .order_by("-timestamp", "-pk").values_list("timestamp", "type")[:MAX_STEPS])
    count, points = farm.servers_running, []
    for when, kind in events:  # newest first: the count just before each event
        if when <= end:
            points.append((when, count))
        count -= SERVER_STEPS[kind]
    points.append((start, max(count, 0)))
    points.reverse()
    times = [core_changes.epoch(when) for when, _ in points] + [core_changes.epoch(min(end, now))]
    values = [max(value, 0) for _, value in points]
    return {"times": times, "values": values + values[-1:], "label": "running servers", "step": True,
            "window": [core_changes.epoch(start), core_changes.epoch(end)]}


def incident_panels(request, incident) -> list[registry.Panel]:
    """Each farm's running servers over the window, its changes drawn on them (from stored rows)."""
    from django.utils import timezone

    keys = [s.key for s in incident.subjects if s.key.startswith(FARM + ":")]
    if not keys:
        return []
    farms = {farm.pk: farm for farm in models.Farm.objects.filter(
        pk__in=registry.key_ids(keys, FARM), connection_id__in=connection_ids(teams=incident.teams))}
    panels = []
    for s in incident.subjects:
        farm = farms.get(registry.key_ids([s.key], FARM)[0]) if s.key in keys else None
        if farm is None:
            continue
        series = running_servers(farm=farm, start=incident.start, end=incident.end, now=timezone.now())
        series.update(core_changes.chart_changes(teams=incident.teams, subjects=[s], start=incident.start,
                                                 end=incident.end))
        panels.append(registry.Panel(title=f"{farm.name}: running servers", template="scalr/incident_servers.html",
                                     url=s.url, context={"series": series, "chart_id": f"scalr-servers-{farm.pk}",
                                                         "farm": farm}))
    return panels[:4]
