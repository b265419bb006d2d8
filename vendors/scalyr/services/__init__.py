"""Writes and actions, one module per resource. Importing this package registers the config-file
performers with the action pipeline (`vendors.core.actions.performer`)."""

from vendors.scalyr.services.charts import charts_refresh
from vendors.scalyr.services.config_files import file_delete, file_delete_action, file_put, file_put_action
from vendors.scalyr.services.outbox import outbox_audit_record, outbox_poll_record
from vendors.scalyr.services.outbox_sender import outbox_send, outbox_tick
from vendors.scalyr.services.policies import query_policy_set
from vendors.scalyr.services.saved_queries import (
    SavedQueryError,
    saved_query_create,
    saved_query_delete,
    saved_query_pin,
    saved_query_update,
)

__all__ = ["SavedQueryError", "charts_refresh", "file_delete", "file_delete_action", "file_put",
           "file_put_action", "outbox_audit_record", "outbox_poll_record", "outbox_send", "outbox_tick",
           "query_policy_set", "saved_query_create",
           "saved_query_delete", "saved_query_pin", "saved_query_update"]
