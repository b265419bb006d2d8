"""Change markers in templates: the kind toggles under a chart, and links to the incident page."""

from __future__ import annotations

from django import template

from console import moments
from vendors.core import changes, registry

register = template.Library()


@register.inclusion_tag("htmx/change_toggles.html")
def change_toggles(concerns=None):
    """The checkboxes that show or hide each kind of change on the page's charts, and whose changes they are."""
    return {"kinds": [(kind, label, changes.SYMBOLS[kind]) for kind, label in registry.CHANGE_KINDS],
            "concerns": concerns or []}


@register.simple_tag
def incident_url(at=None, around="", before=None, after=None) -> str:
    """`{% incident_url when "scalingo.app:42" as url %}`: the incident page at `at` around those objects
    (comma-separated keys; kinds no vendor resolves are left out), or "" where there is none."""
    keys = around if isinstance(around, (list, tuple)) else [k.strip() for k in str(around or "").split(",")]
    return changes.incident_url(at=at, around=keys, before=before, after=after)


@register.simple_tag
def alert_incident_url(alert) -> str:
    """"Investigate" on an alert: the incident page at the moment it began, around its object."""
    at = alert.since or getattr(alert, "fired_at", None)
    return changes.incident_url(at=at, around=[changes.alert_object_key(alert.key)])


@register.filter
def change_symbol(kind: str) -> str:
    return changes.SYMBOLS.get(kind, "•")


@register.filter
def change_label(kind: str) -> str:
    """"Deployment", "Scale"...: one change of the kind."""
    return changes.KIND_NAMES.get(kind, kind)


@register.filter
def datetime_local(when) -> str:
    """A moment for an `<input type="datetime-local">`, in the console's zone, to the second."""
    return moments.input_value(when)


@register.simple_tag
def investigate_url(kind: str, pk, at=None, before=None, after=None) -> str:
    """`{% investigate_url "scalr.farm" farm.pk as url %}`: the incident page around one object; "" for an
    object no vendor can show an incident of (a team membership's audit entry)."""
    key = f"{kind}:{pk}"
    return changes.incident_url(at=at, around=[key], before=before, after=after) if changes.known_kind(key) else ""
