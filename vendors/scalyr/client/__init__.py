"""The Scalyr client, and the one place that builds one for a connection: short timeouts in the
web process, patient ones in polls.

Interactive clients are kept per process (keyed by the connection row's `updated_at`): an httpx
client costs milliseconds to build and keeps its connections alive, which is most of what an
explorer query would otherwise cost on top of Scalyr's own time. Scalyr answers overload with
`error/server/backoff` (retried by the core) rather than a quota per token, so no request budget is kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import httpx

from vendors.core import errors
from vendors.core.errors import SecretUnreadable
from vendors.scalyr.client.base import (
    READ_CONFIG,
    READ_LOGS,
    REGIONS,
    TOKEN_KINDS,
    TOKEN_LABELS,
    WRITE_CONFIG,
    WRITE_LOGS,
    MissingToken,
    ScalyrTransport,
    is_relative,
    resolve_base_url,
    time_param,
)
from vendors.scalyr.client.config_files import ConfigFileMethods
from vendors.scalyr.client.events import EventUploads
from vendors.scalyr.client.query import LogQueries
from vendors.scalyr.models import ScalyrConnection

__all__ = ["READ_CONFIG", "READ_LOGS", "REGIONS", "SECRET_NAMES", "TOKEN_KINDS", "TOKEN_LABELS", "WRITE_CONFIG",
           "WRITE_LOGS",
           "MissingToken", "ScalyrClient", "base_url", "client_for", "is_relative", "missing_token_reason",
           "resolve_base_url", "sender_for", "time_param", "token_kinds"]


class ScalyrClient(LogQueries, ConfigFileMethods, EventUploads, ScalyrTransport):
    """Scalyr (DataSet / SentinelOne SDL) log API client: queries, stats, config files and sending events."""


#: token kind -> the connection secret holding it (also the provisioning key: `read_logs_token_env`)
SECRET_NAMES = {kind: f"{kind}_token" for kind in TOKEN_KINDS}
#: a person is waiting: fail fast, retry a backoff once
INTERACTIVE = {"timeout": httpx.Timeout(connect=3.0, read=10.0, write=5.0, pool=3.0), "max_attempts": 2,
               "max_retry_seconds": 3.0, "backoff_initial": 0.2, "backoff_max": 1.0}
#: polls and Celery tasks: the core's defaults (several retries, capped in total time)
BACKGROUND: dict = {}
#: sending the console's events: the outbox keeps what failed and tries again later, so few retries here
SENDING = {"max_attempts": 2, "max_retry_seconds": 5.0, "backoff_initial": 0.5, "backoff_max": 2.0}
_CACHE_SIZE = 32
_cache: OrderedDict[tuple, ScalyrClient] = OrderedDict()
_lock = threading.Lock()


def base_url(connection: ScalyrConnection) -> str:
    region = (connection.settings or {}).get("region") or ""
    return connection.base_url or REGIONS.get(region, REGIONS["us"])


def token_kinds(connection: ScalyrConnection) -> frozenset[str]:
    """Which tokens are set, without decrypting any."""
    return frozenset(kind for kind in TOKEN_KINDS if connection.secrets.is_set(SECRET_NAMES[kind]))


def missing_token_reason(connection: ScalyrConnection, *kinds: str) -> str:
    """"" when one of `kinds` is set, else why the feature is disabled."""
    if token_kinds(connection) & set(kinds):
        return ""
    names = " or ".join(TOKEN_LABELS[k] for k in kinds)
    return f"This connection has no {names} token; a team admin can add one on the connection's page."


def _tokens(connection: ScalyrConnection) -> dict[str, str | None]:
    """The decrypted tokens; an undecryptable one becomes a vendor-style error the pages can show."""
    secrets = connection.secrets
    try:
        return {name: secrets.get(name) if secrets.is_set(name) else None for name in SECRET_NAMES.values()}
    except SecretUnreadable as exc:
        raise errors.VendorError(str(exc), code="secretUnreadable") from None


def sender_for(connection: ScalyrConnection) -> ScalyrClient:
    """A client for sending events to `connection` (close it after use)."""
    return ScalyrClient(base_url(connection), **_tokens(connection), **SENDING)


def client_for(connection: ScalyrConnection, *, interactive: bool = True) -> ScalyrClient:
    """A client for `connection`. Interactive ones are shared: never close them; close background ones.

    The shared ones are keyed by the row's `updated_at`, which every save through the form (or
    provisioning) moves, so a changed token or URL builds a new client and nothing is decrypted
    on the hot path of an explorer request.
    """
    url = base_url(connection)
    if not interactive:
        return ScalyrClient(url, **_tokens(connection), **BACKGROUND)
    key = (connection.pk, connection.updated_at, url)
    with _lock:
        client = _cache.get(key)
        if client is not None:
            _cache.move_to_end(key)
            return client
    client = ScalyrClient(url, **_tokens(connection), **INTERACTIVE)
    with _lock:
        # Replaced or evicted clients are not closed here: another thread may be using one.
        for stale in [k for k in _cache if k[0] == connection.pk]:
            del _cache[stale]
        _cache[key] = client
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return client
