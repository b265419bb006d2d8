from django import template

from vendors.core import registry

register = template.Library()


@register.simple_tag(takes_context=True)
def logs_url(context, kind: str, obj, team) -> str:
    """`{% logs_url "scalingo.app" app app.connection.team as url %}`: a log view for obj that the
    user may open, or ""."""
    request = context.get("request")
    return registry.log_link(kind, obj, team, request.user if request else None)


@register.filter
def ansi(text: str):
    """Render ANSI colour codes as HTML spans (text is escaped first)."""
    from vendors.core.ansi import ansi_to_html

    return ansi_to_html(text or "")
