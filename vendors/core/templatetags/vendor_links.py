from django import template

from vendors.core import registry

register = template.Library()


@register.simple_tag
def logs_url(kind: str, obj, team) -> str:
    """`{% logs_url "scalingo.app" app app.connection.team as url %}`: a log view for obj, or ""."""
    return registry.log_link(kind, obj, team)


@register.filter
def ansi(text: str):
    """Render ANSI colour codes as HTML spans (text is escaped first)."""
    from vendors.core.ansi import ansi_to_html

    return ansi_to_html(text or "")
