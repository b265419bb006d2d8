"""The Scalr poll, in three steps: `plan` how much of the hour to spend and on which farms, `fetch`
from Scalr, `write` the records as rows. `poll` runs them; a farm is also refreshed on its own
(after an action, a callback, or while someone watches it)."""

from vendors.scalr.sync.fetch import CATALOGS, EnvInventory, FarmFetch, FarmMarks, fetch_farm
from vendors.scalr.sync.plan import CALLS_PER_FARM, POLL_MINIMUM, RESERVE
from vendors.scalr.sync.poll import scalr_connection_poll, scalr_farm_poll
from vendors.scalr.sync.write import (SyncResult, scalr_catalog_sync, scalr_counts_refresh, scalr_farm_sync,
                                      scalr_inventory_sync)

__all__ = ["CALLS_PER_FARM", "CATALOGS", "POLL_MINIMUM", "RESERVE", "EnvInventory", "FarmFetch", "FarmMarks",
           "SyncResult", "fetch_farm", "scalr_catalog_sync", "scalr_connection_poll", "scalr_counts_refresh",
           "scalr_farm_poll", "scalr_farm_sync", "scalr_inventory_sync"]
