"""What every endpoint of the console's REST API shares: bearer tokens, their read/write scope and
rate, pagination, and JSON errors. Endpoints live beside the pages they mirror (each vendor's
`api.py`, `vendors/core/api.py`, `dashboard/api/`) and call the same selectors and services."""
