from celery import shared_task

from vendors.core import actions, maintenance, polling


@shared_task(name="vendors.core.tasks.scheduler_tick", ignore_result=True)
def scheduler_tick() -> int:
    claimed = polling.scheduler_run(enqueue=lambda vendor, pk, lease: poll_connection.delay(vendor, pk, lease))
    actions.actions_sweep()
    polling.vendor_ticks()
    return len(claimed)


@shared_task(name="vendors.core.tasks.poll_connection", ignore_result=True)
def poll_connection(vendor: str, pk: int, lease: str) -> str:
    return polling.connection_poll(vendor=vendor, pk=pk, lease=lease).status


@shared_task(name="vendors.core.tasks.database_analyze", ignore_result=True)
def database_analyze() -> str:
    return maintenance.database_analyze()


@shared_task(name="vendors.core.tasks.run_action", ignore_result=True)
def run_action(action_id: int) -> None:
    actions.action_execute(action_id)


@shared_task(name="vendors.core.tasks.follow_action", ignore_result=True)
def follow_action(action_id: int) -> None:
    actions.action_follow_again(action_id)
