"""The merged timeline pages through entries that share a timestamp without losing or repeating any;
the global search finds connections."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.urls import reverse
from django.utils import timezone

from console.audit.models import AuditEvent
from dashboard.overview import services, views
from console.teams.models import Role, Team
from tests.scalr.seeding import seed_scalr
from vendors.core import registry
from vendors.scalr.models import Event, Farm

pytestmark = pytest.mark.django_db


@pytest.fixture
def tied(team):
    """Console and Scalr entries, most of them sharing one of three timestamps."""
    seed_scalr(teams=[team], scale=1)
    Event.objects.all().delete()
    now = timezone.now().replace(microsecond=0)
    times = [now] * 4 + [now - timedelta(minutes=1)] * 5 + [now - timedelta(minutes=2)] * 3
    for number, when in enumerate(times):
        event = AuditEvent.objects.create(actor_label="ops", verb="test.tie", target_type="x",
                                          target_label=f"audit-{number}", team=team, message=f"audit {number}")
        AuditEvent.objects.filter(pk=event.pk).update(created_at=when)
    farm = Farm.objects.first()
    Event.objects.bulk_create([Event(connection=farm.connection, farm=farm, external_id=f"ev-{number}",
                                     type="HostUp", timestamp=when, message=f"scalr {number}")
                               for number, when in enumerate(times[2:8])])
    return 12 + 6


def test_small_pages_show_every_tied_entry_once_in_order(team, tied):
    teams = Team.objects.filter(pk=team.pk)
    seen, before, skip = [], None, 0
    for _ in range(20):
        page = services.timeline_page(registry.TimelineQuery(teams=teams, before=before, skip=skip, limit=4))
        seen += page.entries
        if page.next_before is None:
            break
        before, skip = page.next_before, page.next_skip
    texts = [entry.text for entry in seen]
    assert len(texts) == tied and len(set(texts)) == tied
    assert [entry.when for entry in seen] == sorted((entry.when for entry in seen), reverse=True)


def test_the_older_link_carries_the_cursor(client, members, team, tied, monkeypatch):
    monkeypatch.setattr(views, "TIMELINE_PAGE_SIZE", 5)
    client.force_login(members[Role.VIEWER])
    url, seen = reverse("overview:timeline") + "?range=all", []
    for _ in range(10):
        page = client.get(url).content.decode()
        seen += [line for line in page.split("\n") if "audit " in line or "scalr " in line]
        if 'rel="next"' not in page:
            break
        href = page.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
        assert "before" in parse_qs(href[1:])
        url = reverse("overview:timeline") + href
    assert len(seen) == tied



def test_global_search_finds_the_teams_connections_by_name(client, members, connection, other_connection):
    client.force_login(members[Role.VIEWER])
    page = client.get(reverse("overview:search"), {"q": "WIDGETS"}).content.decode()
    assert "Connections" in page and "widgets-prod" in page and "widgets-data" not in page
    assert reverse("core:connection-detail", args=[connection.vendor, connection.pk]) in page


def test_figures_wait_for_the_first_poll_instead_of_saying_zero(client, members, connection, widgets):
    from django.urls import reverse

    from console.teams.models import Role
    from vendors.core import polling

    client.force_login(members[Role.VIEWER])
    page = client.get(reverse("overview:home")).content.decode()
    assert "Waiting for the first poll of 1 connection: figures appear once it has been read." in page
    assert '<span class="figure-label">Widgets</span>' not in page  # no 0 that means "not known yet"

    lease = polling.connection_claim(connection=connection, force=True)
    assert polling.connection_poll(vendor="widgets", pk=connection.pk, lease=lease).status == "ok"
    page = client.get(reverse("overview:home")).content.decode()
    assert "Waiting for the first poll" not in page
    assert '<span class="figure-label">Widgets</span>' in page


def test_the_first_run_text_lists_every_registered_vendor_and_what_it_shows(client, members):
    """The overview names no vendor itself: the text comes from the registry."""
    client.force_login(members[Role.ADMIN])
    html = client.get(reverse("overview:home")).content.decode()
    specs = registry.vendors()
    named = [f"<strong>{spec.label}</strong>" + (f" ({spec.shows})" if spec.shows else "") for spec in specs]
    assert "runs on " + ", ".join(named[:-1]) + " and " + named[-1] + " in one place" in html
    assert "<strong>Scalr</strong> (farms and servers)" in html
