"""Which changes a Scalyr chart draws: those of the apps and farms its filter names (`app == 'shop-api'`,
`$serverHost contains 'db-prod'`) or its `related` list names (a saved chart's, editable), resolved by name
through every vendor's `subjects` hook (vendors/core/changes.py). A saved chart is itself an object an
incident can be about ("scalyr.chart:5", as its alert names it): its apps and farms are its related objects.
"""

from __future__ import annotations

import re

from django.urls import reverse

from console.moments import moment_text

from vendors.core import changes as core_changes
from vendors.core import registry
from vendors.scalyr.filter_language import quoted_strings
from vendors.scalyr.models import SavedQuery
from vendors.scalyr.state import ChartState, QueryState

CHART = "scalyr.chart"
#: a change's status that says it went wrong: its marker is dashed (static/js/changes.js says the same)
FAILED = re.compile(r"fail|error|crash|abort|timeout", re.IGNORECASE)


def chart_key(saved_id: int) -> str:
    return f"{CHART}:{saved_id}"


def named(state: QueryState) -> frozenset[str]:
    """The names a chart's changes are of: its filter's quoted values and its related list."""
    return frozenset(name for name in (*quoted_strings(state.filter), *state.related) if name.strip())


def _of(subjects: list[registry.Subject], names: frozenset[str], team_id: int) -> list[registry.Subject]:
    return [s for s in subjects if s.label in names and s.team_id == team_id and not s.key.startswith(CHART)]


def subjects_of(*, team_id: int, state: QueryState) -> list[registry.Subject]:
    names = named(state)
    return _of(core_changes.subjects_for(teams=[team_id], names=names), names, team_id) if names else []


def chart_markers(*, connection, state: QueryState, start, end, saved: SavedQuery | None = None) -> dict:
    """The live chart's markers (see vendors/core/changes.py `chart_changes`); a point of a saved chart
    is investigated around the chart itself (its alert's object)."""
    subjects = subjects_of(team_id=connection.team_id, state=state)
    data = core_changes.chart_changes(teams=[connection.team_id], subjects=subjects, start=start, end=end)
    if saved is not None:
        data["investigate"] = core_changes.incident_url(around=[chart_key(saved.pk)])
    return data


def tiles_with_changes(tiles: list[dict]) -> list[dict]:
    """Stored charts' tiles (selectors.tile) with the changes of their apps and farms over their window:
    the same few queries for one tile or fifty (one name lookup, one read of changes for all)."""
    if not tiles:
        return tiles
    states = {t["chart"].pk: ChartState.from_params(t["chart"].state) for t in tiles}
    names = frozenset().union(*(named(state) for state in states.values()))
    teams = sorted({t["chart"].connection.team_id for t in tiles})
    subjects = core_changes.subjects_for(teams=teams, names=names) if names else []
    windows = [(t["series"]["times"][0], t["series"]["times"][-1] + _step(t["series"]["times"]))
               for t in tiles if t["series"].get("times") and t["chart"].window_start_ms]
    found = []
    if subjects and windows:
        start, end = (core_changes.from_epoch(min(w[0] for w in windows)),
                      core_changes.from_epoch(max(w[1] for w in windows)))
        keys = frozenset(k for s in subjects for k in (s.key, *s.related))
        found = core_changes.changes_for(registry.ChangeQuery(teams=teams, start=start, end=end, objects=keys))
    for t in tiles:
        chart = t["chart"]
        mine = _of(subjects, named(states[chart.pk]), chart.connection.team_id)
        keys = {s.key for s in mine}
        times = t["series"].get("times") or [0]
        low, high = times[0], times[-1] + _step(times)
        t["series"].update(
            changes=core_changes.markers([c for c in found if c.object_key in keys
                                          and low <= core_changes.epoch(c.when) <= high]),
            concerns=[f"{s.label} ({s.kind_label})" for s in mine],
            investigate=core_changes.incident_url(around=[chart_key(chart.pk)]))
        t["concerns"] = t["series"]["concerns"]
    return tiles


def _step(times: list[float]) -> float:
    return times[1] - times[0] if len(times) > 1 else 0


def chart_subjects(teams, keys: frozenset[str], names: frozenset[str]) -> list[registry.Subject]:
    """Saved charts named by key ("scalyr.chart:5"), each relating to the apps and farms it names."""
    ids = registry.key_ids(keys, CHART)
    if not ids:
        return []
    charts = list(SavedQuery.objects.filter(pk__in=ids, kind=SavedQuery.Kind.CHART, connection__team__in=teams)
                  .select_related("connection"))
    states = {chart.pk: ChartState.from_params(chart.state) for chart in charts}
    wanted = frozenset().union(*(named(state) for state in states.values())) if charts else frozenset()
    team_ids = sorted({chart.connection.team_id for chart in charts})
    related = core_changes.subjects_for(teams=team_ids, names=wanted) if wanted else []
    return [registry.Subject(
        key=chart_key(chart.pk), label=chart.name, kind_label="Scalyr chart", vendor="scalyr",
        connection_id=chart.connection_id, connection=chart.connection.name, team_id=chart.connection.team_id,
        url=reverse("scalyr:saved-detail", args=[chart.pk]), attrs={"filter": states[chart.pk].filter},
        related=tuple(s.key for s in _of(related, named(states[chart.pk]), chart.connection.team_id)))
        for chart in charts]


def histogram_marks(*, connection, state: QueryState, start, end) -> dict:
    """The explorer histogram's marks (an SVG 100 wide, drawn by the server): each change's place and words."""
    data = chart_markers(connection=connection, state=state, start=start, end=end)
    first, span = start.timestamp(), (end - start).total_seconds() or 1
    data["marks"] = [{**m, "x": round((m["t"] - first) / span * 100, 3), "failed": FAILED.search(m["status"] or ""),
                      "label": f"{m['text'].rstrip('.')}, {moment_text(core_changes.from_epoch(m['t']))}"}
                     for m in data["changes"]]
    return data
