"""Saved queries and charts (save, open, pin, delete, audit) and the team's query policy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from console.audit.models import AuditEvent
from console.teams.models import Role
from vendors.scalyr.models import SavedQuery, TeamQueryPolicy

from .app_helpers import seed


@pytest.fixture
def operator(web, members):
    web.force_login(members[Role.OPERATOR])
    return web


def save(web, connection, **data):
    return web.post(reverse("scalyr:saved-create", args=[connection.pk]), data)


def test_saving_keeps_the_canonical_url_state_and_is_audited(operator, scalyr_connection, members):
    response = save(operator, scalyr_connection, name="Checkout errors", kind="explorer",
                    state="filter=uriPath+%3D%3D+%27%2Fcheckout%27&range=1h&order=newest&columns=status&start=&end=")
    saved = SavedQuery.objects.get()
    assert saved.state == {"filter": "uriPath == '/checkout'", "columns": "status"}
    assert saved.created_by == members[Role.OPERATOR] and not saved.pinned
    assert response["Location"] == reverse("scalyr:explorer", args=[scalyr_connection.pk]) \
        + "?filter=uriPath+%3D%3D+%27%2Fcheckout%27&columns=status"
    event = AuditEvent.objects.get(verb="scalyr.saved.create")
    assert event.team == scalyr_connection.team and event.target_label == "Checkout errors"

    opened = operator.get(reverse("scalyr:saved-open", args=[saved.pk]))
    assert opened["Location"] == response["Location"]


def test_a_name_is_unique_per_connection(operator, scalyr_connection):
    save(operator, scalyr_connection, name="errors", kind="explorer", state="filter=error")
    response = save(operator, scalyr_connection, name="errors", kind="explorer", state="filter=fatal")
    assert SavedQuery.objects.count() == 1
    assert "already has a saved query named" in operator.get(response["Location"]).content.decode()


def test_a_saved_chart_is_filled_at_once_and_pinned_on_the_overview(operator, scalyr_connection, live_sim,
                                                                    django_capture_on_commit_callbacks):
    seed(live_sim, count=14)
    with django_capture_on_commit_callbacks(execute=True):
        save(operator, scalyr_connection, name="502s", kind="chart", state="filter=status+%3D%3D+502&buckets=10",
             pinned="1")
    chart = SavedQuery.objects.get()
    assert chart.pinned and chart.refreshed_at is not None  # the Celery task ran (eager in tests)
    assert len(chart.values) == 10 and sum(chart.values) == 2
    home = operator.get(reverse("overview:home")).content.decode()
    assert "Pinned log charts" in home and "502s" in home and f'id="scalyr-tile-{chart.pk}"' in home


def test_pin_unpin_and_delete(operator, scalyr_connection):
    chart = SavedQuery.objects.create(connection=scalyr_connection, name="rate", kind="chart", state={})
    operator.post(reverse("scalyr:saved-pin", args=[chart.pk]), {"pinned": "1"})
    chart.refresh_from_db()
    assert chart.pinned
    operator.post(reverse("scalyr:saved-pin", args=[chart.pk]), {"pinned": "0"})
    chart.refresh_from_db()
    assert not chart.pinned
    operator.post(reverse("scalyr:saved-delete", args=[chart.pk]))
    assert not SavedQuery.objects.exists()
    assert list(AuditEvent.objects.order_by("pk").values_list("verb", flat=True)) == [
        "scalyr.saved.pin", "scalyr.saved.unpin", "scalyr.saved.delete"]


def test_another_teams_saved_queries_stay_hidden(web, members, scalyr_connection, other_scalyr_connection):
    SavedQuery.objects.create(connection=other_scalyr_connection, name="their secret query", kind="explorer",
                              state={}, pinned=True)
    web.force_login(members[Role.ADMIN])
    assert "their secret query" not in web.get(reverse("scalyr:home")).content.decode()
    assert "their secret query" not in web.get(reverse("overview:home")).content.decode()


def test_an_admin_lets_viewers_query_and_takes_it_back(web, members, team, scalyr_connection):
    viewer = members[Role.VIEWER]
    explorer = reverse("scalyr:explorer", args=[scalyr_connection.pk])
    web.force_login(viewer)
    assert web.get(explorer).status_code == 403

    web.force_login(members[Role.ADMIN])
    web.post(reverse("scalyr:policy", args=[team.slug]), {"viewers_may_query": "1"})
    assert TeamQueryPolicy.objects.get(team=team).viewers_may_query
    web.force_login(viewer)
    assert web.get(explorer).status_code == 200
    assert "Explore logs" in web.get(reverse("scalyr:home")).content.decode()

    web.force_login(members[Role.ADMIN])
    web.post(reverse("scalyr:policy", args=[team.slug]), {"viewers_may_query": "0"})
    web.force_login(viewer)
    assert web.get(explorer).status_code == 403
    verbs = AuditEvent.objects.filter(verb="scalyr.policy.update").values_list("message", flat=True)
    assert list(verbs.order_by("pk")) == ["Viewers may query logs.", "Only operators and admins may query logs."]


def test_a_viewer_sees_pinned_tiles_without_a_link_to_query(web, members, scalyr_connection):
    chart = SavedQuery.objects.create(connection=scalyr_connection, name="5xx", kind="chart", state={},
                                      pinned=True, values=[1.0, 2.0], window_start_ms=0, window_end_ms=60_000)
    web.force_login(members[Role.VIEWER])
    home = web.get(reverse("overview:home")).content.decode()
    # The tile opens the stored chart (what the tile shows, larger), never the query the viewer may not run.
    assert "5xx" in home and f'href="{reverse("scalyr:saved-open", args=[chart.pk])}"' not in home
    assert f'href="{reverse("scalyr:saved-detail", args=[chart.pk])}"' in home
    detail = web.get(reverse("scalyr:saved-detail", args=[chart.pk])).content.decode()
    assert "Querying logs needs the operator role" in detail and "Open the live chart" not in detail


def test_a_saved_chart_opens_live_with_its_name_and_threshold(operator, scalyr_connection, other_scalyr_connection):
    from .chart_helpers import chart

    saved = chart(scalyr_connection, "Checkout 5xx", direction="above", threshold=4.0,
                  filter="status >= 500", buckets="30")
    opened = operator.get(reverse("scalyr:saved-open", args=[saved.pk]))
    live = reverse("scalyr:chart", args=[scalyr_connection.pk])
    assert opened["Location"] == f"{live}?filter=status+%3E%3D+500&buckets=30&saved={saved.pk}"
    page = operator.get(opened["Location"]).content.decode()
    assert "<h1>Checkout 5xx <small" in page and "<title>Checkout 5xx" in page
    assert f'<input type="hidden" name="saved" value="{saved.pk}">' in page  # kept when the form redraws
    assert "alert above 4" in page  # the chart's accessible name
    # someone else's id, or one of another connection, only loses the name: the chart is still drawn
    foreign = chart(other_scalyr_connection, "Theirs", direction="above", threshold=1.0)
    for pk in (foreign.pk, "x"):
        page = operator.get(f"{live}?filter=status+%3E%3D+500&saved={pk}").content.decode()
        assert "<h1>Chart <small" in page and "Theirs" not in page


def test_the_live_chart_data_carries_the_saved_threshold(operator, scalyr_connection, live_sim):
    import json

    from .chart_helpers import chart

    seed(live_sim, count=14)
    saved = chart(scalyr_connection, "502s", direction="below", threshold=2.5, filter="status == 502", buckets="10")
    url = f"{reverse('scalyr:chart', args=[scalyr_connection.pk])}?filter=status+%3D%3D+502&buckets=10&saved={saved.pk}"
    fragment = operator.get(url, headers={"HX-Request": "true", "HX-Trigger": "chart-form"})
    page = fragment.content.decode()
    data = json.loads(page.split('id="chart-data" type="application/json">')[1].split("</script>")[0])
    assert (data["threshold"], data["threshold_label"]) == (2.5, "alert below 2.5")
    assert fragment["HX-Push-Url"].endswith(f"buckets=10&saved={saved.pk}")
    plain = operator.get(url.replace(f"&saved={saved.pk}", ""), headers={"HX-Request": "true"}).content.decode()
    assert '"threshold"' not in plain
