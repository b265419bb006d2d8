"""Severity labels in the explorer come from one map of Scalyr's documented levels (scalyr.md §5)."""

from __future__ import annotations

import pytest

from vendors.scalyr.client.records import SEVERITIES, SEVERITY_NAMES, LogEvent, severity_level
from vendors.scalyr.selectors.explorer import _facet_label, log_line
from vendors.scalyr.templatetags.scalyr import log_lines

#: scalyr.md §5: `sev` 0-6, names from the Java client's Severity enum
DOCUMENTED = {0: "finest", 1: "finer", 2: "fine", 3: "info", 4: "warning", 5: "error", 6: "fatal"}
EXPECTED_LABELS = {0: "FST", 1: "FNR", 2: "FIN", 3: "INF", 4: "WRN", 5: "ERR", 6: "FTL"}


def event(sev) -> LogEvent:
    return LogEvent(timestamp_ns=1_700_000_000_000_000_000, message="DEBUG [shop-api] rendered", severity=sev,
                    session="s1", thread="1", attributes={}, server={"serverHost": "web-1"})


def test_the_map_is_scalyrs_documented_levels():
    assert [(level.value, level.name) for level in SEVERITIES] == sorted(DOCUMENTED.items())
    assert SEVERITY_NAMES == tuple(DOCUMENTED.values())
    labels = [level.label for level in SEVERITIES]
    assert len(set(labels)) == len(labels)  # unambiguous
    assert "J" not in labels and not any(label in "LKJIWEF" for label in labels)  # not the CLI's letters


@pytest.mark.parametrize("sev", sorted(DOCUMENTED))
def test_every_level_has_its_label_and_full_name(sev):
    level = severity_level(sev)
    assert level.name == DOCUMENTED[sev] and level.label == EXPECTED_LABELS[sev]
    assert level.title == f"{DOCUMENTED[sev]} (severity {sev} of 0-6)"
    line = log_line(event(sev))
    assert (line.severity_label, line.severity_name, line.severity_title) == (level.label, level.name, level.title)
    html = log_lines([line])
    assert f'<span class="c-sev" title="{level.title}">{level.label}</span>' in html
    assert f'class="sev-{sev}"' in html
    assert _facet_label("severity", sev) == f"{DOCUMENTED[sev]} ({sev})"
    assert event(sev).severity_name == DOCUMENTED[sev]


@pytest.mark.parametrize("sev", [None, -1, 7, True, "3"])
def test_values_outside_the_levels_say_so(sev):
    assert severity_level(sev) is None
    line = log_line(event(sev))
    assert line.severity_label == "?" and line.severity_name == ""
    assert "not one of Scalyr's levels" in line.severity_title
    assert event(sev).severity_name is None
