"""What a poll reads from Scalr: a farm's details and newest timeline, and an environment's catalogs.

A catalog the key may not read fails alone (a poll part); what the API generation never offers
is "not available", in the clients' own words, and hides that page feature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db.models import Max

from vendors.core import errors
from vendors.core.parts import MISSING, PollParts
from vendors.scalr import models
from vendors.scalr.client import Deprecated, NotAvailable, ScalrClient
from vendors.scalr.client import records as r

#: events and log lines read per farm; when a farm is known, a peek first (often all that is new)
TIMELINE_PAGE = 20
TIMELINE_PEEK = 5
#: (inventory attribute, client method) of the environment-wide lists
CATALOGS = (("roles", "list_roles"), ("scripts", "list_scripts"), ("dns_zones", "list_dns_zones"),
            ("vhosts", "list_apache_vhosts"), ("dm_sources", "list_dm_sources"),
            ("dm_applications", "list_dm_applications"))
#: which page feature a missing catalog hides
FEATURE_OF = {"dns_zones": "dns", "vhosts": "vhosts", "dm_sources": "deployments", "dm_applications": "deployments",
              "roles": "roles", "scripts": "scripts"}


@dataclass
class FarmFetch:
    """What one poll learnt about one farm beyond the farm list."""

    details: r.FarmDetails | r.Unchanged
    events: tuple[r.Event, ...] = ()
    logs: tuple[r.LogEntry, ...] = ()
    #: False: the roles are as stored (APIv2 re-reads farm roles on a rotation), only servers are new
    config_read: bool = True


@dataclass
class EnvInventory:
    environment: r.Environment
    farms: list[r.Farm] | None  # None: the farm list could not be read in this poll (keep what is stored)
    fetched: dict[int, FarmFetch] = field(default_factory=dict)  # farm id -> details of this poll
    #: None: not fetched in this poll (keep what is stored)
    roles: list[r.Role] | None = None
    scripts: list[r.Script] | None = None
    dns_zones: list[r.DnsZone] | None = None
    vhosts: list[r.ApacheVhost] | None = None
    dm_sources: list[r.DmSource] | None = None
    dm_applications: list[r.DmApplication] | None = None
    #: feature -> reason it cannot be shown on this connection
    unavailable: dict[str, str] = field(default_factory=dict)


class FarmMarks(NamedTuple):
    """What is stored of a farm, so a poll asks and reads only what is new."""

    newest_event: datetime | None = None
    newest_log: datetime | None = None
    fingerprint: str | None = None  # of the details last written


def fetch_farm(client: ScalrClient, env_id: int, farm_id: int, *, with_logs: bool = True,
               known: FarmMarks | None = None) -> FarmFetch | None:
    """A farm's details, newest events and (Query API) log lines; None when the farm is gone.

    With `known`, details answered as last written come back `Unchanged` (not read again),
    and when the first few events or log lines reach back to the newest stored, the rest of
    the page is already stored and is not asked for.
    """
    event_mark, log_mark, fingerprint = known or FarmMarks()
    try:
        details = client.farm_details(env_id=env_id, farm_id=farm_id, known=fingerprint)
    except errors.NotFound:
        return None
    try:  # Scalr 5.11 has no /event-logs/ (7.x only): a farm's details do not depend on it
        events = _recent(lambda limit: client.list_events(env_id=env_id, farm_id=farm_id, limit=limit), event_mark)
    except (NotAvailable, Deprecated):
        events = ()
    logs = ()
    if with_logs and client.api == "v1":
        logs = _recent(lambda limit: client.list_logs(env_id=env_id, farm_id=farm_id, limit=limit), log_mark)
    return FarmFetch(details=details, events=tuple(events), logs=tuple(logs))


def _recent(read, newest) -> tuple:
    if newest is None:
        return read(TIMELINE_PAGE).items
    peek = read(TIMELINE_PEEK)
    if not peek.has_more or (peek.items and peek.items[-1].timestamp and peek.items[-1].timestamp < newest):
        return peek.items
    return read(TIMELINE_PAGE).items


def farm_marks(connection: models.ScalrConnection) -> dict[int, FarmMarks]:
    """farm id -> what is stored of it, in three queries."""
    events = dict(models.Event.objects.filter(connection=connection, farm__isnull=False, via=models.EventVia.POLL)
                  .values_list("farm__external_id").annotate(newest=Max("timestamp")).values_list(
                      "farm__external_id", "newest"))
    logs = dict(models.LogEntry.objects.filter(farm__connection=connection).values_list("farm__external_id")
                .annotate(newest=Max("timestamp")).values_list("farm__external_id", "newest"))
    fingerprints = dict(connection.farms.exclude(details_fingerprint="").values_list("external_id",
                                                                                      "details_fingerprint"))
    return {farm_id: FarmMarks(events.get(farm_id), logs.get(farm_id), fingerprints.get(farm_id))
            for farm_id in set(events) | set(logs) | set(fingerprints)}


#: catalog -> how a person names it
CATALOG_LABELS = {"roles": "roles and images", "scripts": "scripts", "dns_zones": "DNS zones",
                  "vhosts": "Apache vhosts", "dm_sources": "deployment sources",
                  "dm_applications": "deployment applications"}


def read_catalogs(client: ScalrClient, inventory: EnvInventory, parts: PollParts) -> None:
    """Each catalog is a part: one the key may not read, or that this installation answers it lacks (an
    older Scalr: `EndpointNotFound`, an undefined action), fails alone and stays as stored (None). What the
    API generation never offers, or Scalr declares deprecated, is "not available": no failure."""
    env = inventory.environment
    for name, method in CATALOGS:
        def read(method=method):
            try:
                return getattr(client, method)(env_id=env.id)
            except NotAvailable as exc:
                if exc.status is not None:  # Scalr answered so: a missing endpoint is this part's failure
                    raise
                return exc
            except Deprecated as exc:
                return exc
        answer = parts.read(f"env:{env.id}:{name}", f"{CATALOG_LABELS[name]} in {env.name}", read)
        if isinstance(answer, (NotAvailable, Deprecated)):
            inventory.unavailable[FEATURE_OF[name]] = answer.message.rstrip(".")  # no request id: stable
            setattr(inventory, name, [])
        elif answer is not MISSING:
            setattr(inventory, name, answer)
    inventory.unavailable.update(static_unavailable(client.api))


def static_unavailable(api: str) -> dict[str, str]:
    """What the API generation never offers, in the clients' own words."""
    if api == "v2":
        return {"logs": "The farm system log is not available on APIv2: LogsList has no APIv2 endpoint",
                "stats": "Farm usage statistics and monitoring graphs are not available on APIv2 "
                         "(FarmGetStats, StatisticsGetGraphURL)",
                "images": "Creating an image from a server is not available on APIv2: use the Query API "
                          "(ServerImageCreate)",
                "script_variables": "Script configuration variables are not available on APIv2: APIv2 script "
                                    "execution takes none"}
    return {"lock": "Farm lock is not available on the Query API",
            "suspend": "Server suspend and resume are not available on the Query API",
            "hard_reboot": "Hard reboot is not available on the Query API: ServerReboot only reboots softly",
            "clone_name": "Naming a farm clone is not available on the Query API: FarmClone names it "
                          "'<farm> (clone #n)'"}


