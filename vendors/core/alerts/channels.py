"""Writes to notification channels: save (the page and `provision`), delete, send a test."""

from __future__ import annotations

from django.db import transaction

from console.audit.services import audit_record
from vendors.core.alerts import notifications
from vendors.core.alerts.models import Channel, Delivery


def channel_save(*, form, actor) -> Channel:
    creating = form.instance.pk is None
    with transaction.atomic():
        channel = form.save()
        audit_record(actor=actor, verb="channel.create" if creating else "channel.update", target=channel,
                     team=channel.team, message=f"Added the {channel.get_kind_display().lower()} channel."
                     if creating else form.changed_sentence(),
                     detail={"fields": [name for name in form.changed_data
                                        if name not in ("url", "signing_secret", "clear_signing_secret")],
                             "secrets_changed": form.changed_secrets})
    return channel


def channel_delete(*, channel: Channel, actor) -> None:
    with transaction.atomic():
        audit_record(actor=actor, verb="channel.delete", target=channel, team=channel.team)
        channel.delete()


def channel_test(*, channel: Channel, actor) -> Delivery:
    """Queue a test notification; its delivery row says how it went."""
    with transaction.atomic():
        [delivery] = notifications.deliveries_queue([
            Delivery(channel=channel, event=Delivery.Event.TEST, payload=notifications.test_payload(channel))])
        audit_record(actor=actor, verb="channel.test", target=channel, team=channel.team,
                     message="Queued a test notification (the channel's page shows how it went).")
    return delivery
