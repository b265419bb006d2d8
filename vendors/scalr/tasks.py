from celery import shared_task

from vendors.scalr import services


@shared_task(name="scalr.refresh_farm", ignore_result=True)
def refresh_farm(farm_id: int) -> None:
    services.scalr_farm_refresh(farm_pk=farm_id)
