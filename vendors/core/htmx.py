"""One rule for every view that renders a page or one of its named partials."""


def wants_fragment(request) -> bool:
    """An htmx request for a fragment. A boosted navigation and a history restore (Back, with
    htmx's history cache off) want the whole page."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def page_or_partial(request, template: str, name: str) -> str:
    """`template`, or its partial `name` (django-template-partials) when a fragment is wanted."""
    return f"{template}#{name}" if wants_fragment(request) else template
