"""Health checks of our own, for /health/ (django-health-check 4)."""

import dataclasses
import time

from django.conf import settings
from health_check.base import HealthCheck
from health_check.contrib import redis as redis_check
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

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


class HealthView(HealthCheckView):
    """/health/ in every format the library offers (the page is templates/health_check/index.html), but
    503 when a check fails: the library says 500, which reads as the console's own bug, not an outage it
    reports (load balancers and monitors take 503 as "unavailable")."""

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
        return response


class Redis(redis_check.Redis):
    """The library's Redis ping, named without the server's host and port: /health/ is public."""

    def __repr__(self) -> str:
        return "Redis"

    @property
    def labels(self) -> dict[str, str]:
        return {"check": "Redis"}
