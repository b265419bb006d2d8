"""The audit log's details in words: `fields: name, poll seconds`, never Python's list text."""

from django import template

register = template.Library()


@register.filter
def detail_text(detail: dict | None) -> str:
    """{"fields": ["name", "poll_seconds"], "secrets_changed": []} -> "fields: name, poll seconds";
    empty entries are left out."""
    parts = []
    for key, value in (detail or {}).items():
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(item).replace("_", " ") for item in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in value.items())
        if value not in ("", None):
            parts.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(parts)
