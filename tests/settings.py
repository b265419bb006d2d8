"""Test settings: the product's settings plus the test-only vendor."""

import os
import tempfile

os.environ.setdefault("CONSOLE_DEV", "1")
os.environ.setdefault("CONSOLE_VAR_DIR", tempfile.mkdtemp(prefix="console-test-"))

from dashboard.settings import *  # noqa: E402,F403
from dashboard.settings import INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testvendor"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
AXES_FAILURE_LIMIT = 5
