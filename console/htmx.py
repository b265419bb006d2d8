"""One rule for every view that renders a page or one of its named partials."""

from django.utils.cache import patch_cache_control, patch_vary_headers


def wants_fragment(request) -> bool:
    """An htmx request for a fragment. A boosted navigation and a history restore (Back, with
    htmx's history cache off) want the whole page."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def page_or_partial(request, template: str, name: str) -> str:
    """`template`, or its partial `name` (django-template-partials) when a fragment is wanted."""
    return f"{template}#{name}" if wants_fragment(request) else template


class VaryOnHtmxMiddleware:
    """A URL answers a fragment or the whole page depending on `HX-Request`: say so (`Vary`), and keep
    fragments out of the browser's cache altogether, so Back, Forward or a reload never show a bare
    fragment where the page was (django-htmx's advice; htmx's own history cache is off in base.html)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        if request.headers.get("HX-Request") == "true":
            patch_cache_control(response, no_store=True)
        return response
