"""Rows as polls and actions leave them: Scalingo and Scalr events, console actions, for the incident tests."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from console.audit.services import audit_record
from tests.harness.factories import AppFactory, FarmFactory, ScalingoConnectionFactory, ScalrConnectionFactory
from vendors.core.models import ActionRun

_ids = itertools.count(1)


def ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def scalingo_app(team, name="shop-api", connection=None):
    connection = connection or ScalingoConnectionFactory(name=f"scalingo-{team.slug}", team=team)
    return AppFactory(connection=connection, name=name)


def scalingo_event(app, kind, when, user="ops", **type_data):
    from vendors.scalingo.models import Event

    return Event.objects.create(connection=app.connection, app=app, external_id=f"ev-{next(_ids)}",
                                app_name=app.name, type=kind, created_at=when, user=user, type_data=type_data)


def scalr_farm(team, name="db-prod"):
    connection = ScalrConnectionFactory(team=team)
    return FarmFactory(environment__connection=connection, name=name, servers_running=3, servers_total=3)


def scalr_event(farm, kind, when, message=""):
    from vendors.scalr.models import Event

    return Event.objects.create(connection=farm.connection, farm=farm, external_id=f"sev-{next(_ids)}", type=kind,
                                timestamp=when, message=message or f"{kind} on {farm.name}")


def console_action(app, actor, verb, summary, when, status="succeeded"):
    """An action run through the console on a Scalingo app, as the pipeline leaves it."""
    audit = audit_record(actor=actor, verb=verb, target=app, team=app.connection.team, message=summary,
                         detail={"connection": app.connection.name})
    action = ActionRun.objects.create(vendor="scalingo", connection_id=app.connection_id, team=app.connection.team,
                                      actor=actor, verb=verb, target_label=app.name, summary=summary, status=status,
                                      audit=audit, target_url=f"/scalingo/apps/{app.pk}/")
    ActionRun.objects.filter(pk=action.pk).update(created_at=when)
    type(audit).objects.filter(pk=audit.pk).update(created_at=when)
    action.refresh_from_db()
    return action
