"""Settings of bench/scale_out.py and of the workers it starts: the test settings (the test vendor
polls the simulator), with the simulator's service address allowed and tasks sent to real workers."""

from tests.settings import *  # noqa: F403

CONSOLE_OUTBOUND_ALLOW = ["10.231.0.0/16", "127.0.0.0/8"]
CELERY_TASK_ALWAYS_EAGER = False
