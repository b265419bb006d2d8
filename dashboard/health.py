"""Health checks of our own, for /health/ (django-health-check 4)."""

import dataclasses
import time

from django.conf import settings
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from vendors.core.polling import scheduler_last_tick


@dataclasses.dataclass
class SchedulerHeartbeat(HealthCheck):
    """Beat, broker and a worker all work: the scheduler task ran recently.

    It is the end-to-end check that also works on the embedded file-system broker,
    which cannot carry Celery's broadcast ping.
    """

    max_age_ticks: int = 6

    def run(self):
        last = scheduler_last_tick()
        if last is None:
            raise ServiceUnavailable("The scheduler has not ticked yet: are beat and a worker running?")
        age = time.time() - last
        limit = settings.CONSOLE_SCHEDULER_TICK_SECONDS * self.max_age_ticks
        if age > limit:
            raise ServiceUnavailable(f"The scheduler last ticked {age:.0f} s ago (limit {limit:.0f} s).")
