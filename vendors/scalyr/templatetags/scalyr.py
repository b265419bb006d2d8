import json
import uuid
from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def datetime_input(value) -> str:
    """A datetime as a datetime-local input wants it, in the console's time zone, to the millisecond."""
    if not value:
        return ""
    local = timezone.localtime(value)
    text = f"{local:%Y-%m-%dT%H:%M:%S}"
    return f"{text}.{local.microsecond // 1000:03d}" if local.microsecond // 1000 else text


@register.filter
def figure(value) -> str:
    """A chart value for people: 12,345 / 0.25 / 1.2e-05; "—" for no value."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "—"
    if isinstance(value, int) or value.is_integer():
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 0.01:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.2g}"


@register.filter(is_safe=True)
def log_lines(lines) -> str:
    """The `<li>` of each log line, built in Python: as template nodes, a 100-line page costs more than
    Scalyr's own answer (see bench/scalyr_query.py). Every value is escaped. The lines' fields travel
    as one JSON block after them (`data-f="<block id>:<index>"`); scalyr.js lays a line's fields out
    when it is opened."""
    if not lines:
        return ""
    block = f"lf-{uuid.uuid4().hex[:12]}"
    parts = []
    for index, line in enumerate(lines):
        columns = "".join(f'<span class="c-col" title="{escape(name)}">{escape(str(value))}</span>'
                          for name, value in line.columns)
        stamp = line.time.isoformat() if line.time else ""
        parts.append(
            f'<li class="sev-{line.severity}" data-f="{block}:{index}"><details><summary>'
            f'<time class="c-time" datetime="{stamp}">{line.time_text}</time>'
            f'<span class="c-sev" title="{line.severity_title}">{line.severity_label}</span>'
            f'<span class="c-host">{escape(line.host)}</span>'
            f'<span class="c-file" title="{escape(line.logfile)}">{escape(line.logfile_short)}</span>{columns}'
            f'<span class="c-msg">{escape(line.message)}</span></summary></details></li>')
    fields = json.dumps([line.fields for line in lines], separators=(",", ":"), default=str, ensure_ascii=False)
    # As Django's json_script does: nothing in the data can close the script element.
    fields = fields.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    parts.append(f'<script type="application/json" id="{block}">{fields}</script>')
    return mark_safe("".join(parts))
