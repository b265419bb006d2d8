"""Celery tasks of the alerts: each calls one service. Their arguments are ids, never a secret."""

from celery import shared_task

from vendors.core.alerts import delivery, services


@shared_task(name="vendors.core.alerts.tasks.deliver", ignore_result=True)
def deliver(delivery_id: int) -> str:
    return delivery.delivery_attempt(delivery_id)


@shared_task(name="vendors.core.alerts.tasks.alerts_sweep", ignore_result=True)
def alerts_sweep() -> dict:
    return services.alerts_sweep()
