from datetime import date, datetime
from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from console import moments, pagination

register = template.Library()


@register.filter
def ago(when: datetime | None) -> str:
    """The relative age alone, as text ("12 s ago"); in a page prefer `when|moment:"ago"`."""
    return moments.age_text(when)


@register.filter(is_safe=True)
def moment(when: datetime | date | None, spec: str = "") -> str:
    """THE way a template shows a moment (see console/moments.py for the format):

        {{ when|moment }}                 <time datetime="ISO" title="2026-12-07 14:02:33 · 3 min ago">2026-12-07 14:02</time>
        {{ when|moment:"seconds" }}       ... 2026-12-07 14:02:33; "day", "ms" likewise
        {{ when|moment:"age" }}           ... 2026-12-07 14:02</time> <small class="moment-age">(3 min ago)</small>
        {{ when|moment:"ago" }}           <time ... title="2026-12-07 14:02:33">3 min ago</time> (where the age is the news)

    Words may be combined ("seconds age"). Nothing renders as "—"; the time zone is named once, in the footer."""
    words = spec.split()
    unknown = set(words) - set(moments.PRECISIONS) - {"age", "ago"}
    if unknown:
        raise template.TemplateSyntaxError(f"moment: unknown word(s) {', '.join(sorted(unknown))}")
    if when is None or when == "":
        return mark_safe('<span class="muted">—</span>')
    precision = next((w for w in words if w in moments.PRECISIONS), "minutes")
    text = moments.moment_text(when, precision)
    is_instant = isinstance(when, datetime)
    iso = (moments.local(when).isoformat() if is_instant else when.isoformat())
    exact = moments.moment_text(when, "ms" if precision == "ms" else ("seconds" if is_instant else "day"))
    age = moments.age_text(when) if is_instant else ""
    if "ago" in words and is_instant:
        return mark_safe(f'<time datetime="{iso}" title="{exact}">{age}</time>')
    title = f"{exact} · {age}" if age else exact
    html = f'<time datetime="{iso}" title="{title}">{text}</time>'
    if "age" in words and age:
        html += f' <small class="moment-age">({age})</small>'
    return mark_safe(html)


@register.simple_tag
def now_moment(spec: str = "") -> str:
    """This moment, as `moment` writes it ("Updated 2026-12-07 14:02:33")."""
    return moment(timezone.now(), spec)


@register.filter
def stamp(when: datetime | date | None, precision: str = "minutes") -> str:
    """A moment as plain text, in the same format, for where no element fits (an SVG `<title>`, an attribute)."""
    return moments.moment_text(when, precision or "minutes")


@register.simple_tag
def time_zone() -> str:
    """The time zone every moment on the page is written in (for `data-time-zone`, read by console.js)."""
    return moments.zone_name()


@register.simple_tag
def time_zone_note() -> str:
    """The one mention of the time zone on a page (its footer)."""
    return f"Times in {moments.zone_name()}, 24-hour."


@register.filter
def iso(when: datetime | None) -> str:
    """A moment for machines (a URL parameter): ISO 8601 with its offset."""
    return moments.local(when).isoformat() if when else ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def options(choices, selected=None):
    """The `<option>`s of (value, label) pairs, the one equal to `selected` (as text) marked.

    One call for lists that grow with the inventory (environments, connections): a template
    loop costs some 15 µs an option, and a filter may offer hundreds."""
    chosen = "" if selected is None else str(selected)
    return mark_safe("".join(
        f'<option value="{escape(str(value))}"{" selected" if str(value) == chosen else ""}>{escape(str(label))}</option>'
        for value, label in choices))


@register.simple_tag(takes_context=True)
def per_page_links(context, page):
    """The row-count choices of a paged list (see vendors/core/pagination.py)."""
    return pagination.per_page_links(context["request"], page)
