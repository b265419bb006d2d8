"""A Scalingo poll planned to fit the documented 60 requests per minute per token (the plan
and the fetch; write.py writes what it read).

Each poll reads the app list and the account's event feed (to learn which apps changed),
then refreshes the details of the apps that need it, as far as the remaining budget allows:
apps never seen in detail first, then apps whose status changed or that had events (Scalingo
records a scale, a restart, a crash, a deployment, an addon, a domain or a collaborator
change in the feed), then, in turn, the ones refreshed longest ago. An app without a change
costs nothing beyond the app list: its configuration (addons, domains, collaborators...) is
re-read in that rotation, a tenth of the apps a poll (at most ROTATION_CAP), and its page says
when it was read. When the feed cannot say what changed (its read failed, or more happened
than EVENT_PAGES hold), every app is refreshed. When an account has more apps than one
interval allows, the connection page says how fresh the details are.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.utils import timezone

from vendors.core import errors
from vendors.core.budget import budgeted
from vendors.core.parts import PollParts
from vendors.scalingo import models
from vendors.scalingo.client import ScalingoClient, budget_for, client_for
from vendors.scalingo.sync.write import AppDetails, scalingo_app_sync, scalingo_inventory_sync

#: requests one app's details cost: containers, ps, stats, addons, domains, collaborators, deployments
CALLS_PER_APP = 7
#: requests kept back for interactive reads (a user opening an app, its logs...)
RESERVE = 15
EVENT_PAGES = 3
#: requests a poll needs before any details: the token exchange, the app list, a page of the feed
POLL_MINIMUM = 3
FETCH_CONCURRENCY = 4
#: an unchanged app's details are re-read at least every ROTATION_POLLS polls on accounts up to
#: ROTATION_POLLS * ROTATION_CAP apps; past that, ROTATION_CAP apps a poll, so a steady poll of a
#: large account costs about what a small one's does (changes still show at the next poll)
ROTATION_POLLS = 10
ROTATION_CAP = 12


def fetch_details(client: ScalingoClient, app: str) -> AppDetails:
    return AppDetails(
        formation=tuple(client.formation(app)), containers=tuple(client.ps(app)), stats=tuple(client.stats(app)),
        addons=tuple(client.addons(app)), domains=tuple(client.domains(app)),
        collaborators=tuple(client.collaborators(app)), deployments=tuple(client.deployments(app).items),
    )


def rotation_share(apps: int) -> int:
    """How many unchanged apps a poll re-reads in turn."""
    return min(ROTATION_CAP, -(-apps // ROTATION_POLLS))


def _plan(connection, apps, changed_names: set[str] | None) -> tuple[list, int]:
    """The apps to read in detail, most needed first, and how many unchanged apps were left for
    later polls. `changed_names` None: the feed could not say what changed, so every app is read."""
    # values_list, not .only(): rows of a related manager deferring their foreign key cost one
    # query each (the manager reads connection_id on every row to attach the connection)
    known = {ext: (status, synced) for ext, status, synced in
             connection.apps.values_list("external_id", "status", "details_synced_at")}
    unseen, changed, steady = [], [], []
    for record in apps:
        status, synced = known.get(record.id, (None, None))
        if synced is None:
            unseen.append(record)
        elif changed_names is None or record.name in changed_names or status != record.status:
            changed.append((synced, record))
        else:
            steady.append((synced, record))
    changed.sort(key=lambda pair: pair[0])
    steady.sort(key=lambda pair: pair[0])
    share = rotation_share(len(apps))
    chosen = unseen + [record for _, record in changed] + [record for _, record in steady[:share]]
    return chosen, max(0, len(steady) - share)


def scalingo_connection_poll(connection: models.ScalingoConnection, parts: PollParts | None = None) -> list[str]:
    """The app list is the poll's root (its failure fails the poll); the event feed and each app's
    details are parts that fail alone, keeping what was stored."""
    parts = parts or PollParts(connection)
    budget = budget_for(connection)
    available = budget.remaining()
    if available is not None and available < POLL_MINIMUM + RESERVE:
        # Asking anyway would only earn 429s from Scalingo, and eat what is kept for people.
        raise errors.Deferred(f"this token's {budget.limit} requests a minute are spent (app pages, logs, actions "
                              f"keep {RESERVE} of them); the poll waits for the next minute",
                              retry_in=budget.seconds_to_reset())
    with budgeted(client_for(connection), budget) as client:
        apps = client.apps()
        newest = connection.events.order_by("-created_at").values_list("created_at", flat=True).first()
        complete = [newest is None]  # whether the feed reached what was stored: it then names every change

        def read_events():
            read = []
            for page in range(1, EVENT_PAGES + 1):
                if page > 1 and available is not None and client.limited_requests >= available - RESERVE:
                    break
                batch = client.events(page=page)
                read.extend(batch.items)
                reached = not batch.pagination.next_page or (newest and any(
                    e.created_at and e.created_at <= newest for e in batch.items))
                if reached:
                    complete[0] = True
                    break
            return read

        events = parts.read("events", "the account's event feed", read_events)
        changed = {e.app_name for e in events or () if e.app_name and (newest is None or
                                                                     (e.created_at and e.created_at > newest))}
        events = events or []
        remaining = budget.remaining()
        capacity = None if remaining is None else max(0, (remaining - client.limited_requests - RESERVE)
                                                       // CALLS_PER_APP)
        wanted, waiting = _plan(connection, apps, changed if complete[0] else None)
        chosen = wanted if capacity is None else wanted[:capacity]
        details = {}

        def read_details(record):
            try:
                return fetch_details(client, record.id)
            except errors.NotFound as missing:
                if missing.details.get("resource") != "app":
                    raise
                return None  # deleted since the app list was read: the next poll removes its row

        def fetch(record):  # after a 429, the other apps keep their details for the next poll
            detail = parts.read(f"app:{record.id}", f"details of app {record.name}", lambda: read_details(record))
            if detail:
                details[record.id] = detail

        with ThreadPoolExecutor(max_workers=FETCH_CONCURRENCY) as pool:
            list(pool.map(fetch, chosen))
    result = scalingo_inventory_sync(connection=connection, apps=apps, details=details, events=events)
    notes = [f"{result['apps']} apps; details of {result['detailed']} refreshed in this poll."]
    if parts.limited is not None:
        notes.append("Scalingo answered 'Retry later' (60 requests a minute per token): the remaining apps' "
                     "details wait for the next poll.")
    if waiting and len(chosen) == len(wanted):
        share = rotation_share(len(apps))
        notes.append(f"Apps without a change since the last poll (same status, nothing in the event feed) have "
                     f"their details re-read in turn, {share} a poll: each at least every "
                     f"{-(-len(apps) // share)} polls.")
    if capacity is not None and len(wanted) > len(chosen):
        polls = -(-len(apps) // max(1, capacity)) if capacity else None
        notes.append(
            f"The account has more apps than {budget.limit} requests a minute can refresh at once: "
            + (f"every app's details are refreshed at least every {polls} polls "
               f"(about {polls * connection.poll_seconds // 60} min)." if polls else
               "no budget was left for details in this poll.")
        )
    return notes


def scalingo_app_refresh(connection: models.ScalingoConnection, app: models.App, **client_options) -> None:
    """Refresh one app's details now (a user is looking at it, an action ended), within the budget.
    `client_options` go to the client (an action's refresh does not wait out retries)."""
    budget = budget_for(connection)
    remaining = budget.remaining()
    if remaining is not None and remaining < CALLS_PER_APP + 2:  # + the token exchange and the app itself
        return
    with budgeted(client_for(connection, **client_options), budget) as client:
        record = client.app(app.external_id)
        detail = fetch_details(client, app.external_id)
    scalingo_app_sync(connection=connection, record=record, detail=detail)
