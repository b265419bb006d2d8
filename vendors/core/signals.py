"""Signals of the core, for what a vendor app adds to it without the core naming the vendor.

`poll_recorded` is sent inside the transaction that records a poll's outcome on its connection
(while the poll still holds the lease): a receiver writing rows there (Scalyr's outbox of the
console's events) writes them with the outcome or not at all. Receivers get `connection`,
`vendor` (its registry name), `status` ("ok", "degraded", "deferred", "failed"), `message` and
`duration_ms`.
"""

from django.dispatch import Signal

poll_recorded = Signal()
