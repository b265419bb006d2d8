import os
from pathlib import Path

# Every process (manage.py, gunicorn, Celery) imports this package before it writes a file: what the
# console creates (SQLite, the file broker's messages, the cache, metrics, everything under var/)
# is its owner's only. Files it serves to browsers are read by this process, never by nginx.
os.umask(0o077)

# Metrics from the web, worker and beat processes on one host are merged at /metrics
# through prometheus_client's multiprocess mode; it must be configured before
# prometheus_client is first imported.
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    _dir = Path(os.environ.get("CONSOLE_VAR_DIR", Path(__file__).resolve().parent.parent / "var")) / "prometheus"
    _dir.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_dir)

from dashboard.celery import app as celery_app  # noqa: E402

__all__ = ["celery_app"]
