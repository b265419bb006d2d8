from celery import shared_task

from vendors.scalingo import services


@shared_task(name="scalingo.refresh_app", ignore_result=True)
def refresh_app(app_id: int) -> None:
    services.scalingo_app_refresh_now(app_id=app_id)
