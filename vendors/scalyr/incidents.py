"""Scalyr on the incident page: the error rate of the incident's apps and hosts over its window, its top
messages, and the rises the suspects list weighs (vendors/core/incidents.py names the incident).

An object's log lines are those its log link reads (`app == '{app.name}'`, `$serverHost contains
'{farm.name}'`: the connection's templates, see links.py); its errors are those lines with a 5xx status
or an error severity (ERROR_FILTER). A saved chart's rise is that of its own filter. Queries go to
Scalyr from the web process, briefly cached (the panel and the suspects ask the same question), and
only for people who may query the team's logs.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import SimpleNamespace

from django.core.cache import cache
from django.urls import reverse

from vendors.core import changes as core_changes
from vendors.core import registry
from vendors.core.errors import VendorError
from vendors.scalyr import links, selectors
from vendors.scalyr.changes import CHART
from vendors.scalyr.client import READ_LOGS, client_for, token_kinds
from vendors.scalyr.filter_language import and_term, any_of, all_of, equals
from vendors.scalyr.state import ExplorerState, to_ms

#: what counts as an error in the logs: an HTTP 5xx, or a line of severity ERROR (5) or FATAL (6)
ERROR_FILTER = "status >= 500 || severity >= 5"
CACHE_SECONDS = 60
MAX_SIGNALS = 6
TOP_MESSAGES = 10


@dataclass(frozen=True)
class Question:
    """One series to ask Scalyr for: errors of some objects, on one connection."""

    connection: object
    filter: str
    label: str
    objects: frozenset[str]


def buckets_for(incident) -> tuple[int, float]:
    """Buckets of a minute (more for long windows: at most 120), and their length in seconds."""
    seconds = (incident.end - incident.start).total_seconds()
    count = max(1, min(120, round(seconds / 60)))
    return count, seconds / count


def _connections(incident) -> dict[int, object]:
    """The first enabled connection with a Read Logs token of each team concerned that the user may query."""
    found = {}
    for connection in selectors.enabled_connections(teams=incident.teams, user=incident.user):
        if READ_LOGS in token_kinds(connection):
            found.setdefault(connection.team_id, connection)
    return found


def _object_filter(connection, subject: registry.Subject) -> str | None:
    if subject.key.startswith(CHART + ":"):
        return subject.attrs.get("filter") or None
    if subject.link_kind not in links.KINDS:
        return None
    setting, _, default, _ = links.KINDS[subject.link_kind]
    template = connection.settings.get(setting, default)
    try:
        return links.build_filter(template, subject.link_kind, SimpleNamespace(**subject.attrs)) if template else None
    except links.TemplateError:
        return None


def questions(incident, connections=None) -> list[Question]:
    """Per object of the incident, the errors of its log lines (a chart: its own filter)."""
    connections = _connections(incident) if connections is None else connections
    asked = []
    for subject in incident.subjects:
        connection = connections.get(subject.team_id)
        text = _object_filter(connection, subject) if connection else None
        if not text:
            continue
        chart = subject.key.startswith(CHART + ":")
        asked.append(Question(connection=connection, filter=text if chart else all_of(text, ERROR_FILTER),
                              label=subject.label if chart else f"error rate of {subject.label}",
                              objects=frozenset((subject.key, *subject.related))))
    return asked[:MAX_SIGNALS]


def _counts(connection, text: str, incident) -> list[float]:
    """Matching events per bucket of the window (numericQuery count), cached briefly."""
    count, _ = buckets_for(incident)
    start, end = to_ms(incident.start), to_ms(incident.end)
    key = f"scalyr:incident:{connection.pk}:{connection.updated_at.timestamp()}:{start}:{end}:{count}:" \
          + hashlib.sha256(text.encode()).hexdigest()[:16]
    values = cache.get(key)
    if values is None:
        result = client_for(connection).numeric_query(text, start=start, end=end, function="count", buckets=count)
        values = [float(v or 0) for v in result.values]
        cache.set(key, values, CACHE_SECONDS)
    return values


def signals(incident) -> list[registry.Signal]:
    """The error rate (per second) of each of the incident's objects Scalyr has lines of, asked in parallel."""
    asked = questions(incident)
    if not asked:
        return []
    _, step = buckets_for(incident)

    def one(question: Question) -> registry.Signal:
        explorer = reverse("scalyr:explorer", args=[question.connection.pk]) + "?" + ExplorerState(
            filter=question.filter, start=incident.start, end=incident.end).query()
        try:
            counts = _counts(question.connection, question.filter, incident)
        except VendorError as exc:
            return registry.Signal(objects=question.objects, label=question.label, unit="/s", start=incident.start,
                                   step_seconds=step, values=(), url=explorer, error=str(exc))
        return registry.Signal(objects=question.objects, label=question.label, unit="/s", start=incident.start,
                               step_seconds=step, values=tuple(c / step for c in counts), url=explorer)

    with ThreadPoolExecutor(max_workers=min(len(asked), 4)) as pool:
        return list(pool.map(one, asked))


def errors_overview(incident) -> dict:
    """The incident panel's content: errors per second of all its objects together (or of the whole connection
    when it names none Scalyr can read), its changes drawn on them, and the window's top error messages."""
    connections = _connections(incident)
    if not connections:
        return {"reason": selectors.QUERY_DENIED if incident.subjects else "No Scalyr connection to ask."}
    asked = questions(incident, connections)
    connection = asked[0].connection if asked else next(iter(connections.values()))
    mine = [q.filter for q in asked if q.connection.pk == connection.pk]
    text = any_of(*mine) if mine else ERROR_FILTER
    count, step = buckets_for(incident)
    base = reverse("scalyr:explorer", args=[connection.pk])
    context = {"connection": connection, "filter": text, "per_second": step,
               "explorer_url": f"{base}?{ExplorerState(filter=text, start=incident.start, end=incident.end).query()}"}
    try:
        counts = _counts(connection, text, incident)
        top = client_for(connection).facet_query("message", text, start=to_ms(incident.start),
                                                 end=to_ms(incident.end), max_count=TOP_MESSAGES)
    except VendorError as exc:
        return {**context, "error": str(exc)}
    start = core_changes.epoch(incident.start)
    changes = core_changes.changes_for(incident.query())
    context["series"] = {
        "times": [round(start + i * step, 3) for i in range(len(counts))], "values": [c / step for c in counts],
        "label": "errors/s", "changes": core_changes.markers(changes), "investigate": incident.url(at=None),
        "concerns": [f"{s.label} ({s.kind_label})" for s in incident.subjects]}
    context["messages"] = [
        (value.value, value.count, f"{base}?" + ExplorerState(filter=and_term(text, equals("message", value.value)),
                                                              start=incident.start, end=incident.end).query())
        for value in top.values]
    context["total"] = int(sum(counts))
    return context


def incident_panels(request, incident) -> list[registry.Panel]:
    """One panel, filled by its own request (scalyr:incident-errors): Scalyr answers after the page."""
    if not selectors.enabled_connections(teams=incident.teams, user=incident.user).exists():
        return []
    return [registry.Panel(title="Errors in the logs", template="scalyr/incident_errors.html",
                           url=reverse("scalyr:home"))]
