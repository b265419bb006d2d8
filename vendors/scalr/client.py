"""Scalr clients: pick the API generation a connection speaks.

    client = scalr_client(api="v2", base_url="https://my.scalr.com", key_id=..., secret_key=..., env_ids=[1, 5])

Both return the same records (`vendors.scalr.records`) through the `ScalrClient` interface.
"""

from __future__ import annotations

from collections.abc import Iterable

from vendors.scalr.client_base import Deprecated, NotAvailable, ScalrClient
from vendors.scalr.client_v1 import ScalrV1Client
from vendors.scalr.client_v2 import ScalrV2Client

__all__ = ["Deprecated", "NotAvailable", "ScalrClient", "ScalrV1Client", "ScalrV2Client", "scalr_client"]


def scalr_client(*, api: str = "v2", base_url: str, key_id: str, secret_key: str,
                 env_ids: Iterable[int] | None = None, **options) -> ScalrClient:
    """`api`: "v2" (APIv2, the default) or "v1" (the legacy Query API)."""
    if api == "v2":
        return ScalrV2Client(base_url, key_id, secret_key, env_ids=env_ids, **options)
    if api == "v1":
        return ScalrV1Client(base_url, key_id, secret_key, env_ids=env_ids, **options)
    raise ValueError(f"unknown Scalr API generation {api!r}: use 'v2' or 'v1'")
