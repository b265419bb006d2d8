"""One way to show time (issue 12, item 6): every moment a page shows goes through console/moments.py,
by the `moment`/`stamp` filters (templates) or `consoleTime` (static/js/console.js)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone as dt_timezone
from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings
from django.utils import timezone

from console import moments

ROOT = Path(__file__).resolve().parent.parent
WHEN = datetime(2026, 12, 7, 13, 2, 33, 187_000, tzinfo=dt_timezone.utc)


def render(source: str, **context) -> str:
    return Template("{% load console %}" + source).render(Context(context))


@pytest.mark.parametrize("precision, text", [("day", "2026-12-07"), ("minutes", "2026-12-07 13:02"),
                                             ("seconds", "2026-12-07 13:02:33"), ("ms", "2026-12-07 13:02:33.187")])
def test_moment_text_is_24_hour_and_iso_like(precision, text):
    assert moments.moment_text(WHEN, precision) == text
    assert moments.moment_text(None) == ""
    assert moments.moment_text(date(2026, 1, 2)) == "2026-01-02"


def test_moment_text_is_in_the_configured_time_zone():
    with override_settings(TIME_ZONE="Europe/Paris"):
        assert moments.moment_text(WHEN.replace(hour=23), "seconds") == "2026-12-08 00:02:33"
        assert moments.zone_name() == "Europe/Paris"


def test_age_text():
    now = WHEN + timedelta(minutes=4, seconds=10)
    assert moments.age_text(WHEN, now) == "4 min ago"
    assert moments.age_text(WHEN, WHEN + timedelta(seconds=12)) == "12 s ago"
    assert moments.age_text(WHEN, WHEN + timedelta(hours=3)) == "3 h ago"
    assert moments.age_text(WHEN, WHEN + timedelta(days=2)) == "2 d ago"
    assert moments.age_text(WHEN + timedelta(minutes=5), WHEN) == "in 5 min"
    assert moments.age_text(None) == "never"


def test_the_moment_filter_renders_a_time_element_with_the_exact_moment_in_its_title():
    when = timezone.now().replace(microsecond=0) - timedelta(minutes=3)
    html = render("{{ when|moment }}", when=when)
    text = moments.moment_text(when)
    assert html == (f'<time datetime="{when.isoformat()}" title="{moments.moment_text(when, "seconds")} · 3 min ago">'
                    f'{text}</time>')
    assert render('{{ when|moment:"seconds age" }}', when=when).endswith(
        f'>{moments.moment_text(when, "seconds")}</time> <small class="moment-age">(3 min ago)</small>')
    assert re.fullmatch(r'<time datetime="[^"]+" title="\d{4}-\d\d-\d\d \d\d:\d\d:\d\d">3 min ago</time>',
                        render('{{ when|moment:"ago" }}', when=when))
    assert render('{{ when|moment:"day" }}', when=date(2026, 12, 7)) == \
        '<time datetime="2026-12-07" title="2026-12-07">2026-12-07</time>'
    assert render("{{ when|moment }}", when=None) == '<span class="muted">—</span>'
    assert render('{{ when|stamp:"seconds" }}', when=WHEN) == "2026-12-07 13:02:33"
    with pytest.raises(TemplateSyntaxError):
        render('{{ when|moment:"M j" }}', when=WHEN)


def test_the_time_zone_is_named_once_on_a_page(client, django_user_model):
    user = django_user_model.objects.create_user("tz-viewer", password="x")
    client.force_login(user)
    page = client.get("/").content.decode()
    assert page.count("Times in UTC, 24-hour.") == 1
    assert 'data-time-zone="UTC"' in page


# Anything that formats a moment on its own, outside console/moments.py and its filters.
FORBIDDEN = re.compile(r"\|\s*(date|time|naturaltime|naturalday|timesince|timeuntil)\b|\{%\s*now\s+[\"'](?!T[\"'])"
                       r"|\bnaturaltime\b|\btimesince\b|\|\s*ago\b")
FORBIDDEN_JS = re.compile(r"toLocale(Date|Time)?String|toUTCString|toTimeString|toDateString|getHours\(")


def template_files():
    for folder in ("templates", "vendors", "console", "dashboard"):
        yield from (ROOT / folder).rglob("*.html")


def test_no_template_formats_a_moment_outside_the_one_place():
    found = [f"{path.relative_to(ROOT)}:{number}: {match.group(0)}"
             for path in template_files()
             for number, line in enumerate(path.read_text().splitlines(), 1)
             for match in [FORBIDDEN.search(line)] if match]
    assert not found, "use {{ when|moment }} / {{ when|stamp }} (console/moments.py):\n" + "\n".join(found)


def test_no_script_formats_a_moment_outside_console_time():
    scripts = [ROOT / "static/js/console.js", *(ROOT / "vendors").rglob("static/**/*.js")]
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in scripts
             for number, line in enumerate(path.read_text().splitlines(), 1) if FORBIDDEN_JS.search(line)]
    assert not found, "use window.consoleTime (static/js/console.js):\n" + "\n".join(found)
    # every uPlot chart takes its time axis from consoleTime
    for path in scripts:
        source = path.read_text()
        if "new window.uPlot(" in source:
            assert "consoleTime.uplot(" in source, path


def test_python_builds_no_display_moment_of_its_own():
    """strftime and hand-made f-strings of a date belong to console/moments.py (wire formats excepted)."""
    allowed = {"console/moments.py", "vendors/scalyr/state.py", "vendors/scalr/client/signing.py",
               "vendors/scalyr/templatetags/scalyr.py"}
    pattern = re.compile(r"strftime\(|:%H:%M|\{\w+\.hour:02d\}|naturaltime")
    found = [str(path.relative_to(ROOT)) for folder in ("console", "dashboard", "vendors")
             for path in (ROOT / folder).rglob("*.py")
             if "simulator" not in path.parts and "migrations" not in path.parts
             and str(path.relative_to(ROOT)) not in allowed and pattern.search(path.read_text())]
    assert not found, found
