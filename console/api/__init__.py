"""What every endpoint of the console's REST API shares: bearer tokens, their read/write scope and
rate, pagination, and JSON errors. Endpoints live beside the pages they mirror (each vendor's
`api.py`, `vendors/core/api.py`, `dashboard/api/`) and call the same selectors and services."""


def page_url(serializer, path: str) -> str:
    """A console page (its path) as an API answer gives it: absolute on the request's host, or the
    path as it is when the serializer has no request (or there is no page)."""
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None and path else path
