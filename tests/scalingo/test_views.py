"""Scalingo pages after a real poll of the simulator: what each role sees and may do."""

import pytest
from django.test import Client
from django.urls import reverse

from console.audit.models import AuditEvent
from console.teams.models import Role
from tests.harness.factories import ScalingoConnectionFactory
from vendors.core import polling
from vendors.core.models import ActionRun
from vendors.scalingo.models import App
from vendors.scalingo.simulator import ScalingoSimulator


@pytest.fixture(scope="module")
def scalingo_sim():
    simulator = ScalingoSimulator.demo(seed=11)
    simulator.limiter.limit = None  # these tests are about pages, not the rate limit
    simulator.serve()
    yield simulator
    simulator.stop()


@pytest.fixture
def polled(team, scalingo_sim):
    conn = ScalingoConnectionFactory(name="scalingo-test", team=team, base_url=scalingo_sim.url)
    lease = polling.connection_claim(connection=conn, force=True)
    outcome = polling.connection_poll(vendor="scalingo", pk=conn.pk, lease=lease)
    assert outcome.status == "ok", outcome.message
    return conn


def web(user):
    client = Client()
    client.force_login(user)
    return client


def running_app(conn):
    return App.objects.filter(connection=conn, status="running", formation__name="web").distinct().first()


def test_every_simulator_app_is_listed_with_its_status(polled, members, scalingo_sim):
    page = web(members[Role.VIEWER]).get(reverse("scalingo:app-list") + "?sort=name").content.decode()
    apps = App.objects.filter(connection=polled)
    assert apps.count() >= 20
    for app in apps[:50]:
        assert app.name in page
    crashed = apps.filter(status="crashed").first()
    assert crashed is not None
    filtered = web(members[Role.VIEWER]).get(reverse("scalingo:app-list") + "?status=crashed").content.decode()
    assert crashed.name in filtered and running_app(polled).name not in filtered
    assert 'class="row-danger"' in filtered


def test_search_finds_an_app_by_domain(polled, members):
    app = App.objects.filter(connection=polled).exclude(domains="").first()
    domain = app.domains.split()[0]
    page = web(members[Role.VIEWER]).get(reverse("scalingo:app-list") + f"?q={domain}").content.decode()
    assert app.name in page


@pytest.mark.parametrize("tab", ["overview", "containers", "stats", "events", "deployments", "logs", "addons",
                                 "domains", "collaborators"])
def test_every_tab_renders_for_a_viewer(polled, members, tab):
    app = running_app(polled)
    response = web(members[Role.VIEWER]).get(reverse("scalingo:app-detail", args=[app.pk]) + f"?tab={tab}")
    assert response.status_code == 200
    assert app.name in response.content.decode()


def test_viewer_sees_no_scale_form_and_forged_posts_are_refused(polled, members):
    app = running_app(polled)
    viewer = web(members[Role.VIEWER])
    page = viewer.get(reverse("scalingo:app-detail", args=[app.pk]) + "?tab=containers").content.decode()
    assert "Review scaling" not in page
    assert viewer.post(reverse("scalingo:app-scale", args=[app.pk]), {"amount_web": 3, "size_web": "M"}).status_code == 403
    assert viewer.post(reverse("scalingo:app-restart", args=[app.pk]), {}).status_code == 403
    assert not ActionRun.objects.exists()


def test_scale_asks_for_confirmation_then_runs_and_audits(polled, members, scalingo_sim,
                                                         django_capture_on_commit_callbacks):
    app = running_app(polled)
    operator = web(members[Role.OPERATOR])
    line = app.formation.get(name="web")
    data = {f"amount_{l.name}": l.amount for l in app.formation.all()}
    data |= {f"size_{l.name}": l.size for l in app.formation.all()}
    data["amount_web"] = line.amount + 1
    url = reverse("scalingo:app-scale", args=[app.pk])
    confirm = operator.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert f"web {line.amount}×{line.size} → {line.amount + 1}×{line.size}" in confirm
    assert not ActionRun.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):  # the task is queued on commit
        operator.post(url, {**data, "confirmed": "1"}, HTTP_HX_REQUEST="true")
    action = ActionRun.objects.get()
    done = operator.get(reverse("core:action-status", args=[action.pk])).content.decode()
    assert action.status == "succeeded", action.message
    assert "Succeeded" in done
    app.refresh_from_db()
    assert app.formation.get(name="web").amount == line.amount + 1
    event = AuditEvent.objects.get(verb="scalingo.app.scale")
    assert event.outcome == "success" and event.actor == members[Role.OPERATOR]


