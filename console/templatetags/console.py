from datetime import datetime
from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from console import pagination

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


@register.simple_tag
def options(choices, selected=None):
    """The `<option>`s of (value, label) pairs, the one equal to `selected` (as text) marked.

    One call for lists that grow with the inventory (environments, connections): a template
    loop costs some 15 µs an option, and a filter may offer hundreds."""
    chosen = "" if selected is None else str(selected)
    return mark_safe("".join(
        f'<option value="{escape(str(value))}"{" selected" if str(value) == chosen else ""}>{escape(str(label))}</option>'
        for value, label in choices))


@register.simple_tag(takes_context=True)
def per_page_links(context, page):
    """The row-count choices of a paged list (see vendors/core/pagination.py)."""
    return pagination.per_page_links(context["request"], page)
