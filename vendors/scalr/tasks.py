import logging

from celery import shared_task

from vendors.core.actions import action_run
from vendors.core.errors import VendorError
from vendors.core.models import ActionRun
from vendors.scalr import services, services_config  # noqa: F401 (registers the config performers)
from vendors.scalr.models import Farm
from vendors.scalr.polling import scalr_farm_refresh

logger = logging.getLogger("vendors.scalr")


@shared_task(name="scalr.run_action", ignore_result=True)
def run_action(action_id: int) -> None:
    verb = ActionRun.objects.filter(pk=action_id).values_list("verb", flat=True).first()
    if verb is not None:
        action_run(action_id, services.PERFORMERS[verb])


@shared_task(name="scalr.refresh_farm", ignore_result=True)
def refresh_farm(farm_id: int) -> None:
    farm = Farm.objects.select_related("connection", "environment").filter(pk=farm_id).first()
    if farm is not None and farm.connection.enabled:
        try:
            scalr_farm_refresh(farm)
        except VendorError as exc:  # the next poll brings the farm, and says why it failed
            logger.info("Refresh of Scalr farm %s failed: %s", farm.name, exc)