def test_a_refused_scale_shows_scalingos_words(polled, members, django_capture_on_commit_callbacks):
    app = running_app(polled)
    operator = web(members[Role.OPERATOR])
    data = {f"amount_{l.name}": l.amount for l in app.formation.all()}
    data |= {f"size_{l.name}": l.size for l in app.formation.all()}
    data.update(amount_web=11, confirmed="1")
    with django_capture_on_commit_callbacks(execute=True):
        operator.post(reverse("scalingo:app-scale", args=[app.pk]), data, HTTP_HX_REQUEST="true")
    page = operator.get(reverse("core:action-status", args=[ActionRun.objects.get().pk])).content.decode()
    assert "can&#x27;t scale over 10 containers" in page or "can't scale over 10 containers" in page
    action = ActionRun.objects.get()
    assert action.status == "failed" and action.field_errors.get("amount_web")
    assert AuditEvent.objects.get(verb="scalingo.app.scale").outcome == "failure"


def test_variables_are_names_only_until_an_admin_reveals_one(polled, members, scalingo_sim):
    app = next(a for a in App.objects.filter(connection=polled) if
               web(members[Role.ADMIN]).get(reverse("scalingo:app-detail", args=[a.pk]) + "?tab=variables")
               .content.decode().count("<code>") > 0)
    viewer_page = web(members[Role.VIEWER]).get(reverse("scalingo:app-detail", args=[app.pk]) + "?tab=variables")
    assert "Reveal" not in viewer_page.content.decode()
    admin = web(members[Role.ADMIN])
    page = admin.get(reverse("scalingo:app-detail", args=[app.pk]) + "?tab=variables").content.decode()
    name = page.split("<code>")[1].split("</code>")[0]
    revealed = admin.post(reverse("scalingo:variable-reveal", args=[app.pk]), {"name": name}).content.decode()
    assert 'class="revealed"' in revealed
    value = revealed.split('class="revealed">')[1].split("</code>")[0]
    assert value not in page  # the value was not in the page before the reveal
    entry = AuditEvent.objects.get(verb="scalingo.variable.reveal")
    assert entry.detail == {"variable": name} and value not in entry.message
    assert web(members[Role.OPERATOR]).post(reverse("scalingo:variable-reveal", args=[app.pk]),
                                            {"name": name}).status_code == 403


# Another team's member gets 404 on every app URL, anonymous visitors go to the login page:
# tests/scalingo/test_permissions.py checks every URL of the app for every kind of visitor.
def test_another_teams_apps_are_absent_from_the_list(polled, members):
    app = running_app(polled)
    assert app.name not in web(members["outsider"]).get(reverse("scalingo:app-list")).content.decode()


def test_a_failed_poll_keeps_the_list_and_marks_it_stale(polled, members, scalingo_sim):
    names = list(App.objects.filter(connection=polled).values_list("name", flat=True))
    scalingo_sim.faults.update(status=500)
    try:
        lease = polling.connection_claim(connection=polled, force=True)
        assert polling.connection_poll(vendor="scalingo", pk=polled.pk, lease=lease).status == "failed"
    finally:
        scalingo_sim.faults.update()
    page = web(members[Role.VIEWER]).get(reverse("scalingo:app-detail", args=[
        App.objects.filter(connection=polled).first().pk])).content.decode()
    assert "data may be stale" in page
    assert App.objects.filter(connection=polled).count() == len(names)


def test_the_app_page_says_why_its_details_are_stale(scalingo_sims, make_connection, poll, members):
    """The last poll could not read this app's details: the page says so in Scalingo's words,
    since when, and how old what it shows is; once the app is read again, it stops saying it."""
    import html
    import re

    from tests.scalingo.scalingo_helpers import APP

    from vendors.scalingo.sync import scalingo_app_refresh

    sim = scalingo_sims()
    conn = make_connection(sim)
    assert poll(conn).status == "ok"
    app = App.objects.get(connection=conn, name=APP)
    url = reverse("scalingo:app-detail", args=[app.pk])
    viewer = web(members[Role.VIEWER])
    assert "could not be refreshed" not in viewer.get(url).content.decode()

    sim.control("fail_app_reads", {"app": APP, "status": 500})
    assert poll(conn).status == "degraded"

    page = html.unescape(viewer.get(url).content.decode())
    sentence = re.sub(r"<[^>]+>", "", page.split('id="details-failure">')[1].split("</p>")[0])
    assert re.fullmatch(r"Details could not be refreshed at the last poll: Internal error occured, we're on it! "
                        r"\(failing since \d{4}-\d\d-\d\d \d\d:\d\d\); showing what was read \d+ s ago\.", sentence), \
        sentence
    live = html.unescape(viewer.get(url + "?partial=live", HTTP_HX_REQUEST="true").content.decode())
    assert "Details could not be refreshed at the last poll: Internal error occured" in live  # the 10 s refresh too

    sim.control("fail_app_reads", {"app": None})
    scalingo_app_refresh(conn, app)  # read again (a user opened it, an action ended)
    assert "could not be refreshed" not in viewer.get(url).content.decode()
