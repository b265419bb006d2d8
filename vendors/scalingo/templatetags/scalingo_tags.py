from django import template
from django.utils.html import format_html

from vendors.scalingo import badges

register = template.Library()


@register.filter
def badge(status):
    """An app's, container's, deployment's, addon's or collaborator's state as symbol + text."""
    shown = badges.badge(status)
    return format_html('<span class="badge badge-{}">{} {}</span>', shown.tone, shown.symbol, shown.label)
