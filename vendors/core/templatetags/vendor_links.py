from django import template

from vendors.core import registry

register = template.Library()


@register.simple_tag
def logs_url(kind: str, obj, team) -> str:
    """`{% logs_url "scalingo.app" app app.connection.team as url %}`: a log view for obj, or ""."""
    return registry.log_link(kind, obj, team)
