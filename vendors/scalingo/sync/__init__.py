"""The Scalingo poll: plan and fetch within the token's minute (poll.py), then write what was
read in one transaction (write.py). VendorSpec.poll is `scalingo_connection_poll`."""

from vendors.scalingo.sync.poll import (
    CALLS_PER_APP, EVENT_PAGES, FETCH_CONCURRENCY, POLL_MINIMUM, RESERVE, ROTATION_CAP, ROTATION_POLLS, fetch_details,
    rotation_share, scalingo_app_refresh, scalingo_connection_poll,
)
from vendors.scalingo.sync.write import (
    BATCH, DETAIL_COLUMNS, AppDetails, clean_type_data, scalingo_app_sync, scalingo_counts_refresh,
    scalingo_inventory_sync,
)

__all__ = [
    "BATCH", "CALLS_PER_APP", "DETAIL_COLUMNS", "EVENT_PAGES", "FETCH_CONCURRENCY", "POLL_MINIMUM", "RESERVE",
    "ROTATION_CAP", "ROTATION_POLLS", "AppDetails", "clean_type_data", "fetch_details", "rotation_share",
    "scalingo_app_refresh", "scalingo_app_sync", "scalingo_connection_poll", "scalingo_counts_refresh", "scalingo_inventory_sync",
]
