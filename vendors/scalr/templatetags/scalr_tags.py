from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()

SYMBOLS = {"ok": "●", "pending": "⟳", "warning": "▲", "danger": "✖", "muted": "○"}


@register.filter
def badge(item):
    """A farm's, server's or bundle task's status as symbol + text (never colour alone)."""
    state = item.status_state
    return format_html('<span class="badge badge-{}">{} {}</span>', state, SYMBOLS.get(state, "○"), item.status_label)


@register.filter
def uptime(launched_at) -> str:
    if not launched_at:
        return "—"
    minutes = max(0, int((timezone.now() - launched_at).total_seconds() // 60))
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    return f"{days} d {hours} h" if days else (f"{hours} h {minutes} min" if hours else f"{minutes} min")


@register.filter
def short_id(value: str) -> str:
    return str(value or "")[:8]
