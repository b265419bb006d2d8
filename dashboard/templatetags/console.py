from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def ago(when: datetime | None) -> str:
    """A short, exact-enough age: "12 s ago", "4 min ago", "3 h ago", "2 d ago"."""
    if not when:
        return "never"
    seconds = max(0, int((timezone.now() - when).total_seconds()))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
