"""Scalr's writes and actions, one module per resource. Importing them registers each action's
performer with the pipeline in `vendors.core.actions`; tasks are queued by name, never imported."""

from vendors.scalr.services.callbacks import callback_token, scalr_callback_receive, scalr_callback_token_rotate
from vendors.scalr.services.config import scalr_app_deploy, scalr_variable_set, scalr_vhost_create
from vendors.scalr.services.dns import scalr_dns_record_add, scalr_dns_record_remove, scalr_dns_zone_create
from vendors.scalr.services.farms import (scalr_farm_clone, scalr_farm_launch, scalr_farm_lock, scalr_farm_refresh,
                                          scalr_farm_terminate, scalr_farm_unlock, scalr_farm_viewed)
from vendors.scalr.services.scripts import scalr_script_execute, script_run_on
from vendors.scalr.services.servers import scalr_server_action, scalr_server_image, scalr_server_launch

__all__ = ["callback_token", "scalr_app_deploy", "scalr_callback_receive", "scalr_callback_token_rotate",
           "scalr_dns_record_add", "scalr_dns_record_remove", "scalr_dns_zone_create", "scalr_farm_clone",
           "scalr_farm_launch", "scalr_farm_lock", "scalr_farm_refresh", "scalr_farm_terminate", "scalr_farm_unlock",
           "scalr_farm_viewed", "scalr_script_execute", "scalr_server_action", "scalr_server_image",
           "scalr_server_launch", "scalr_variable_set", "scalr_vhost_create", "script_run_on"]
