"""The Scalingo client (one module per resource over base.py's machinery), and the one place
that builds it for a connection: `client_for`, its request `budget_for`, and `budgeted_client`
for an action or a read that spends from that budget when it is done."""

from __future__ import annotations

import hashlib

from vendors.core.budget import RequestBudget, budgeted
from vendors.scalingo.client.activity import ActivityAPI
from vendors.scalingo.client.apps import AppsAPI
from vendors.scalingo.client.base import AUTH_URL, forget_bearers
from vendors.scalingo.client.logs import LogsAPI, TailPause
from vendors.scalingo.client.resources import ResourcesAPI

__all__ = ["INTERACTIVE", "ScalingoClient", "TailPause", "budget_for", "budgeted_client", "client_for",
           "forget_bearers", "live_client_for"]

DEFAULT_REQUESTS_PER_MINUTE = 60
#: for reads a user waits for: fail fast with Scalingo's words instead of retrying for long
INTERACTIVE = {"max_attempts": 2, "max_retry_seconds": 3}


class ScalingoClient(AppsAPI, ActivityAPI, LogsAPI, ResourcesAPI):
    """Everything the console asks of Scalingo's API v1."""


def client_for(connection, **options) -> ScalingoClient:
    """A client for the connection's token, region and URLs; `options` go to the client
    (retries, `on_limited_request`...)."""
    settings = connection.settings or {}
    return ScalingoClient(
        connection.secrets.get("token") or "",
        region=settings.get("region") or "osc-fr1",
        api_url=connection.base_url or None,
        auth_url=settings.get("auth_url") or AUTH_URL,
        legacy=bool(settings.get("legacy")),
        **options,
    )


def budget_for(connection) -> RequestBudget:
    """One budget per token (keyed by a hash of it, never the token), shared by all processes."""
    limit = (connection.settings or {}).get("requests_per_minute", DEFAULT_REQUESTS_PER_MINUTE)
    key = hashlib.sha256((connection.secrets.get("token") or "").encode()).hexdigest()[:16]
    return RequestBudget(f"scalingo:{key}", limit=int(limit) or None, window_seconds=60)


def budgeted_client(connection, **options):
    """A client whose requests count against the token's minute when it is done, like the polls'
    do, so the next poll plans with what is really left. It does not ask the budget first: actions
    and the reads a user waits for may use the reserve polls leave."""
    return budgeted(client_for(connection, **options), budget_for(connection))


def live_client_for(connection) -> ScalingoClient:
    """For the live tail: its API requests (the logs URL, renewed now and then) count against the
    token's minute as they are made, since the tail outlives a minute; it waits out Scalingo's
    429s itself (and says so), so the client does not retry for long."""
    return client_for(connection, **INTERACTIVE, on_limited_request=budget_for(connection).spend)
