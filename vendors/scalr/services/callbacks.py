"""Scalr's event notifications ("callbacks to a web URL", seed 003): one secret URL per connection.

Scalr posts form data with `event` (HostUp, HostDown...) and `message` (a description naming
the farm, role and server). The URL carries the connection id and a random token stored
encrypted with the connection's secrets; anything else answers 404 and changes nothing.
A call records the event on the farm's timeline and refreshes that farm at once.
"""

from __future__ import annotations

import re
import uuid

from django.db import transaction
from django.utils import timezone

from console.audit.services import audit_record
from vendors.core import polling
from vendors.core.dispatch import enqueue
from vendors.scalr import models
from vendors.scalr.forms import CALLBACK_SECRET, new_callback_token

_FARM_ID = re.compile(r"\bfarm\s*(?:id)?\s*[#:=(]*\s*(?:id[:\s]*)?(\d+)", re.I)
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)


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
    candidates = [hint] if hint and hint.isdigit() else []
    candidates += _FARM_ID.findall(message)
    for farm_id in candidates:
        farm = farms.filter(external_id=int(farm_id)).first()
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
                           farm_hint: str = "") -> models.Event:
    farm = find_farm(connection, hint=farm_hint, message=message)
    with transaction.atomic():
        row = models.Event.objects.create(
            connection=connection, farm=farm, external_id=f"callback-{uuid.uuid4().hex}",
            type=(event or "Notification")[:64], timestamp=timezone.now(), message=message[:5000],
            via=models.EventVia.CALLBACK)
        if farm is not None:
            enqueue("scalr.refresh_farm", farm.pk, after_commit=True)
        elif connection.enabled:
            lease = polling.connection_claim(connection=connection, force=True)
            if lease:
                enqueue("vendors.core.tasks.poll_connection", connection.vendor, connection.pk, lease,
                        after_commit=True)
    return row
