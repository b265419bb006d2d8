"""The home page: every connection's health, and each registered vendor's figures."""

from django.shortcuts import render

from dashboard.teams.models import Role
from dashboard.teams.selectors import teams_for_user
from vendors.core import registry
from vendors.core.models import Health
from vendors.core.selectors import all_connections_for_user

_SEVERITY = {Health.FAILING: 0, Health.DEGRADED: 1, Health.NEVER: 2, Health.OK: 3, Health.DISABLED: 4}


def home(request):
    teams = teams_for_user(user=request.user)
    connections = sorted(all_connections_for_user(user=request.user),
                         key=lambda c: (_SEVERITY[c.health], c.vendor, c.name))
    vendor_sections = []
    for spec in registry.vendors():
        items = spec.summary(teams) if spec.summary else []
        count = sum(1 for c in connections if c.vendor == spec.name)
        panels = spec.panels(request, teams) if spec.panels else []
        vendor_sections.append({"spec": spec, "items": items, "connections": count, "panels": panels})
    attention = [c for c in connections if c.health in (Health.FAILING, Health.DEGRADED)]
    context = {
        "connections": connections,
        "attention": attention,
        "vendor_sections": vendor_sections,
        "has_teams": teams.exists(),
        "can_add": teams_for_user(user=request.user, min_role=Role.ADMIN).exists(),
    }
    template = "overview/home.html"
    if request.htmx and not request.htmx.boosted:
        template += "#overview-live"
    return render(request, template, context)
