"""Scalingo's states as badges: one map of its words, matched exactly (the template they replace
matched substrings, and gave `repeated_crash` a danger colour with the in-progress symbol)."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from vendors.scalingo import badges, models

#: what templates/htmx/status_badge.html rendered for each state, kept as it was
AS_BEFORE = {
    # an app
    "new": ("muted", "○", "New"), "running": ("ok", "●", "Running"), "stopped": ("warning", "■", "Stopped"),
    "crashed": ("danger", "✖", "Crashed"), "restarting": ("pending", "⟳", "Restarting"),
    "scaling": ("pending", "⟳", "Scaling"), "deploying": ("pending", "⟳", "Deploying"),
    "booting": ("pending", "⟳", "Booting"), "unknown": ("muted", "○", "Unknown"),
    # a container
    "stopping": ("pending", "⟳", "Stopping"),
    # a deployment
    "queued": ("pending", "⟳", "Queued"), "building": ("pending", "⟳", "Building"),
    "pushing": ("pending", "⟳", "Pushing"), "starting": ("pending", "⟳", "Starting"),
    "success": ("ok", "●", "Success"), "aborted": ("danger", "✖", "Aborted"),
    "build-error": ("danger", "✖", "Build-error"), "crashed-error": ("danger", "✖", "Crashed-error"),
    "timeout-error": ("danger", "✖", "Timeout-error"), "hook-error": ("danger", "✖", "Hook-error"),
    "error": ("danger", "✖", "Error"),
    # an addon
    "provisioning": ("pending", "⟳", "Provisioning"), "suspended": ("warning", "■", "Suspended"),
    # a collaborator
    "pending": ("muted", "○", "Pending"), "accepted": ("ok", "●", "Accepted"),
}


def render(status) -> str:
    return Template("{% load scalingo_tags %}{{ status|badge }}").render(Context({"status": status}))


@pytest.mark.parametrize("status,expected", sorted(AS_BEFORE.items()))
def test_every_state_keeps_its_tone_symbol_and_label(status, expected):
    tone, symbol, label = expected
    assert tuple(badges.badge(status)) == expected
    assert render(status) == f'<span class="badge badge-{tone}">{symbol} {label}</span>'


def test_the_map_covers_scalingo_vocabulary():
    vocabulary = {*models.AppStatus.values, *models.FAILED_DEPLOYMENT_STATUSES, "queued", "building", "pushing",
                  "starting", "success", "stopping", "provisioning", "suspended", "pending", "accepted"}
    assert vocabulary <= set(badges.TONES) and set(AS_BEFORE) <= set(badges.TONES)


def test_repeated_crash_is_a_danger_with_the_danger_symbol():
    assert tuple(badges.badge("repeated_crash")) == ("danger", "✖", "Repeated_crash")


def test_words_are_matched_whole_not_as_substrings():
    # "run" and "crash" were "running" and "crashed" to the old template
    assert badges.badge("run").tone == badges.badge("crash").tone == "pending"
    assert badges.badge("").label == badges.badge(None).label == "Unknown"
    assert render("<b>") == '<span class="badge badge-pending">⟳ &lt;b&gt;</span>'
