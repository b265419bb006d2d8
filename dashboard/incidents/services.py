"""The incident page's reads: its timeline of changes, ranked, each vendor's panels, and the suspects.

Everything loops over the vendor registry (never naming a vendor): changes and objects through
vendors/core/changes.py, panels and rises through each vendor's `incident_panels` and `signals` hooks.
The page itself reads only stored rows (a constant number of statements whatever the inventory);
what vendors must be asked (Scalyr's error rate, Scalingo's metrics) loads after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from dashboard.incidents import suspects as rules
from vendors.core import changes as core_changes
from vendors.core import registry
from vendors.core.incidents import Incident

#: the timeline reads at most this many changes of the window (the newest), and shows at most GROUP_LIMIT of
#: each group but the objects' own: the rest of a big team is a link to the timeline away
TIMELINE_LIMIT = 100
GROUP_LIMIT = 20


@dataclass(frozen=True)
class Group:
    title: str
    changes: list[registry.Change]
    more: int = 0  # not shown


def timeline(incident: Incident) -> list[Group]:
    """The window's changes of the teams concerned, newest first, ranked: the objects concerned, then the
    same connections, then the rest of the team (each group said, even empty, so "nothing" is news too)."""
    found = core_changes.changes_for(incident.query(everything=True, limit=TIMELINE_LIMIT))
    if incident.subjects:  # the objects' own, every one, however busy the rest of the team was
        found = sorted(set(found) | set(core_changes.changes_for(incident.query(limit=TIMELINE_LIMIT))),
                       key=lambda c: c.when)
    keys = incident.keys
    connections = {s.connection for s in incident.subjects}
    groups: list[list[registry.Change]] = [[], [], []]
    for change in reversed(found):
        rank = 0 if change.object_key in keys else 1 if change.connection in connections else 2
        groups[rank if incident.subjects else 2].append(change)
    labels = ", ".join(s.label for s in incident.subjects)
    teams = ", ".join(sorted({c.team for c in found if c.team})) or "your teams"
    if not incident.subjects:
        return [Group(f"Changes in {teams}", groups[2][:GROUP_LIMIT * 2], max(len(groups[2]) - GROUP_LIMIT * 2, 0))]
    return [Group(f"Changes of {labels}", groups[0]),
            Group(f"On the same connection{'s' if len(connections) > 1 else ''} ({', '.join(sorted(connections))})",
                  groups[1][:GROUP_LIMIT], max(len(groups[1]) - GROUP_LIMIT, 0)),
            Group(f"Elsewhere in {teams}", groups[2][:GROUP_LIMIT], max(len(groups[2]) - GROUP_LIMIT, 0))]


def panels(request, incident: Incident) -> list[registry.Panel]:
    found = []
    for spec in registry.vendors():
        if spec.incident_panels:
            found += spec.incident_panels(request, incident)
    return found


def params(incident: Incident) -> str:
    """The incident's query string, as its shareable URL has it (for the parts that load after the page)."""
    return core_changes.incident_url(at=incident.at, around=incident.around, before=incident.before,
                                     after=incident.after).partition("?")[2]


def timeline_url(incident: Incident) -> str:
    """Every event of the window (not only changes) on the timeline page."""
    return reverse("overview:timeline") + "?" + urlencode(
        {"since": core_changes.utc_text(incident.start), "before": core_changes.utc_text(incident.end), "range": "all"})


@dataclass(frozen=True)
class SuspectList:
    suspects: list[rules.Suspect]
    considered: int  # changes weighed
    measured: list[registry.Signal]  # what rises were looked for in
    unmeasured: list[registry.Signal]  # what could not be measured, with why


def suspect_list(incident: Incident) -> SuspectList:
    """The changes of the objects concerned (of the whole team when the incident names none), weighed against
    every rise the vendors can measure for those objects and their crashes."""
    changes = core_changes.changes_for(incident.query(everything=not incident.subjects, limit=TIMELINE_LIMIT))
    signals = []
    for spec in registry.vendors():
        if spec.signals and incident.subjects:
            signals += spec.signals(incident)
    measured = [s for s in signals if not s.error]
    return SuspectList(suspects=rules.suspects(changes, measured), considered=sum(not c.is_event for c in changes),
                       measured=measured, unmeasured=[s for s in signals if s.error])
