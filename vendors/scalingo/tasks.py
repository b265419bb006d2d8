from celery import shared_task

from vendors.core.actions import action_run
from vendors.scalingo import services


@shared_task(name="scalingo.scale_app", ignore_result=True)
def scale_app(action_id: int) -> None:
    action_run(action_id, services.perform_scale)


@shared_task(name="scalingo.restart_app", ignore_result=True)
def restart_app(action_id: int) -> None:
    action_run(action_id, services.perform_restart)


@shared_task(name="scalingo.set_variables", ignore_result=True)
def set_variables(action_id: int) -> None:
    action_run(action_id, services.perform_set_variables)


@shared_task(name="scalingo.delete_variable", ignore_result=True)
def delete_variable(action_id: int) -> None:
    action_run(action_id, services.perform_delete_variable)


@shared_task(name="scalingo.refresh_app", ignore_result=True)
def refresh_app(app_id: int) -> None:
    services.scalingo_app_refresh_now(app_id=app_id)
