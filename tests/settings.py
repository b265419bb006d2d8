"""Test settings: the product's settings plus the test-only vendor."""

import os
import re
import tempfile

os.environ.setdefault("CONSOLE_DEV", "1")
# Each pytest-xdist worker gets its own var/ (file broker, cache, SQLite test database) and,
# below, its own Redis database: parallel workers never consume each other's tasks.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker or "CONSOLE_VAR_DIR" not in os.environ:
    os.environ["CONSOLE_VAR_DIR"] = tempfile.mkdtemp(prefix=f"console-test-{_worker or 'main'}-")

from dashboard.settings import *  # noqa: E402,F403
from dashboard.settings import INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testvendor"]

from dashboard.settings import CACHES, REDIS_URL  # noqa: E402

if REDIS_URL and _worker:
    REDIS_URL = re.sub(r"/\d+$", "", REDIS_URL) + f"/{15 - int(_worker.removeprefix('gw')) % 15}"
    CELERY_BROKER_URL = REDIS_URL
    CACHES = {"default": {**CACHES["default"], "LOCATION": REDIS_URL}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
AXES_FAILURE_LIMIT = 5
# the simulators and the tests' own servers listen on loopback (tests that show a refusal override it)
CONSOLE_OUTBOUND_ALLOW = ["127.0.0.0/8", "::1"]
