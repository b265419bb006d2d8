"""The apps list's FilterSet reads its query string as the hand-written parsing it replaced did,
good values and bad ones alike (compared below with that parsing, kept as the reference)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from console.teams.models import Role
from vendors.scalingo import models, selectors
from vendors.scalingo.filters import SORTS

pytestmark = pytest.mark.django_db


def as_before(*, user, params):
    """selectors.apps_filtered before the FilterSet."""
    apps = selectors.apps_for_user(user=user)
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


@pytest.fixture
def apps(team, members):
    now = timezone.now()
    connections = [models.ScalingoConnection.objects.create(name=name, team=team, base_url="https://api.test")
                   for name in ("prod", "staging")]
    rows = [("web-api", "running", "osc-fr1", "ops", "api.example.com", 0),
            ("worker", "crashed", "osc-fr1", "ops", "", 1),
            ("billing", "running", "osc-secnum-fr1", "finance", "pay.example.com", 2),
            ("sandbox", "stopped", "osc-fr1", "dev", "", 0),
            ("Web Shop", "new", "", "", "shop.example.com", 0)]
    for index, (name, status, region, owner, domains, crashed) in enumerate(rows):
        models.App.objects.create(connection=connections[index % 2], external_id=f"app-{index}", name=name,
                                  status=status, region=region, owner=owner, domains=domains,
                                  containers_crashed=crashed, last_deployed_at=now - timedelta(hours=index))
    return members[Role.VIEWER]


@pytest.mark.parametrize("query", [
    "", "status=running", "status=crashed", "status=bogus", "status=%20", "status=running&status=stopped",
    "region=osc-fr1", "region=osc-fr1%20", "region=", "connection=staging", "connection=nope", "team=platform",
    "team=data", "q=web", "q=%20web%20", "q=%20%20", "q=EXAMPLE", "q=", "sort=-deployed", "sort=deployed",
    "sort=status", "sort=-status", "sort=connection", "sort=-name", "sort=bogus", "sort=",
    "status=crashed&sort=-deployed", "q=web&region=osc-fr1&sort=-name", "page=abc&per_page=7",
])
def test_the_filterset_answers_as_the_hand_parsing_did(apps, query):
    params = QueryDict(query)
    found = list(selectors.apps_filtered(user=apps, params=params).values_list("name", flat=True))
    assert found == list(as_before(user=apps, params=params).values_list("name", flat=True))


def test_filters_do_their_job(apps):
    def names(query):
        return list(selectors.apps_filtered(user=apps, params=QueryDict(query)).values_list("name", flat=True))

    assert names("sort=-deployed") == ["web-api", "worker", "billing", "sandbox", "Web Shop"]
    assert set(names("status=crashed")) == {"billing", "worker"}  # crashed, or with a crashed container
    assert set(names("q=web")) == {"web-api", "Web Shop"}
    assert names("status=bogus") == []
