"""How a Scalingo state is shown: one map of Scalingo's words for the states of an app, a
container, a deployment, an addon and a collaborator, to a tone (the badge's colour) and its
symbol (so the state never rests on colour alone)."""

from __future__ import annotations

from typing import NamedTuple

OK, PENDING, WARNING, DANGER, MUTED = "ok", "pending", "warning", "danger", "muted"
SYMBOLS = {OK: "●", PENDING: "⟳", WARNING: "■", DANGER: "✖", MUTED: "○"}

TONES = {
    # an app (models.AppStatus); `crashed` means more than 12 crashes in a row
    "new": MUTED, "running": OK, "stopped": WARNING, "crashed": DANGER, "restarting": PENDING,
    "scaling": PENDING, "deploying": PENDING, "booting": PENDING, "unknown": MUTED,
    # a container (`/ps`): booting, running, stopping, and those the docs do not list
    "stopping": PENDING,
    # an app that keeps crashing (Scalingo's event type, shown like a crash)
    "repeated_crash": DANGER,
    # a deployment: in progress, then success or one of the failures (models.FAILED_DEPLOYMENT_STATUSES)
    "queued": PENDING, "building": PENDING, "pushing": PENDING, "starting": PENDING, "success": OK,
    "aborted": DANGER, "build-error": DANGER, "crashed-error": DANGER, "timeout-error": DANGER,
    "hook-error": DANGER, "error": DANGER,
    # an addon
    "provisioning": PENDING, "suspended": WARNING,
    # a collaborator
    "pending": MUTED, "accepted": OK,
}


class Badge(NamedTuple):
    tone: str
    symbol: str
    label: str


def badge(status: str | None) -> Badge:
    """The badge of one state (`unknown` when there is none); a word Scalingo has not used
    before is shown as still in progress."""
    status = status or "unknown"
    tone = TONES.get(status, PENDING)
    return Badge(tone, SYMBOLS[tone], status[:1].upper() + status[1:])
