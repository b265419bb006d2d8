import logging

from celery import shared_task

from vendors.core.errors import VendorError
from vendors.scalr.models import Farm
from vendors.scalr.polling import scalr_farm_refresh

logger = logging.getLogger("vendors.scalr")


@shared_task(name="scalr.refresh_farm", ignore_result=True)
def refresh_farm(farm_id: int) -> None:
    farm = Farm.objects.select_related("connection", "environment").filter(pk=farm_id).first()
    if farm is not None and farm.connection.enabled:
        try:
            scalr_farm_refresh(farm)
        except VendorError as exc:  # the next poll brings the farm, and says why it failed
            logger.info("Refresh of Scalr farm %s failed: %s", farm.name, exc)
