"""The vendor registry: how the core, the navigation and the overview find vendors.

A vendor app registers one `VendorSpec` in its AppConfig.ready(). Nothing outside a
vendor's own folder imports it by name: adding a vendor means adding a folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from console.params import digits

if TYPE_CHECKING:
    from vendors.core.models import Connection


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str


@dataclass(frozen=True)
class SummaryItem:
    """One figure on the overview, e.g. ("Apps running", 12, "ok", url)."""

    label: str
    value: int | str
    state: str = "ok"  # ok | warning | danger | muted
    url: str = ""


#: the overview shows this many attention items; each vendor hook returns at most as many per kind
ATTENTION_LIMIT = 10


@dataclass(frozen=True)
class AttentionItem:
    """Something wrong the overview lists first: severity 0 (critical) to 2 (notice), then recency.

    After each poll the core turns a connection's items into alert rows (vendors/core/alerts/): `key` is
    the condition's stable identity, its kind and object ("scalingo.app.crashed:42"), so the same
    condition seen at the next poll is the same alert (an item without a key never becomes one), and
    `connection_id` the connection it was seen through."""

    severity: int
    title: str
    detail: str
    url: str
    vendor: str
    since: datetime | None = None
    key: str = ""
    connection_id: int | None = None


@dataclass(frozen=True)
class TimelineQuery:
    teams: Any  # queryset of Team
    vendor: str = ""
    team: str = ""  # slug
    connection: str = ""  # connection name
    event_type: str = ""
    since: datetime | None = None
    #: page cursor: entries at `before` or older, less the first `skip` of those at exactly `before`
    #: (a previous page showed them), so entries sharing a timestamp are never skipped nor repeated
    before: datetime | None = None
    skip: int = 0
    limit: int = 50

    @property
    def fetch(self) -> int:
        """How many entries each source reads: a page, and what the cursor skips."""
        return self.limit + self.skip


def timeline_filter(events, query: "TimelineQuery", *, when: str):
    """Apply a timeline query's filters to a vendor's events queryset, newest first, one page.

    `events` must have a `connection` foreign key and a `type` field; `when` names its time field.
    """
    if query.team:
        events = events.filter(connection__team__slug=query.team)
    if query.connection:
        events = events.filter(connection__name=query.connection)
    if query.event_type:
        events = events.filter(type=query.event_type)
    return timeline_window(events, query, when=when)


def timeline_window(events, query: "TimelineQuery", *, when: str):
    """The rows of `events` (any source: a vendor's events, the audit log) in the query's time range
    and page, newest first: at the cursor's time or older, and enough to skip what it skips."""
    if query.since:
        events = events.filter(**{f"{when}__gte": query.since})
    if query.before:
        events = events.filter(**{f"{when}__lte": query.before})
    return events.exclude(**{when: None}).order_by(f"-{when}", "-pk")[:query.fetch]


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    vendor: str  # a registry name, or "console" for the audit log
    type: str
    text: str
    url: str = ""
    connection: str = ""
    team: str = ""
    severity: str = "info"  # info | warning | danger


#: what a chart's change markers and the incident page show, in the order their toggles list them
CHANGE_KINDS = (("deploy", "Deployments"), ("scale", "Scales"), ("restart", "Restarts"), ("crash", "Crashes"),
                ("farm", "Farm launches and terminations"), ("server", "Server launches and terminations"),
                ("config", "Configuration changes"))
#: kinds that are something happening to an object rather than a change someone made (never a suspect)
EVENT_KINDS = frozenset({"crash"})


@dataclass(frozen=True)
class Subject:
    """An object changes and incidents are about: a Scalingo app, a Scalr farm, a saved Scalyr chart.

    `key` is "<app label>.<model>:<pk>" ("scalingo.app:42"), as audit entries name their target. `link_kind`
    and `attrs` are what a log link of it reads (`app == '{app.name}'`); `related` the keys of the objects
    whose changes are its own too (a chart's apps and farms)."""

    key: str
    label: str
    kind_label: str
    vendor: str
    connection_id: int
    connection: str
    team_id: int
    url: str = ""
    link_kind: str = ""
    attrs: dict = field(default_factory=dict, compare=False)
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChangeQuery:
    teams: Any  # queryset (or ids) of Team
    start: datetime
    end: datetime
    #: only the changes of these objects (Subject keys) ...
    objects: frozenset[str] = frozenset()
    #: ... or every change of `teams` in the window, whatever its object
    everything: bool = False
    limit: int = 200

    def ids(self, prefix: str) -> list[int]:
        """The primary keys of the objects named "<prefix>:<pk>"."""
        return key_ids(self.objects, prefix)


def key_ids(keys, prefix: str) -> list[int]:
    """The primary keys of the object keys "<prefix>:<pk>" among `keys` (a pk no bigint holds names nothing)."""
    found = {digits(pk) for kind, _, pk in (key.partition(":") for key in keys) if kind == prefix}
    return sorted(pk for pk in found if pk is not None)


@dataclass(frozen=True)
class Change:
    """One change of an object, drawn on its charts and listed on the incident page."""

    when: datetime
    vendor: str  # a registry name, or "console" for an action or a setting changed through the console
    kind: str  # one of CHANGE_KINDS
    text: str  # "ops scaled web 2×M → 4×M"
    url: str = ""
    object_key: str = ""
    object_label: str = ""
    connection_id: int | None = None
    connection: str = ""
    team: str = ""
    status: str = ""  # a deployment's or an action's outcome, in the vendor's words

    @property
    def is_event(self) -> bool:
        return self.kind in EVENT_KINDS


@dataclass(frozen=True)
class Signal:
    """How much trouble some objects were in over an incident's window (errors per second...), bucketed."""

    objects: frozenset[str]  # the Subject keys it measures
    label: str  # "error rate of shop-api"
    unit: str  # "/s"
    start: datetime
    step_seconds: float
    values: tuple[float, ...]
    url: str = ""
    #: why it could not be measured (the vendor's words); its values are then empty
    error: str = ""


@dataclass(frozen=True)
class SearchResult:
    kind: str  # e.g. "Scalingo apps"; results are grouped by it
    title: str
    subtitle: str
    url: str


@dataclass(frozen=True)
class Panel:
    """A block on the overview rendered from the vendor's own template."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    url: str = ""


@dataclass(frozen=True)
class DemoSetup:
    """How the demo starts this vendor's simulator and connects to it."""

    simulator: str  # dotted path of the Simulator subclass
    port: int
    connections: Callable[[str], list[dict[str, Any]]]  # base URL -> provisioning entries (secrets inline)


@dataclass(frozen=True)
class VendorSpec:
    name: str
    label: str
    connection_model: type[Connection]
    form_class: type
    #: secret name -> label shown in forms; `required_secrets` must be set on creation
    secret_fields: dict[str, str]
    required_secrets: frozenset[str]
    #: fetch the vendor's inventory and write it; raise a VendorError on failure.
    #: May return notes for humans (list of sentences) kept on the connection.
    poll: Callable[[Connection], list[str] | None]
    #: one cheap authenticated call; returns a sentence describing what was reached
    check: Callable[[Connection], str]
    nav: tuple[NavEntry, ...] = ()
    #: teams queryset -> figures for the overview
    summary: Callable[[Any], list[SummaryItem]] | None = None
    #: (kind, obj, team, user) -> URL of this vendor's log view filtered for obj, or None when
    #: there is none or `user` (when given) may not open it.
    #: kinds: "scalingo.app", "scalr.farm", "scalr.server" (the object is the model row), and
    #: "search" (obj is a log filter typed in the global search, team the user's teams queryset)
    log_link: Callable[[str, Any, Any, Any], str | None] | None = None
    #: (request, teams) -> panels for the overview (pinned tiles, charts...)
    panels: Callable[[Any, Any], list[Panel]] | None = None
    #: (teams, connection=None) -> what is wrong right now (crashed apps, failed deployments, stuck
    #: servers...): at most ATTENTION_LIMIT per kind across `teams`; with `connection`, every condition of
    #: that one connection (the alert evaluation after its poll reads them all)
    attention: Callable[..., list[AttentionItem]] | None = None
    #: TimelineQuery -> newest-first entries (at most query.fetch; `timeline_filter` applies the query),
    #: and the event types it knows
    timeline: Callable[[TimelineQuery], list[TimelineEntry]] | None = None
    timeline_types: tuple[str, ...] = ()
    #: ChangeQuery -> the changes this vendor stored of those objects in that window (oldest first)
    changes: Callable[[ChangeQuery], list[Change]] | None = None
    #: (teams, keys, names) -> the objects named by key ("scalingo.app:42") or by name that `teams` see
    subjects: Callable[[Any, frozenset[str], frozenset[str]], list[Subject]] | None = None
    #: the key prefixes `subjects` resolves ("scalingo.app"), so a link names only objects that can be found
    subject_kinds: tuple[str, ...] = ()
    #: (request, incident) -> panels of the incident page (an app's stats, a farm's servers, the error rate)
    incident_panels: Callable[[Any, Any], list[Panel]] | None = None
    #: incident -> rises this vendor can measure for the incident's objects (error rates...); may call out
    signals: Callable[[Any], list[Signal]] | None = None
    #: (teams, text, limit) -> matches for the global search
    search: Callable[[Any, str, int], list[SearchResult]] | None = None
    #: connection -> (label, URL) of the vendor's own page about this connection, if it has one
    connection_page: Callable[[Any], tuple[str, str]] | None = None
    #: connection -> panels the connection's page shows below its health (Scalyr: sending the console's events)
    connection_panels: Callable[[Any], list[Panel]] | None = None
    #: called by every scheduler tick (beat): background work of the vendor's own that must resume by
    #: itself, e.g. a backlog queued while the vendor was down; quick, and queues tasks by name
    tick: Callable[[], Any] | None = None
    #: static files (.css, .js) every page loads, so parts of this vendor shown anywhere (overview
    #: panels refreshed by htmx included) find their styles and scripts
    assets: tuple[str, ...] = ()
    #: dotted path of the vendor's URLconf, mounted under /<name>/
    urls: str | None = None
    #: dotted path of the vendor's API URLconf (its `urlpatterns`), mounted under /api/v1/<name>/
    api_urls: str | None = None
    demo: DemoSetup | None = None
    description: str = ""
    #: what the overview says this vendor shows, e.g. "farms and servers"
    shows: str = ""


_registry: dict[str, VendorSpec] = {}


def register(spec: VendorSpec) -> None:
    existing = _registry.get(spec.name)
    if existing is not None and existing.connection_model is not spec.connection_model:
        raise ValueError(f"vendor {spec.name!r} is already registered")
    spec.connection_model.vendor = spec.name  # the one place a connection model learns its vendor
    _registry[spec.name] = spec


def vendors() -> list[VendorSpec]:
    return sorted(_registry.values(), key=lambda spec: spec.label)


def get(name: str) -> VendorSpec:
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"unknown vendor {name!r}; known: {', '.join(sorted(_registry)) or 'none'}") from None


def find(name: str) -> VendorSpec | None:
    return _registry.get(name)


def assets() -> list[str]:
    """Every vendor's static files, each once, in registry order."""
    return list(dict.fromkeys(path for spec in vendors() for path in spec.assets))


def log_link(kind: str, obj, team, user=None) -> str:
    """The first log view any vendor offers for `obj` (e.g. Scalyr's explorer) that `user` may
    open (any, when no user is given), or ""."""
    for spec in vendors():
        if spec.log_link:
            url = spec.log_link(kind, obj, team, user)
            if url:
                return url
    return ""
