"""How much of the hour a poll may spend, and on which farms' details (see `poll`)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from vendors.core.budget import RequestBudget
from vendors.scalr import models
from vendors.scalr.client import records as r
from vendors.scalr.sync.fetch import CATALOGS

#: requests one farm costs: details, events, logs (Query API); farm, servers, farm roles, events (APIv2)
CALLS_PER_FARM = {"v1": 3, "v2": 4}
#: requests left for people opening pages (script content, records, graphs) in each poll's share
RESERVE = 20


def poll_capacity(connection: models.ScalrConnection, budget: RequestBudget, spent: int = 0) -> int | None:
    """Requests this poll may still spend on farm details in one environment (None: no limit).

    `spent`: what the poll already sent there (the farm list, the catalogs), not yet in the budget.
    """
    if budget.limit is None:
        return None
    share = budget.limit * connection.poll_seconds // 3600
    return max(0, min(share, budget.remaining() or 0) - RESERVE - spent)


def plan_farms(connection: models.ScalrConnection, farms: list[r.Farm], capacity: int | None) -> list[r.Farm]:
    """The farms whose details this poll fetches, most urgent first."""
    if capacity is None:
        return farms
    known = {row["external_id"]: row for row in connection.farms.filter(
        external_id__in=[f.id for f in farms]).values("external_id", "status", "details_synced_at",
                                                      "servers_total", "servers_running")}
    epoch = timezone.now() - timedelta(days=3650)

    def urgency(farm: r.Farm):
        row = known.get(farm.id)
        if row is None or row["details_synced_at"] is None:
            return (0, epoch)
        moving = (farm.status != row["status"] or str(farm.status) in models.TRANSITIONAL_FARM
                  or (farm.status == r.FarmStatus.RUNNING and row["servers_running"] < row["servers_total"]))
        if moving:
            return (1, row["details_synced_at"])
        return (2 if farm.status == r.FarmStatus.RUNNING else 3, row["details_synced_at"])

    return sorted(farms, key=urgency)[:capacity // CALLS_PER_FARM[connection.api]]


#: requests an environment's reading costs before any farm's details: its farm list and catalogs
POLL_MINIMUM = 1 + len(CATALOGS)


def poll_may_read(budget: RequestBudget) -> bool:
    """Whether a poll may read an environment without eating the share of the hour kept for people."""
    remaining = budget.remaining()
    return remaining is None or remaining >= RESERVE + POLL_MINIMUM


def waiting_note(environments) -> str:
    names = ", ".join(env.name for env in environments)
    return (f"the Query API's hourly requests of {names} are spent but for the {RESERVE} kept for people; "
            f"{'it waits' if len(environments) == 1 else 'they wait'} for the next hour, showing what was read before")


def budget_note(connection, env: r.Environment, budget: RequestBudget, total: int, chosen: int) -> str:
    polls = -(-total // chosen) if chosen else None
    every = (f"every farm's details are refreshed at least every {polls} polls "
             f"(about {max(1, polls * connection.poll_seconds // 60)} min)") if polls else \
        "no budget was left for farm details in this poll"
    return (f"Environment {env.name}: {total} farms, {chosen} refreshed in this poll to stay under the Query API "
            f"limit of {budget.limit} requests an hour; {every}.")


