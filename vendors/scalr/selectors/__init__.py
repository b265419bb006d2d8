"""Scalr's reads, one module per resource: `connections` (and environments), `farms` (and servers),
`catalog` (scripts, DNS, variables, vhosts, deployments, images), `live` (read from Scalr when a
page asks, cached). Every read of the inventory is scoped to the user's teams."""

from vendors.scalr.selectors.catalog import (admin_anywhere, admin_environments, admin_farm_roles, application_get,
                                             applications_in, bundle_task_list, deployment_applications,
                                             deployment_sources, dm_application_get, farm_in, farms_in, script_get,
                                             script_list, script_targets, variable_scopes, variable_target,
                                             vhost_list, zone_get, zone_list)
from vendors.scalr.selectors.connections import (action_get, callback_connection, connection_choices,
                                                 connection_environments, connection_get, connection_ids,
                                                 connections_for_user, environment_choices, environment_counted_get,
                                                 environment_get, environment_list, environments_for_user,
                                                 environments_listed_for_user, farm_summary_counts,
                                                 missing_catalogs, missing_for_farm)
from vendors.scalr.selectors.farms import (event_list, farm_get, farm_list, farm_page, farm_role_get,
                                           farm_roles_for_user, server_get, server_list, server_page)

__all__ = ["action_get", "admin_anywhere", "admin_environments", "admin_farm_roles", "application_get",
           "applications_in", "bundle_task_list", "callback_connection", "connection_choices",
           "connection_environments", "connection_get", "connection_ids", "connections_for_user",
           "deployment_applications", "deployment_sources", "dm_application_get", "environment_choices",
           "environment_counted_get", "environment_get", "environment_list", "environments_for_user",
           "environments_listed_for_user", "event_list", "farm_get", "farm_in", "farm_list", "farm_page",
           "farm_role_get", "farm_roles_for_user", "farm_summary_counts", "farms_in", "missing_catalogs",
           "missing_for_farm", "script_get", "script_list", "script_targets", "server_get", "server_list",
           "server_page", "variable_scopes", "variable_target", "vhost_list", "zone_get", "zone_list"]
