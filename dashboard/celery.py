import gc
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

app = Celery("dashboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect  # the main process (solo and threads pools poll in it; prefork forks it)
@signals.worker_process_init.connect  # each prefork child, after the fork
def freeze_startup_heap(**_) -> None:
    """Keep what start-up allocated (Django, the apps: about 100,000 objects) out of the collector's
    generations, as deploy/gunicorn.conf.py does for the web: a poll allocates enough to trigger
    full collections, and each one would otherwise walk the whole start-up heap (tens of ms)."""
    gc.collect()
    gc.freeze()
