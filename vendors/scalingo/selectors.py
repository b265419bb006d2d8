"""Reads of Scalingo rows, scoped to the user's teams."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from console.teams.selectors import teams_for_user
from vendors.core import selectors as core_selectors
from vendors.scalingo import models

SORTS = {"name": "name", "-name": "-name", "status": "status", "-status": "-status",
         "deployed": "last_deployed_at", "-deployed": "-last_deployed_at", "connection": "connection__name"}


def connection_ids(*, teams) -> list[int]:
    return core_selectors.connection_ids(model=models.ScalingoConnection, teams=teams)


def apps_for_user(*, user) -> QuerySet[models.App]:
    ids = connection_ids(teams=teams_for_user(user=user))
    return models.App.objects.filter(connection_id__in=ids).select_related("connection", "connection__team")


def app_get(*, user, pk: int) -> models.App:
    return get_object_or_404(apps_for_user(user=user), pk=pk)


def apps_filtered(*, user, params) -> QuerySet[models.App]:
    apps = apps_for_user(user=user)
    status = params.get("status")
    if status == "crashed":
        apps = apps.filter(Q(status=models.AppStatus.CRASHED) | Q(containers_crashed__gt=0))
    elif status:
        apps = apps.filter(status=status)
    if params.get("region"):
        apps = apps.filter(region=params["region"])
    if params.get("connection"):
        apps = apps.filter(connection__name=params["connection"])
    if params.get("team"):
        apps = apps.filter(connection__team__slug=params["team"])
    if params.get("q"):
        term = params["q"].strip()
        apps = apps.filter(Q(name__icontains=term) | Q(domains__icontains=term) | Q(owner__icontains=term))
    return apps.order_by(SORTS.get(params.get("sort", ""), "name"), "pk")
