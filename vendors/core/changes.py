"""Changes of objects across vendors: the markers on every chart and the incident page's timeline.

Each vendor's `changes` hook reads the rows it already stores (Scalingo's events, Scalr's events); the
console's own part is read here: the actions people ran through it (ActionRun: scale, restart, launch,
a variable set...) and the connections' settings they changed (the audit log). A vendor that records
the console's action as well (Scalingo's `scale` event a minute after the console's scale) is the same
change told twice: the console's entry is kept, it says who in the console did it.

Objects are named by key, "<app label>.<model>:<pk>" ("scalingo.app:42"), as audit entries name their
target; each vendor's `subjects` hook resolves the keys (and the names a log filter mentions) that a
team may see. Nothing here names a vendor.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone as dt_timezone
from functools import reduce
from operator import or_
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from console.audit.models import AuditEvent
from vendors.core import registry
from vendors.core.models import ActionRun

CONSOLE = "console"
#: a vendor's record of a change the console made is the same change when it comes this soon after it
SAME_CHANGE_WITHIN = timedelta(minutes=5)
#: the connection settings people change through the console (the vendor actions come from ActionRun)
SETTING_VERBS = ("connection.update", "connection.enable", "connection.disable")
#: each kind's symbol (static/js/changes.js draws the same), so a marker is told by more than its colour
SYMBOLS = {"deploy": "▲", "scale": "⇅", "restart": "↻", "crash": "✖", "farm": "■", "server": "●", "config": "⚙"}
KIND_NAMES = {"deploy": "Deployment", "scale": "Scale", "restart": "Restart", "crash": "Crash", "farm": "Farm",
              "server": "Server", "config": "Configuration"}
#: the incident page's default window around its moment, in minutes
BEFORE, AFTER = 30, 10


def subjects_for(*, teams, keys=(), names=()) -> list[registry.Subject]:
    """The objects named by key or by name that `teams` see, each once, in the order of `keys`."""
    keys, names = frozenset(k for k in keys if k), frozenset(n for n in names if n)
    if not keys and not names:
        return []
    found: dict[str, registry.Subject] = {}
    for spec in registry.vendors():
        if spec.subjects:
            for subject in spec.subjects(teams, keys, names):
                found.setdefault(subject.key, subject)
    return sorted(found.values(), key=lambda s: (s.key not in keys, s.kind_label, s.label))


def known_kind(key: str) -> bool:
    """Whether some vendor resolves keys of this kind ("scalingo.app:…"): a link names only those."""
    prefix = key.split(":", 1)[0]
    return any(prefix in spec.subject_kinds for spec in registry.vendors())


def changes_for(query: registry.ChangeQuery) -> list[registry.Change]:
    """The changes of the query's objects (or of all `teams`) in its window, oldest first, at most `limit`
    (the newest): every vendor's and the console's, a change the console made told once."""
    if not query.everything and not query.objects:
        return []
    found = console_changes(query)
    for spec in registry.vendors():
        if spec.changes:
            found += spec.changes(query)
    return sorted(_told_once(found), key=lambda c: c.when)[-query.limit:]


def _told_once(changes: list[registry.Change]) -> list[registry.Change]:
    ours = [c for c in changes if c.vendor == CONSOLE]

    def told_by_console(change: registry.Change) -> bool:
        return change.vendor != CONSOLE and any(
            c.object_key == change.object_key and c.kind == change.kind
            and timedelta(0) <= change.when - c.when <= SAME_CHANGE_WITHIN for c in ours)

    return [c for c in changes if not told_by_console(c)]


def _verb_kind(verb: str) -> str:
    """A console action's kind of change, from its verb ("scalingo.app.scale" is a scale)."""
    parts = verb.split(".")
    thing, action = (parts[-2], parts[-1]) if len(parts) >= 2 else ("", verb)
    if "scale" in action:
        return "scale"
    if action in ("restart", "reboot"):
        return "restart"
    if "deploy" in action:
        return "deploy"
    if thing == "farm" and action in ("launch", "terminate"):
        return "farm"
    if thing == "server" and action in ("launch", "terminate", "suspend", "resume"):
        return "server"
    return "config"


def _targets(query: registry.ChangeQuery, prefix: str = "") -> Q | None:
    """The audit entries naming one of the query's objects (target type and id)."""
    pairs = [key.split(":", 1) for key in query.objects if ":" in key]
    if not pairs:
        return None
    return reduce(or_, (Q(**{f"{prefix}target_type": kind, f"{prefix}target_id": pk}) for kind, pk in pairs))


