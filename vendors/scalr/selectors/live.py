"""Reads that go to Scalr when a page asks (script content, DNS records, variables, statistics).

They are cached briefly in the shared cache, so everyone opening the same page shares one
request, and they draw from the environment's Query API budget like the poll does. A
private variable's value never reaches the cache or the page; the other values are cached
sealed (encrypted with the project's keys, vendors.core.crypto), never as plain text.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import timedelta

from cryptography.fernet import InvalidToken
from django.core.cache import cache
from django.utils import timezone

from console.moments import moment_text
from vendors.core import crypto, errors
from vendors.scalr import models
from vendors.scalr.client import budget_for, budgeted_client
from vendors.scalr.client import records as r

WATCHERS = (("CPU", "CPU"), ("MEM", "Memory"), ("LA", "Load average"), ("NET", "Network"))
PERIODS = ("daily", "weekly", "monthly", "yearly")
#: seconds each read is kept in the cache
SCRIPT_TTL, RECORDS_TTL, VARIABLES_TTL, STATS_TTL = 300, 30, 15, 600
#: requests kept in the hour for the poll when someone reads interactively
INTERACTIVE_FLOOR = 5


def records_cache_key(env_pk: int, zone_name: str) -> str:
    return f"scalr:dns:{env_pk}:{zone_name}"


def variables_cache_key(connection_pk, env_id, scope, scope_id) -> str:
    return f"scalr:vars:{connection_pk}:{env_id}:{scope}:{scope_id or ''}"


def _seal(value) -> bytes:
    return crypto.multifernet().encrypt(pickle.dumps(value))


def _unseal(sealed: bytes):
    """The value, or None when no key opens it any more (the keys were rotated): read it again."""
    try:
        return pickle.loads(crypto.multifernet().decrypt(sealed))  # noqa: S301 (authenticated by Fernet)
    except (InvalidToken, TypeError):
        return None


def _read(connection: models.ScalrConnection, env_id: int, key: str, ttl: int, fetch: Callable, *,
          sealed: bool = False):
    cached = cache.get(key)
    if cached is not None and sealed:
        cached = _unseal(cached)
    if cached is not None:
        return cached
    budget = budget_for(connection, env_id)
    remaining = budget.remaining()
    if remaining is not None and remaining < INTERACTIVE_FLOOR:
        reset = timezone.now() + timedelta(seconds=budget.seconds_to_reset())
        raise errors.RateLimited(f"This environment's Query API budget ({budget.limit} requests an hour) is spent "
                                 f"until {moment_text(reset)}.")
    with budgeted_client(connection, env_id, max_attempts=2, max_retry_seconds=5) as client:
        value = fetch(client)
    cache.set(key, _seal(value) if sealed else value, ttl)
    return value


def script_details(*, script: models.Script, revision: int | None = None) -> r.ScriptDetails:
    env = script.environment
    key = f"scalr:script:{env.pk}:{script.external_id}:{revision or 'all'}"
    return _read(env.connection, env.external_id, key, SCRIPT_TTL,
                 lambda client: client.script_details(env_id=env.external_id, script_id=script.external_id,
                                                      show_content=revision is not None, revision=revision))


def script_run_choices(*, script: models.Script, chosen=None) -> tuple[list[int], list[str], str]:
    """What a run of the script may choose: its revisions, the configuration variables of the `chosen`
    one (the newest by default), and why Scalr could not say (then every revision up to the latest one
    the poll saw, and no variables)."""
    revisions = list(range(script.latest_revision, 0, -1))
    try:
        details = script_details(script=script)
    except errors.VendorError as exc:
        return revisions, [], str(exc)
    revisions = [rev.revision for rev in details.revisions] or revisions
    chosen = chosen or (revisions[0] if revisions else None)
    revision = next((rev for rev in details.revisions if str(rev.revision) == str(chosen)), None)
    return revisions, list(revision.variables) if revision else [], ""


def dns_records(*, zone: models.DnsZone) -> list[r.DnsRecord]:
    env = zone.environment
    return _read(env.connection, env.external_id, records_cache_key(env.pk, zone.name), RECORDS_TTL,
                 lambda client: client.list_dns_records(env_id=env.external_id, zone_name=zone.name))


def global_variables(*, environment: models.Environment, scope: str, scope_id) -> list[r.GlobalVariable]:
    keyword = {"farm": "farm_id", "farmrole": "farm_role_id", "role": "role_id", "server": "server_id"}

    def fetch(client):
        found = client.list_global_variables(env_id=environment.external_id,
                                             **({keyword[scope]: scope_id} if scope in keyword else {}))
        return [r.GlobalVariable(v.name, "" if v.private else v.value, v.private) for v in found]

    key = variables_cache_key(environment.connection_id, environment.external_id, scope, scope_id)
    return _read(environment.connection, environment.external_id, key, VARIABLES_TTL, fetch, sealed=True)


def farm_stats(*, farm: models.Farm) -> list[r.FarmStatistic]:
    env_id = farm.environment.external_id
    return _read(farm.connection, env_id, f"scalr:stats:{farm.pk}", STATS_TTL,
                 lambda client: client.farm_stats(env_id=env_id, farm_id=farm.external_id))


def graph_urls(*, environment: models.Environment, object_type: str, object_id, period: str) -> list[tuple[str, str]]:
    """(label, image URL) for CPU, memory, load average and network over `period`."""
    key = f"scalr:graphs:{environment.pk}:{object_type}:{object_id}:{period}"
    return _read(environment.connection, environment.external_id, key, STATS_TTL,
                 lambda client: [(label, client.statistics_graph_url(
                     env_id=environment.external_id, object_type=object_type, object_id=object_id, watcher=watcher,
                     graph_type=period)) for watcher, label in WATCHERS])
