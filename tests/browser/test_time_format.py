"""One way to show time in the browser: uPlot's axis and legend write moments as consoleTime does
(24-hour, ISO-like), never uPlot's defaults ("1:20pm", "Dec 7")."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from console.teams.models import Role
from tests.browser.conftest import login
from tests.browser.test_scalyr import browser_sim, logs, sim  # noqa: F401 (fixtures)
from tests.conftest import PASSWORD
from tests.harness.waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every text uPlot draws on its canvas (axis labels included), recorded as it draws it.
RECORD_CANVAS_TEXT = """
window.__canvasText = [];
const fillText = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (text) {
  window.__canvasText.push(String(text));
  return fillText.apply(this, arguments);
};
"""
TICK = re.compile(r"\d\d:\d\d(:\d\d)?|\d{4}-\d\d-\d\d")


def test_chart_axis_and_legend_are_24_hour_iso_like(new_page, members, logs):  # noqa: F811
    page = new_page()
    page.add_init_script(RECORD_CANVAS_TEXT)
    login(page, members[Role.OPERATOR].username, PASSWORD)
    page.goto(f"/scalyr/{logs.pk}/chart/?range=1h&buckets=30")
    expect(page.locator("#chart canvas")).to_be_visible()
    expect(page.locator("#time-zone-note")).to_have_text("Times in UTC, 24-hour.")

    texts = wait_for(lambda: page.evaluate("window.__canvasText.slice()"), timeout=15, what="the chart drew its axes")
    ticks = [t for t in texts if TICK.fullmatch(t)]
    assert any(re.fullmatch(r"\d\d:\d\d", t) for t in ticks), texts  # an hour's range: the time alone
    assert not [t for t in texts if re.search(r"(?i)\d\s*[ap]m\b|[A-Z][a-z]{2} \d", t)], texts
    assert page.evaluate("window.consoleTime.format(Date.UTC(2026, 11, 7, 14, 2, 33) / 1000, 'seconds')") == \
        "2026-12-07 14:02:33"

    # the legend's moment, under the cursor, in the same format
    box = page.locator("#chart .u-over").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    legend = page.locator("#chart .u-legend .u-series").first.locator(".u-value")
    expect(legend).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?$"))
