"""Cross-vendor reads: what needs attention, the merged timeline, the global search.

Each loops over the vendor registry (never naming a vendor) and over the console's own
rows (alerts, the audit log), so any subset of vendor apps works.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.urls import reverse

from console.audit.models import AuditEvent
from vendors.core import registry
from vendors.core.alerts.selectors import alerts_active, channels_failing
from vendors.core.selectors import connections_named_for_user

CONSOLE = "console"


def attention_items(*, user, teams) -> list:
    """What needs attention: the notification channels that keep failing (alerts may reach no one), then the
    teams' alerts that are not resolved (rows each poll keeps, vendors/core/alerts/: silenced ones last)."""
    items: list = [registry.AttentionItem(
        severity=1, vendor=CONSOLE, since=channel.last_success_at,
        title=f"Alert channel {channel.name} keeps failing",
        detail=f"{channel.consecutive_failures} attempts in a row failed: {channel.last_error}",
        url=reverse("alerts:channel-detail", args=[channel.pk])) for channel in channels_failing(teams=teams)]
    return items + list(alerts_active(teams=teams))


def _audit_timeline(query: registry.TimelineQuery) -> list[registry.TimelineEntry]:
    if query.vendor not in ("", CONSOLE) or query.connection or (query.event_type and query.event_type != "audit"):
        return []
    events = AuditEvent.objects.filter(team__in=query.teams).select_related("team")
    if query.team:
        events = events.filter(team__slug=query.team)
    entries = []
    for event in registry.timeline_window(events, query, when="created_at"):
        text = f"{event.actor_label}: {event.message}" if event.message else \
            f"{event.actor_label} {event.verb.replace('.', ' ')} {event.target_label}"
        entries.append(registry.TimelineEntry(
            when=event.created_at, vendor=CONSOLE, type="audit", text=f"{text} ({event.get_outcome_display().lower()})",
            url="", team=event.team.name if event.team else "",
            severity="danger" if event.outcome == "failure" else "info"))
    return entries


@dataclass(frozen=True)
class TimelinePage:
    entries: list[registry.TimelineEntry]
    next_before: datetime | None
    #: how many entries at exactly `next_before` this page and the previous ones showed
    next_skip: int = 0


def timeline_page(query: registry.TimelineQuery) -> TimelinePage:
    """Newest first across every source; (`next_before`, `next_skip`) continue after the last entry shown.

    Ties are ordered the same way on every page (by source, then newest row first: the merge is
    stable), so the entries a previous page showed at the cursor's time are skipped by count.
    """
    sources = _timeline_sources(query)
    merged = list(heapq.merge(*sources, key=lambda e: e.when, reverse=True))
    shown_at_cursor = sum(1 for e in merged[:query.skip] if e.when == query.before) if query.before else 0
    rest = merged[shown_at_cursor:]
    page = rest[:query.limit]
    more = len(rest) > query.limit or any(len(source) == query.fetch for source in sources)
    if not page or not more:
        return TimelinePage(page, None)
    last = page[-1].when
    at_last = sum(1 for e in page if e.when == last) + (shown_at_cursor if last == query.before else 0)
    return TimelinePage(page, last, at_last)


def _timeline_sources(query: registry.TimelineQuery) -> list[list[registry.TimelineEntry]]:
    """Each source's newest entries (the audit log, then every vendor's events), at most `query.fetch` each."""
    sources = [_audit_timeline(query)]
    for spec in registry.vendors():
        if spec.timeline and query.vendor in ("", spec.name):
            sources.append(spec.timeline(query))
    return sources


def timeline_merged(query: registry.TimelineQuery) -> list[registry.TimelineEntry]:
    """The newest `query.fetch` entries across every source, newest first (the API's timeline)."""
    return list(heapq.merge(*_timeline_sources(query), key=lambda e: e.when, reverse=True))[:query.fetch]


def timeline_types() -> list[tuple[str, list[str]]]:
    types = [(CONSOLE, ["audit"])]
    types += [(spec.name, list(spec.timeline_types)) for spec in registry.vendors() if spec.timeline]
    return types


RANGES = {"1h": timedelta(hours=1), "6h": timedelta(hours=6), "24h": timedelta(hours=24), "7d": timedelta(days=7),
          "30d": timedelta(days=30)}


# -- global search -------------------------------------------------------------------------
_FILTER_LIKE = re.compile(r"(==|!=|<=|>=|[<>]|\bcontains\b|\bmatches\b|^\$|'|\"|\bAND\b|\bOR\b|&&|\|\|)")


def looks_like_log_filter(text: str) -> bool:
    return bool(_FILTER_LIKE.search(text))


def search(*, user, teams, text: str, per_kind: int = 6) -> list[tuple[str, list[registry.SearchResult]]]:
    text = text.strip()
    if len(text) < 2:
        return []
    groups: dict[str, list[registry.SearchResult]] = {}
    connections = connections_named_for_user(user=user, text=text, limit=per_kind)
    if connections:
        groups["Connections"] = [registry.SearchResult(
            kind="Connections", title=c.name, subtitle=f"{registry.get(c.vendor).label} · {c.team} · {c.health}",
            url=reverse("core:connection-detail", args=[c.vendor, c.pk])) for c in connections]
    for spec in registry.vendors():
        if spec.search:
            for result in spec.search(teams, text, per_kind):
                groups.setdefault(result.kind, []).append(result)
    return list(groups.items())
