"""What the Scalingo page modules share: where an app's page is, and the answer to an action
just queued."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse


def app_url(app) -> str:
    return reverse("scalingo:app-detail", args=[app.pk])


def action_started(request, app, action, tab: str):
    """The action's live status for htmx; otherwise a message and back to the app's tab."""
    if request.htmx:
        return render(request, "htmx/action_status.html", {"action": action})
    messages.success(request, f"{action.summary}: queued.")
    return redirect(f"{app_url(app)}?tab={tab}")
