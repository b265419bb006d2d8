"""Celery tasks: only what cannot wait for the next poll."""

from celery import shared_task

from vendors.core.errors import VendorError
from vendors.scalyr import services
from vendors.scalyr.models import ScalyrConnection


@shared_task(name="vendors.scalyr.tasks.refresh_charts", ignore_result=True)
def refresh_charts(connection_id: int) -> int:
    """Fill a just-saved chart now; a failure waits for the next poll, which reports it on the connection."""
    connection = ScalyrConnection.objects.select_related("team").filter(pk=connection_id, enabled=True).first()
    if connection is None:
        return 0
    try:
        return services.charts_refresh(connection=connection)[0]
    except VendorError:
        return 0
