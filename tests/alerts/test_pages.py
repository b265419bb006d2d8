"""The alerts page, an alert's page and what people do there, and the overview reading alert rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from console.teams.models import Role
from tests.harness.factories import AlertFactory
from vendors.core.alerts import services
from vendors.core.alerts.models import AlertEvent, AlertState

pytestmark = pytest.mark.django_db


@pytest.fixture
def firing(connection):
    return AlertFactory(connection=connection, severity=0, title="Widget alpha is broken",
                        url=reverse("core:connection-detail", args=["widgets", connection.pk]))


def test_the_alerts_page_lists_the_teams_alerts_with_their_filters(client, members, connection, other_connection,
                                                                   firing):
    AlertFactory(connection=connection, severity=2, title="A notice", state="resolved", resolved_at=timezone.now())
    AlertFactory(connection=connection, title="Long gone", state="resolved",
                 resolved_at=timezone.now() - timedelta(days=2))
    AlertFactory(connection=other_connection, title="Their alert")
    client.force_login(members[Role.VIEWER])
    page = client.get(reverse("alerts:list")).content.decode()
    assert "Widget alpha is broken" in page and "A notice" in page  # active, and resolved in the last 24 h
    assert "Long gone" not in page and "Their alert" not in page
    assert page.index("Widget alpha is broken") < page.index("A notice")
    assert f'href="{firing.url}">open it</a>' in page and reverse("alerts:detail", args=[firing.pk]) in page
    assert "Long gone" in client.get(reverse("alerts:list"), {"state": "all"}).content.decode()
    fragment = client.get(reverse("alerts:list"), {"severity": "notice"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and "A notice" in fragment.content.decode()
    assert "Widget alpha" not in fragment.content.decode()
    empty = client.get(reverse("alerts:list"), {"vendor": "scalr"}).content.decode()
    assert "No alert matches these filters." in empty


def test_an_operator_acknowledges_silences_and_writes_on_the_alerts_page(client, members, firing):
    client.force_login(members[Role.VIEWER])
    page = client.get(reverse("alerts:detail", args=[firing.pk])).content.decode()
    assert "Act on it" not in page and "Fired" in page

    client.force_login(members[Role.OPERATOR])
    assert "Acknowledge</button>" in client.get(reverse("alerts:detail", args=[firing.pk])).content.decode()
    answer = client.post(reverse("alerts:acknowledge", args=[firing.pk]), follow=True)
    assert "Acknowledged: no more reminders; its resolution is still sent." in answer.content.decode()
    refused = client.post(reverse("alerts:silence", args=[firing.pk]), {"duration": "soon"})
    assert "A number and a unit: 90m, 4h or 2d." in refused.content.decode()
    client.post(reverse("alerts:silence", args=[firing.pk]), {"duration": "90m"})
    client.post(reverse("alerts:note", args=[firing.pk]), {"text": "Vendor incident\nINC-42"})
    firing.refresh_from_db()
    assert firing.state == AlertState.SILENCED
    assert timedelta(minutes=89) < firing.silenced_until - timezone.now() <= timedelta(minutes=90)
    page = client.get(reverse("alerts:detail", args=[firing.pk])).content.decode()
    for text in ("Acknowledged</strong> by operator-user", "Silenced</strong> by operator-user",
                 "Vendor incident<br>INC-42", "Lift the silence"):
        assert text in page
    assert list(firing.events.values_list("kind", flat=True)) == ["acknowledged", "silenced", "note"]


def test_the_overview_shows_silenced_alerts_greyed_last_with_who_and_until_when(client, members, connection, firing):
    AlertFactory(connection=connection, severity=2, title="A notice")
    silenced = AlertFactory(connection=connection, severity=0, title="Silenced crash")
    until = timezone.now() + timedelta(hours=3)
    services.alert_silence(alert=silenced, actor=members[Role.OPERATOR], until=until)
    services.alert_acknowledge(alert=firing, actor=members[Role.ADMIN])
    client.force_login(members[Role.VIEWER])
    page = client.get(reverse("overview:home")).content.decode()
    items = page.split('<ul class="attention-list">')[1].split("</ul>")[0].split("<li ")[1:]
    assert ["Widget alpha is broken" in items[0], "A notice" in items[1], "Silenced crash" in items[2]] == [True] * 3
    assert 'class="attention-0 attention-silenced"' in items[2]
    assert "⊘ Silenced by operator-user until" in items[2] and until.strftime("%H:%M") in items[2]
    assert "✔ Acknowledged by admin-user" in items[0]


def test_a_silence_ends_by_itself(connection, members, firing, sent):
    services.alert_silence(alert=firing, actor=members[Role.OPERATOR], until=timezone.now() + timedelta(minutes=5))
    assert sent(services.alerts_sweep, now=timezone.now() + timedelta(minutes=6))["silences_ended"] == 1
    firing.refresh_from_db()
    assert firing.state == AlertState.FIRING
    assert firing.events.last().kind == AlertEvent.Kind.SILENCE_ENDED
