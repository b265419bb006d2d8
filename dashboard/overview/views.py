"""Cross-vendor pages: the overview, the merged timeline and the global search."""

from datetime import datetime

from django.contrib import messages
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dashboard.overview import services
from console.params import digits
from console.teams.models import Role
from console.teams.selectors import teams_for_user
from vendors.core import registry
from console.htmx import page_or_partial
from vendors.core.models import Health
from vendors.core.selectors import connection_health_for_user, connection_names_for_user

TIMELINE_PAGE_SIZE = 50
_SEVERITY = {Health.FAILING: 0, Health.DEGRADED: 1, Health.NEVER: 2, Health.OK: 3, Health.DISABLED: 4}


def home(request):
    teams = teams_for_user(user=request.user)
    connections = sorted(connection_health_for_user(user=request.user),
                         key=lambda c: (_SEVERITY[c.health], c.vendor, c.name))
    vendor_sections = []
    for spec in registry.vendors():
        count = sum(1 for c in connections if c.vendor == spec.name)
        if not count:
            continue
        # figures of connections never polled would read 0: say they are not known yet instead
        unpolled = sum(1 for c in connections if c.vendor == spec.name and c.last_success_at is None)
        vendor_sections.append({
            "spec": spec, "connections": count, "unpolled": unpolled, "waiting": unpolled == count,
            "items": spec.summary(teams) if spec.summary and unpolled < count else [],
            "panels": spec.panels(request, teams) if spec.panels else [],
        })
    attention = services.attention_items(user=request.user, teams=teams)
    health_counts = {}
    for connection in connections:
        health_counts[connection.health] = health_counts.get(connection.health, 0) + 1
    context = {
        "connections": connections,
        "health_counts": [(health, label, health_counts.get(health, 0)) for health, label in Health.choices],
        "attention": attention[:registry.ATTENTION_LIMIT],
        "attention_more": len(attention) > registry.ATTENTION_LIMIT,
        "vendor_sections": vendor_sections,
        "has_teams": teams.exists(),
        "can_add": teams_for_user(user=request.user, min_role=Role.ADMIN).exists(),
        "vendors": registry.vendors(),
        "now": timezone.now(),
    }
    return render(request, page_or_partial(request, "overview/home.html", "overview-live"), context)


def _aware(request, name: str) -> datetime | None:
    """The timeline's `since` or `before`, or None (said on the page) when it is no date and time."""
    value = request.GET.get(name)
    try:
        parsed = parse_datetime(value) if value else None
    except ValueError:  # the shape of a date, out of range: "2024-13-45T25:61"
        parsed = None
    if value and parsed is None:
        messages.warning(request, f"{name.capitalize()} is not a date and time (2024-05-01T12:00): ignored.")
    if parsed and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _count(value: str | None) -> int:
    return min(digits(value) or 0, 10_000)


def timeline(request):
    teams = teams_for_user(user=request.user)
    params = request.GET
    since = _aware(request, "since")
    if not since and params.get("range", "24h") in services.RANGES:
        since = timezone.now() - services.RANGES[params.get("range", "24h")]
    query = registry.TimelineQuery(
        teams=teams, vendor=params.get("vendor", ""), team=params.get("team", ""),
        connection=params.get("connection", ""), event_type=params.get("type", ""), since=since,
        before=_aware(request, "before"), skip=_count(params.get("skip")), limit=TIMELINE_PAGE_SIZE)
    page = services.timeline_page(query)
    base = params.copy()
    base.pop("before", None)
    base.pop("skip", None)
    context = {
        "page": page, "params": params, "base_query": base.urlencode(),
        "vendors": [(services.CONSOLE, "Console (audit)")] + [(s.name, s.label) for s in registry.vendors()
                                                             if s.timeline],
        "types": services.timeline_types(), "teams": teams,
        "connections": connection_names_for_user(user=request.user),
        "ranges": [("1h", "Last hour"), ("6h", "Last 6 hours"), ("24h", "Last 24 hours"), ("7d", "Last 7 days"),
                   ("30d", "Last 30 days"), ("all", "Everything")],
        "range": params.get("range", "24h"),
        "labels": {s.name: s.label for s in registry.vendors()} | {services.CONSOLE: "Console"},
    }
    return render(request, page_or_partial(request, "overview/timeline.html", "timeline-entries"), context)


def search(request):
    text = request.GET.get("q", "")
    teams = teams_for_user(user=request.user)
    context = {
        "q": text,
        "groups": services.search(user=request.user, teams=teams, text=text),
        "log_filter": text.strip(),
        "log_search_url": registry.log_link("search", text.strip(), teams, request.user)
        if services.looks_like_log_filter(text) else "",
    }
    return render(request, page_or_partial(request, "overview/search.html", "search-results"), context)
