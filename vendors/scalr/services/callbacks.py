"""Scalr's event notifications ("callbacks to a web URL", seed 003): one secret URL per connection.

Scalr posts form data with `event` (HostUp, HostDown...) and `message` (a description naming
the farm, role and server). The URL carries the connection id and a random token stored
encrypted with the connection's secrets; anything else answers 404 and changes nothing.
A call records the event on the farm's timeline and refreshes that farm at once.

Whoever holds the URL cannot make the console hammer Scalr with it:
- an event received twice (the same event id, or when Scalr sends none the same event, message and
  farm) within REPLAY_WINDOW is recorded once; the repeat answers as if accepted and does nothing;
- a connection's callbacks start at most one refresh per REFRESH_EVERY seconds; those that come
  sooner are recorded and coalesce into one poll the scheduler runs when the window ends.
The marks live in the shared cache (Redis in production), so every web process sees them.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import timedelta
from enum import Enum

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from console.audit.services import audit_record
from console.params import digits
from vendors.core import polling
from vendors.core.dispatch import enqueue
from vendors.scalr import models
from vendors.scalr.forms import CALLBACK_SECRET, new_callback_token

_FARM_ID = re.compile(r"\bfarm\s*(?:id)?\s*[#:=(]*\s*(?:id[:\s]*)?(\d+)", re.I)
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
#: seconds an event is remembered, so a replay of it changes nothing
REPLAY_WINDOW = 24 * 3600
#: seconds between two refreshes a connection's callbacks may start
REFRESH_EVERY = 30


class Received(Enum):
    RECORDED = "recorded"  # recorded, and a refresh started
    COALESCED = "coalesced"  # recorded; the poll due at the end of the window covers it
    REPLAYED = "replayed"  # seen already: nothing done


def callback_token(connection: models.ScalrConnection) -> str:
    """The token, created on first use for connections made before callbacks existed."""
    token = connection.secrets.get(CALLBACK_SECRET)
    if not token:
        token = new_callback_token()
        connection.secrets.set(CALLBACK_SECRET, token)
        type(connection).objects.filter(pk=connection.pk).update(secrets=connection.secrets)
    return token


def scalr_callback_token_rotate(*, connection: models.ScalrConnection, actor) -> None:
    with transaction.atomic():
        connection.secrets.set(CALLBACK_SECRET, new_callback_token())
        type(connection).objects.filter(pk=connection.pk).update(secrets=connection.secrets)
        audit_record(actor=actor, verb="scalr.callback.rotate", target=connection, team=connection.team,
                     message="The event callback URL was replaced; the previous one now answers 404.")


def find_farm(connection: models.ScalrConnection, *, hint: str, message: str) -> models.Farm | None:
    """The farm an event is about: an explicit farm id, a server id, a farm id or name in the message."""
    farms = connection.farms.all()
    candidates = [digits(hint), *(digits(found) for found in _FARM_ID.findall(message))]
    for farm_id in candidates:
        farm = farms.filter(external_id=farm_id).first() if farm_id is not None else None
        if farm:
            return farm
    for server_id in _UUID.findall(message):
        server = connection.servers.filter(external_id=server_id.lower()).select_related("farm").first()
        if server:
            return server.farm
    named = [farm for farm in farms.only("pk", "name", "external_id", "connection_id", "environment_id")
             if farm.name and re.search(rf"(?<![\w-]){re.escape(farm.name)}(?![\w-])", message)]
    return max(named, key=lambda farm: len(farm.name)) if named else None


def scalr_callback_receive(*, connection: models.ScalrConnection, event: str, message: str,
                           farm_hint: str = "", event_id: str = "") -> Received:
    seen = hashlib.sha256("\0".join([event_id] if event_id else [event, message, farm_hint]).encode()).hexdigest()
    seen_key = f"scalr:callback:seen:{connection.pk}:{seen}"
    if not cache.add(seen_key, True, REPLAY_WINDOW):
        return Received.REPLAYED
    try:
        return _record(connection, event=event, message=message, farm_hint=farm_hint)
    except BaseException:
        cache.delete(seen_key)  # not recorded: Scalr's retry must not count as a replay
        raise


def _record(connection: models.ScalrConnection, *, event: str, message: str, farm_hint: str) -> Received:
    farm = find_farm(connection, hint=farm_hint, message=message)
    refresh_now = cache.add(f"scalr:callback:refresh:{connection.pk}", True, REFRESH_EVERY)
    with transaction.atomic():
        models.Event.objects.create(
            connection=connection, farm=farm, external_id=f"callback-{uuid.uuid4().hex}",
            type=(event or "Notification")[:64], timestamp=timezone.now(), message=message[:5000],
            via=models.EventVia.CALLBACK)
        if not refresh_now:
            due = timezone.now() + timedelta(seconds=REFRESH_EVERY)
            type(connection).objects.filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__gt=due),
                                            pk=connection.pk).update(next_poll_at=due)
            return Received.COALESCED
        if farm is not None:
            enqueue("scalr.refresh_farm", farm.pk, after_commit=True)
        elif connection.enabled:
            lease = polling.connection_claim(connection=connection, force=True)
            if lease:
                enqueue("vendors.core.tasks.poll_connection", connection.vendor, connection.pk, lease,
                        after_commit=True)
    return Received.RECORDED
