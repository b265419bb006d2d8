from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def datetime_input(value) -> str:
    """A datetime as a datetime-local input wants it, in the console's time zone, to the millisecond."""
    if not value:
        return ""
    local = timezone.localtime(value)
    text = f"{local:%Y-%m-%dT%H:%M:%S}"
    return f"{text}.{local.microsecond // 1000:03d}" if local.microsecond // 1000 else text


@register.filter
def figure(value) -> str:
    """A chart value for people: 12,345 / 0.25 / 1.2e-05; "—" for no value."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "—"
    if isinstance(value, int) or value.is_integer():
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 0.01:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.2g}"