def console_changes(query: registry.ChangeQuery) -> list[registry.Change]:
    """Actions run through the console, and connection settings changed in it, in the window (two queries)."""
    actions = ActionRun.objects.filter(team__in=query.teams, created_at__gte=query.start,
                                       created_at__lte=query.end).select_related("audit", "team")
    settings = AuditEvent.objects.filter(team__in=query.teams, verb__in=SETTING_VERBS, created_at__gte=query.start,
                                         created_at__lte=query.end).select_related("team")
    if not query.everything:
        targets = _targets(query, "audit__")
        if targets is None:
            return []
        actions, settings = actions.filter(targets), settings.filter(_targets(query))
    found = []
    for action in actions.order_by("-created_at")[:query.limit]:
        audit = action.audit
        who = audit.actor_label if audit else "someone"
        found.append(registry.Change(
            when=action.created_at, vendor=CONSOLE, kind=_verb_kind(action.verb),
            text=f"{who}: {action.summary}" + ("" if action.status == "succeeded" else f" ({action.status})"),
            url=action.target_url, object_key=f"{audit.target_type}:{audit.target_id}" if audit else "",
            object_label=action.target_label, connection_id=action.connection_id,
            connection=(audit.detail or {}).get("connection", "") if audit else "", team=action.team.name,
            status=action.status))
    for event in settings.order_by("-created_at")[:query.limit]:
        found.append(registry.Change(
            when=event.created_at, vendor=CONSOLE, kind="config",
            text=f"{event.actor_label} {event.verb.split('.')[-1]}d the connection {event.target_label}"
                 + (f": {event.message}" if event.message else ""),
            object_key=f"{event.target_type}:{event.target_id}", object_label=event.target_label,
            connection_id=int(event.target_id) if event.target_id.isdigit() else None,
            connection=event.target_label, team=event.team.name if event.team else "", status=event.outcome))
    return found


# -- what charts and links carry -----------------------------------------------------------------
def epoch(when: datetime) -> float:
    return round(when.timestamp(), 3)


def from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=dt_timezone.utc)


def markers(changes: list[registry.Change]) -> list[dict]:
    """Changes as static/js/changes.js draws them on a chart's time axis."""
    return [{"t": epoch(c.when), "kind": c.kind, "text": c.text, "url": c.url, "status": c.status,
             "object": c.object_label, "vendor": c.vendor} for c in changes]


def chart_changes(*, teams, subjects: list[registry.Subject], start: datetime, end: datetime) -> dict:
    """What a chart of `subjects` carries for its markers: their changes in [start, end], which objects
    they are (the chart says so), and the incident page's link for a point of the chart."""
    keys = [k for s in subjects for k in (s.key, *s.related)]
    changes = changes_for(registry.ChangeQuery(teams=teams, start=start, end=end, objects=frozenset(keys)))
    return {"changes": markers(changes), "concerns": [f"{s.label} ({s.kind_label})" for s in subjects],
            "investigate": incident_url(around=[s.key for s in subjects])}


def utc_text(when: datetime) -> str:
    """A moment for a URL: UTC, to the second, "2026-12-07T14:02:00Z" (no "+" to escape)."""
    return when.astimezone(dt_timezone.utc).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def incident_url(*, at: datetime | None = None, around=(), before: int | None = None,
                 after: int | None = None) -> str:
    """The incident page for `at` (none: the page's JavaScript adds a chart point's time) around these
    object keys, or "" where the console has no incident page (a vendor app's tests alone)."""
    try:
        base = reverse("incidents:page")
    except NoReverseMatch:
        return ""
    params = {}
    if at is not None:
        params["at"] = utc_text(at)
    keys = [key for key in around if key and known_kind(key)]
    if keys:
        params["around"] = ",".join(dict.fromkeys(keys))
    if before is not None:
        params["before"] = before
    if after is not None:
        params["after"] = after
    return f"{base}?{urlencode(params)}" if params else base


def alert_object_key(key: str) -> str:
    """The object an alert's condition is about: "scalingo.app.crashed:42" -> "scalingo.app:42"; "" for a
    condition of a connection ("connection.health")."""
    kind, _, pk = key.partition(":")
    parts = kind.split(".")
    return f"{parts[0]}.{parts[1]}:{pk}" if pk and len(parts) >= 3 else ""
