"""Scalr clients, and the one place that builds a client for a connection.

    client = scalr_client(api="v2", base_url="https://my.scalr.com", key_id=..., secret_key=..., env_ids=[1, 5])

Both API generations (`v2`: APIv2, `v1`: the legacy Query API) return the same records
(`records`) through the `ScalrClient` interface (`base`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from vendors.core.budget import RequestBudget, budgeted
from vendors.scalr.client.base import Deprecated, NotAvailable, ScalrClient
from vendors.scalr.client.v1 import ScalrV1Client
from vendors.scalr.client.v2 import ScalrV2Client

if TYPE_CHECKING:
    from vendors.scalr.models import ScalrConnection

__all__ = ["DEFAULT_HOURLY_LIMIT", "Deprecated", "NotAvailable", "ScalrClient", "ScalrV1Client", "ScalrV2Client",
           "budget_for", "budgeted_client", "client_for", "scalr_client"]

DEFAULT_HOURLY_LIMIT = 10_000


def scalr_client(*, api: str = "v2", base_url: str, key_id: str, secret_key: str,
                 env_ids: Iterable[int] | None = None, **options) -> ScalrClient:
    """`api`: "v2" (APIv2, the default) or "v1" (the legacy Query API)."""
    if api == "v2":
        return ScalrV2Client(base_url, key_id, secret_key, env_ids=env_ids, **options)
    if api == "v1":
        return ScalrV1Client(base_url, key_id, secret_key, env_ids=env_ids, **options)
    raise ValueError(f"unknown Scalr API generation {api!r}: use 'v2' or 'v1'")


def client_for(connection: ScalrConnection, **options) -> ScalrClient:
    settings = connection.settings or {}
    return scalr_client(api=connection.api, base_url=connection.base_url, key_id=connection.secrets.get("key_id") or "",
                        secret_key=connection.secrets.get("secret") or "", env_ids=settings.get("env_ids") or None,
                        **options)


def budget_for(connection: ScalrConnection, env_id: int) -> RequestBudget:
    """The Query API's hourly budget of one environment of one installation, shared by every process."""
    limit = None
    if connection.api == "v1":
        configured = (connection.settings or {}).get("hourly_limit")
        limit = DEFAULT_HOURLY_LIMIT if configured is None else int(configured) or None
    host = connection.base_url.rstrip("/").split("//")[-1]
    return RequestBudget(f"scalr:{host}:{int(env_id)}", limit=limit, window_seconds=3600)


def budgeted_client(connection: ScalrConnection, env_id: int, **options):
    """A client for one action or read in one environment; the requests it sent are spent from that
    environment's budget when it is done (`with budgeted_client(connection, env_id) as client:`)."""
    return budgeted(client_for(connection, **options), budget_for(connection, env_id))
