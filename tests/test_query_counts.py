"""SQL statements per page stay constant as data grows, and match the recorded baselines.

Like NetBox's query_counts.json: a change in a page's count fails here; refresh the
baselines deliberately with UPDATE_QUERY_COUNTS=1 and say why in the commit.
"""

import json
import os
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.seeding import seed_all
from console.teams.models import Membership, Role, Team
from tests.conftest import make_user

BASELINES = Path(__file__).with_name("query_counts.json")
PAGES = {
    "overview": lambda: reverse("overview:home"),
    "timeline": lambda: reverse("overview:timeline") + "?range=all",
    "connections": lambda: reverse("core:connection-list"),
    "scalingo-apps": lambda: reverse("scalingo:app-list"),
    "scalingo-apps-filtered": lambda: reverse("scalingo:app-list") + "?status=crashed&sort=-deployed",
    "scalingo-apps-search": lambda: reverse("scalingo:app-list") + "?q=app-00",
    "search": lambda: reverse("overview:search") + "?q=app-0",
    "scalr-farms": lambda: reverse("scalr:farm-list"),
    "scalr-farms-filtered": lambda: reverse("scalr:farm-list") + "?status=running&sort=-name",
    "scalr-servers": lambda: reverse("scalr:server-list"),
    "scalr-dns": lambda: reverse("scalr:dns-list"),
    "scalr-deployments": lambda: reverse("scalr:deployments"),
    "alerts": lambda: reverse("alerts:list"),
    "alerts-filtered": lambda: reverse("alerts:list") + "?state=all&severity=critical&vendor=scalingo",
    "incident": lambda: _incident_url(),
}


def _incident_url() -> str:
    """The incident page around the first app, now (its moment in the URL: the page itself, not a redirect)."""
    from django.utils import timezone

    from vendors.core.changes import incident_url
    from vendors.scalingo.models import App

    return incident_url(at=timezone.now(), around=[f"scalingo.app:{App.objects.order_by('pk').first().pk}"])


def count_queries(user) -> dict[str, int]:
    client = Client()
    client.force_login(user)
    counts = {}
    for name, url in PAGES.items():
        try:
            path = url()
        except Exception:  # a vendor app not installed in this run
            continue
        client.get(path)  # warm caches that are legitimately per-process
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        counts[name] = len(captured)
    return counts


@pytest.fixture
def viewer(db):
    teams = [Team.objects.create(name=f"team-{i}", slug=f"team-{i}") for i in range(2)]
    user = make_user("counter")
    for team in teams:
        Membership.objects.create(team=team, user=user, role=Role.VIEWER)
    return user, teams


def test_query_counts_are_constant_and_match_baselines(viewer):
    user, teams = viewer
    seed_all(teams=teams, scale=1, prefix="a")
    small = count_queries(user)
    seed_all(teams=teams, scale=4, prefix="b")  # five times the data in all
    large = count_queries(user)
    assert small == large, f"query counts grow with data: {small} vs {large}"
    # a full page at both sizes hides a query per row: no page may come near one per row
    assert max(small.values()) <= 30, f"a page looks like it runs a query per row: {small}"
    if os.environ.get("UPDATE_QUERY_COUNTS"):
        recorded = json.loads(BASELINES.read_text()) if BASELINES.exists() else {}
        BASELINES.write_text(json.dumps({**recorded, **small}, indent=2, sort_keys=True) + "\n")
    baselines = json.loads(BASELINES.read_text())
    for name, count in small.items():
        assert name in baselines, f"no baseline for {name}: run with UPDATE_QUERY_COUNTS=1"
        assert count == baselines[name], f"{name}: {count} queries, baseline {baselines[name]}"
