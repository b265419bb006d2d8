"""One way to page a list: `?page=` and `?per_page=` in the URL (so a link shows the same rows),
25 rows by default, 50 or 100 on request."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

PER_PAGE_CHOICES = (25, 50, 100)
DEFAULT_PER_PAGE = 25


def paginate(request, items, *, default: int = DEFAULT_PER_PAGE) -> Page:
    """The page of `items` the request asks for; an unknown page or size falls back to the first or default."""
    asked = request.GET.get("per_page", "")
    size = next((choice for choice in PER_PAGE_CHOICES if asked == str(choice)), default)  # never int() a stranger
    paginator = Paginator(items, size)
    paginator.per_page_choices = PER_PAGE_CHOICES  # the pagination bar offers them
    return paginator.get_page(request.GET.get("page"))


def per_page_links(request, page: Page) -> list[tuple[int, str, bool]]:
    """(size, query string, is current) for each size, keeping every other parameter but the page."""
    params = request.GET.copy()
    params.pop("page", None)
    links = []
    for size in PER_PAGE_CHOICES:
        params["per_page"] = str(size)
        links.append((size, params.urlencode(), size == page.paginator.per_page))
    return links
