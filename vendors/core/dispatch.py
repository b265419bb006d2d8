"""Queue a Celery task by its registered name.

Tasks call services; services (and the action pipeline) never import tasks. They name the task
they want queued and Celery's registry finds it, so the import arrow points one way.
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction


def task(name: str):
    """The task registered as `name` (importing every app's tasks module first, as a worker does)."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def enqueue(name: str, *args, countdown: float | None = None, after_commit: bool = False) -> None:
    """Queue `name(*args)`; with `after_commit`, once the current transaction has committed, so the
    worker reads what it was queued for."""
    def send():
        task(name).apply_async(args, countdown=countdown)

    if after_commit:
        transaction.on_commit(send)
    else:
        send()
