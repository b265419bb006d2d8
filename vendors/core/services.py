"""Writes to connections: create, update, delete, enable, poll now, test."""

from __future__ import annotations

from django.db import transaction

from console.audit.models import Outcome
from console.audit.services import audit_record
from vendors.core import polling, registry
from vendors.core.alerts.evaluation import alerts_connection_gone
from vendors.core.dispatch import enqueue
from vendors.core.errors import SecretUnreadable, VendorError
from vendors.core.models import Connection


def connection_save(*, form, actor) -> Connection:
    creating = form.instance.pk is None
    with transaction.atomic():
        connection = form.save()
        audit_record(actor=actor, verb="connection.create" if creating else "connection.update",
                     target=connection, team=connection.team, detail=form.changed_summary(),
                     message="" if creating else form.changed_sentence())
    return connection


def connection_delete(*, connection: Connection, actor) -> None:
    with transaction.atomic():
        audit_record(actor=actor, verb="connection.delete", target=connection, team=connection.team)
        alerts_connection_gone(connection=connection)
        connection.delete()


def connection_set_enabled(*, connection: Connection, enabled: bool, actor) -> None:
    with transaction.atomic():
        type(connection).objects.filter(pk=connection.pk).update(enabled=enabled)
        connection.enabled = enabled
        audit_record(actor=actor, verb="connection.enable" if enabled else "connection.disable",
                     target=connection, team=connection.team)
        if not enabled:  # a disabled connection is watched by no one: its alerts resolve
            alerts_connection_gone(connection=connection)


def connection_poll_now(*, connection: Connection, actor) -> bool:
    """Queue an immediate poll; False when a poll is already running."""
    token = polling.connection_claim(connection=connection, force=True)
    audit_record(actor=actor, verb="connection.poll", target=connection, team=connection.team,
                 outcome=Outcome.PENDING if token else Outcome.FAILURE,
                 message="" if token else "A poll was already running.")
    if token:
        enqueue("vendors.core.tasks.poll_connection", connection.vendor, connection.pk, token)
    return token is not None


def connection_test(*, connection: Connection, actor) -> tuple[bool, str]:
    """One cheap authenticated call; returns (ok, sentence)."""
    spec = registry.get(connection.vendor)
    try:
        ok, message = True, spec.check(connection)
    except (VendorError, SecretUnreadable) as exc:
        ok, message = False, str(exc)
    audit_record(actor=actor, verb="connection.test", target=connection, team=connection.team,
                 outcome=Outcome.SUCCESS if ok else Outcome.FAILURE, message=message)
    return ok, message
