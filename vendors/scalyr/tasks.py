"""Celery tasks: only what cannot wait for the next poll. Services queue them by name."""

from celery import shared_task

from vendors.scalyr import services


@shared_task(name="vendors.scalyr.tasks.refresh_charts", ignore_result=True)
def refresh_charts(connection_id: int) -> int:
    """Fill a just-saved chart now; a failure waits for the next poll, which reports it on the connection."""
    return services.charts_refresh(connection_id=connection_id)


@shared_task(name="vendors.scalyr.tasks.outbox_send", ignore_result=True)
def outbox_send(connection_id: int, lease: str = "") -> str:
    """Send the console's waiting events to one Scalyr connection (ids and a lease token only, never a secret)."""
    return services.outbox_send(connection_id=connection_id, lease=lease)
