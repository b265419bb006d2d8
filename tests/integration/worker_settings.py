"""Settings of a Celery worker that a test starts as a subprocess (tests/integration/test_worker_killed.py).

The test's own settings (tests.settings: the configured database and broker, the test vendor),
pointed at the test's database (pytest-django's `test_<name>`, `test_<name>_gw<N>` under xdist,
or the SQLite test file), with the lease the test chose. The test passes, in the environment:

  CONSOLE_TEST_DATABASE_NAME   the test database's NAME (required)
  CONSOLE_VAR_DIR              the test process's var/ (file-system broker, SQLite, cache)
  REDIS_URL                    the test process's Redis URL (broker and cache), when it has one
  CONSOLE_TEST_POLL_LEASE_SECONDS  the poll lease (optional)
"""

import os

os.environ.pop("PYTEST_XDIST_WORKER", None)  # the test passes the var/ and Redis database it uses itself

from tests.settings import *  # noqa: E402,F403
from tests.settings import DATABASES  # noqa: E402

DATABASES["default"] = {**DATABASES["default"], "NAME": os.environ["CONSOLE_TEST_DATABASE_NAME"]}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_IMPORTS = ("tests.testvendor.held",)
if os.environ.get("CONSOLE_TEST_POLL_LEASE_SECONDS"):
    CONSOLE_POLL_LEASE_SECONDS = float(os.environ["CONSOLE_TEST_POLL_LEASE_SECONDS"])
