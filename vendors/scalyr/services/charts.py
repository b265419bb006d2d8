"""Saved charts refreshed outside the poll schedule (the poll itself is sync.py)."""

from __future__ import annotations

from vendors.core.alerts.evaluation import alerts_evaluate
from vendors.core.errors import VendorError
from vendors.scalyr.client import READ_LOGS, client_for, token_kinds
from vendors.scalyr.models import ScalyrConnection
from vendors.scalyr.sync import saved_charts_refresh


def charts_refresh(*, connection_id: int) -> int:
    """Fill a just-saved chart now and evaluate the connection's alerts: how many charts were refreshed. A
    failure (or a connection gone or disabled) waits for the next poll, which reports it on the connection."""
    connection = ScalyrConnection.objects.select_related("team").filter(pk=connection_id, enabled=True).first()
    if connection is None or READ_LOGS not in token_kinds(connection):
        return 0
    try:
        with client_for(connection, interactive=False) as client:
            refreshed = saved_charts_refresh(connection=connection, client=client)[0]
    except VendorError:
        return 0
    alerts_evaluate(connection=connection)  # a chart past its threshold fires its alert now
    return refreshed
