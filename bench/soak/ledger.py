"""What the database has against what the vendor has, and the outcome of every poll."""

from __future__ import annotations

import re
from collections import Counter


def db_rows(connection) -> set[str]:
    """The rows of `connection` that (b) watches, as "kind:external id"."""
    if connection.vendor == "scalr":
        from vendors.scalr.models import Farm, Server

        return ({f"farm:{i}" for i in Farm.objects.filter(connection=connection).values_list("external_id", flat=True)}
                | {f"server:{i}" for i in Server.objects.filter(connection=connection)
                   .values_list("external_id", flat=True)})
    if connection.vendor == "scalingo":
        from vendors.scalingo.models import App

        return {f"app:{i}" for i in App.objects.filter(connection=connection).values_list("external_id", flat=True)}
    from vendors.scalyr.models import SavedQuery

    charts = SavedQuery.objects.filter(connection=connection, kind=SavedQuery.Kind.CHART)
    return {f"chart:{pk}" for pk, values in charts.values_list("pk", "values")
            if any(v is not None for v in values or ())}


def vendor_rows(connection, world: dict) -> set[str] | None:
    """The rows the vendor has for `connection`; None where the vendor has no rows of its own (Scalyr:
    a saved chart's series is the console's; the events behind it stay at Scalyr, so every chart that had
    a series still should)."""
    settings = connection.settings or {}
    if connection.vendor == "scalr":
        key_id = connection.secrets.get("key_id")
        envs = set(world["envs_of_key"][key_id])
        if settings.get("env_ids"):
            envs &= {int(i) for i in settings["env_ids"]}
        farms = {farm for farm, env in world["farms"].items() if env in envs}
        return {f"farm:{f}" for f in farms} | {f"server:{s}" for s, farm in world["servers"].items()
                                                if str(farm) in farms}
    if connection.vendor == "scalingo":
        region = settings.get("region") or "osc-fr1"
        return {f"app:{i}" for i in world["apps_by_region"].get(region, [])}
    return None


class Ledger:
    """Per connection: outcomes, failure messages, rows ever stored and rows dropped while the vendor had them."""

    def __init__(self, connections):
        self.outcomes = {c.name: Counter() for c in connections}
        self.messages = {c.name: Counter() for c in connections}
        self.seen = {c.name: set() for c in connections}
        self.dropped = {c.name: Counter() for c in connections}  # kind -> rows dropped by polls
        self.dropping_polls = Counter()
        self.escaped: list[str] = []

    def poll(self, connection, world: dict) -> str:
        from vendors.core import polling

        name = connection.name
        before = db_rows(connection)
        lease = polling.connection_claim(connection=connection, force=True)
        if lease is None:
            status, message = "lease-held", "the lease was still held (a poll that did not release it?)"
        else:
            try:
                outcome = polling.connection_poll(vendor=connection.vendor, pk=connection.pk, lease=lease)
                status, message = outcome.status, outcome.message
            except Exception as exc:  # escaping connection_poll: counted under (a)
                status, message = "exception", f"{type(exc).__name__}: {exc}"
                self.escaped.append(f"{name}: {message}")
        after = db_rows(connection)
        self.seen[name] |= after
        has = vendor_rows(connection, world)
        dropped = (before - after) if has is None else (before & has) - after
        if dropped:
            self.dropping_polls[name] += 1
            self.dropped[name].update(row.split(":")[0] for row in dropped)
        self.outcomes[name][status] += 1
        if status not in ("ok",) and message:
            self.messages[name][normalised(message)] += 1
        return status


def normalised(message: str) -> str:
    """A failure message with its ids and numbers blanked, so the same failure is counted once."""
    message = re.sub(r"[0-9a-f]{24}|[0-9a-f]{8}-[0-9a-f-]{27}", "<id>", message)
    return re.sub(r"\d+", "N", message)[:240]


def complete(outcomes: Counter) -> int:
    return outcomes["ok"] + outcomes["degraded"]

