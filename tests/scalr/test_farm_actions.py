"""Farm and server actions from the pages: confirmed, run by the task, followed, audited, refused in Scalr's words."""


import pytest
from django.urls import reverse

from console.audit.models import AuditEvent
from console.teams.models import Role
from tests.scalr.conftest import make_connection, poll
from vendors.core.models import ActionRun
from vendors.scalr import models

pytestmark = pytest.mark.django_db


class ActingClient:
    """The test client, running the tasks queued on commit (eager Celery) before it answers."""

    def __init__(self, client, capture):
        self.client, self.capture = client, capture

    def post(self, *args, **kwargs):
        with self.capture(execute=True):
            return self.client.post(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.client, name)


@pytest.fixture
def operator(web, members, django_capture_on_commit_callbacks):
    web.force_login(members[Role.OPERATOR])
    return ActingClient(web, django_capture_on_commit_callbacks)


def farm(connection, name) -> models.Farm:
    return models.Farm.objects.get(connection=connection, name=name)


def last_action() -> ActionRun:
    return ActionRun.objects.order_by("-pk").first()


def followed_page(client, response) -> str:
    assert response.status_code == 302, response.status_code
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page.content.decode()


def test_launch_is_accepted_audited_and_shown(operator, polled, members):
    target = farm(polled, "qa-sandbox")
    page = followed_page(operator, operator.post(reverse("scalr:farm-launch", args=[target.pk])))
    action = last_action()
    # accepted, and not yet running: never "succeeded" next to a farm whose server is still pending
    assert action.status == "unconfirmed" and action.verb == "scalr.farm.launch"
    assert action.accepted_at is not None
    assert action.summary.startswith("Launch farm qa-sandbox: Scalr starts 1 server(s)")
    assert "Scalr accepted it, but it is not confirmed yet: Launching: 0 of 1 server(s) Running." in page
    target.refresh_from_db()
    assert target.status == "running" and target.servers.get().status == "pending_launch"
    entry = AuditEvent.objects.get(verb="scalr.farm.launch")
    assert entry.actor == members[Role.OPERATOR] and entry.outcome == "unconfirmed"
    assert "Launching: 0 of 1" in entry.message


def test_a_launch_is_followed_until_its_servers_run(operator, polled, world_moving, settings):
    settings.SCALR_FOLLOW_SECONDS = 20
    settings.SCALR_FOLLOW_INTERVAL_SECONDS = 0.05
    target = farm(polled, "old-staging-copy")
    operator.post(reverse("scalr:farm-launch", args=[target.pk]))
    action = last_action()
    assert action.status == "succeeded", action.message
    assert action.message == "Farm running: 1 of 1 server(s) Running."
    assert target.servers.get().status == "running"


def test_scalr_refusal_is_shown_in_its_own_words(operator, polled):
    running = farm(polled, "web-prod")
    page = followed_page(operator, operator.post(reverse("scalr:farm-launch", args=[running.pk])))
    action = last_action()
    assert action.status == "failed"
    assert "Farm already running" in action.message
    assert "Farm already running" in page
    if polled.api == "v2":
        assert "request id" in action.message  # for Scalr's support
    assert AuditEvent.objects.get(verb="scalr.farm.launch").outcome == "failure"


def test_a_locked_farm_cannot_be_terminated(operator, polled):
    locked = farm(polled, "db-prod")
    operator.post(reverse("scalr:farm-terminate", args=[locked.pk]))
    assert "is locked by ops@example.com with comment: 'Change freeze until the quarterly release'" \
        in last_action().message


def test_terminate_states_its_servers_and_options(operator, polled, sim):
    target = farm(polled, "cache-prod")
    page = operator.get(reverse("scalr:farm-detail", args=[target.pk])).content.decode()
    assert 'data-confirm-details="#terminate-servers"' in page
    for server in target.servers.all():
        assert server.external_id[:8] in page
    data = {"keep_eip": "on"} if polled.api == "v1" else {"force": "on"}
    operator.post(reverse("scalr:farm-terminate", args=[target.pk]), data)
    action = last_action()
    assert action.status == "unconfirmed" and "Terminating: 2 server(s) still stopping." in action.message
    assert action.summary.startswith("Terminate farm cache-prod: its 2 server(s) stop.")
    if polled.api == "v1":
        assert action.params["keep_eip"] is True and "Keeping Elastic IPs" in action.summary
        assert any("keep EIP: 1" in e.message for e in sim.world.events[target.external_id])
    assert set(target.servers.values_list("status", flat=True)) == {"pending_terminate"}


def test_clone_lock_and_unlock(operator, polled):
    source = farm(polled, "web-staging")
    operator.post(reverse("scalr:farm-clone", args=[source.pk]), {"name": "web-staging-copy"})
    action = last_action()
    if polled.api == "v2":
        assert action.status == "succeeded" and "“web-staging-copy”" in action.message
        assert farm(polled, "web-staging-copy").status == "terminated"
        operator.post(reverse("scalr:farm-lock", args=[source.pk]), {"comment": "Load test", "unlock_permission":
                                                                     "owner"})
        source.refresh_from_db()
        assert source.locked and source.lock_comment == "Load test"
        operator.post(reverse("scalr:farm-unlock", args=[source.pk]))
        source.refresh_from_db()
        assert source.locked is False
    else:  # the Query API names the clone itself
        assert action.status == "succeeded" and "web-staging (clone #1)" in action.message
        operator.post(reverse("scalr:farm-lock", args=[source.pk]), {"comment": "Load test",
                                                                     "unlock_permission": "owner"})
        assert last_action().message == "Farm lock is not available on the Query API"


def test_lock_needs_a_comment_shown_next_to_the_form(operator, v2_connection):
    poll(v2_connection)
    target = farm(v2_connection, "web-staging")
    response = operator.post(reverse("scalr:farm-lock", args=[target.pk]), {"comment": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert not ActionRun.objects.exists()


def test_server_actions(operator, polled, world_moving, settings):
    settings.SCALR_FOLLOW_SECONDS = 20
    settings.SCALR_FOLLOW_INTERVAL_SECONDS = 0.05
    role = models.FarmRole.objects.get(farm__connection=polled, farm__name="ci-runners")
    operator.post(reverse("scalr:server-launch", args=[role.pk]), {"increase_max_instances": "on"})
    assert last_action().status == "succeeded" and last_action().message.endswith("launched: Running.")
    server = role.servers.filter(status="running").first()
    operator.post(reverse("scalr:server-reboot", args=[server.pk]))
    assert last_action().status == "succeeded"
    operator.post(reverse("scalr:server-terminate", args=[server.pk]), {"decrease_min_instances": "on"})
    action = last_action()
    assert action.status == "succeeded" and "terminated: Terminated" in action.message
    assert "min instances decreases by one" in action.summary
    other = role.servers.filter(status="running").first()
    operator.post(reverse("scalr:server-suspend", args=[other.pk]))
    if polled.api == "v1":
        assert last_action().message == "Server suspend is not available on the Query API"
    else:
        assert last_action().message.endswith("suspended: Suspended.")
        operator.post(reverse("scalr:server-resume", args=[other.pk]))
        assert last_action().message.endswith("resumed: Running.")


def test_create_image_follows_its_bundle_task(operator, polled, world_moving, settings):
    settings.SCALR_FOLLOW_SECONDS = 20
    settings.SCALR_FOLLOW_INTERVAL_SECONDS = 0.05
    server = models.Server.objects.filter(connection=polled, status="running").first()
    response = operator.post(reverse("scalr:server-image", args=[server.pk]), {"role_name": "golden-web"})
    action = last_action()
    if polled.api == "v2":
        assert "Creating an image from a server is not available on APIv2" in action.message
        return
    assert response.status_code == 302
    assert action.status == "succeeded" and action.message.endswith(": success.")
    task = models.BundleTask.objects.get()
    assert (task.role_name, task.status, task.server) == ("golden-web", "success", server)
    assert "golden-web" in operator.get(reverse("scalr:bundle-tasks")).content.decode()


def test_a_viewer_cannot_act_and_another_team_cannot_see(web, members, polled, other_team, sim):
    target = farm(polled, "qa-sandbox")
    web.force_login(members[Role.VIEWER])
    assert web.post(reverse("scalr:farm-launch", args=[target.pk])).status_code == 403
    web.force_login(members["outsider"])
    assert web.post(reverse("scalr:farm-launch", args=[target.pk])).status_code == 404
    assert not ActionRun.objects.exists()


def test_another_connection_of_the_same_installation_is_separate(operator, team, sim):
    one = make_connection(team, sim, api="v1", name="a")
    poll(one)
    assert models.Farm.objects.filter(connection=one).count() == 12


def test_a_launch_is_never_succeeded_next_to_a_contradicting_badge(operator, polled, sim):
    """A poll that read the farm list just before the launch, and writes after the launch was followed,
    does not turn the farm back to Terminated; the action succeeds only once its servers run."""
    from django.utils import timezone

    from vendors.core.actions import action_follow_again
    from vendors.scalr.client import client_for
    from vendors.scalr.sync import EnvInventory, scalr_inventory_sync

    target = farm(polled, "qa-sandbox")
    read_at = timezone.now()
    with client_for(polled) as client:  # the poll reads its lists: the farm is terminated
        inventories = [EnvInventory(environment=env, farms=client.list_farms(env_id=env.id))
                       for env in client.list_environments()]
    assert [f.status for i in inventories for f in i.farms if f.id == target.external_id] == ["terminated"]

    operator.post(reverse("scalr:farm-launch", args=[target.pk]))
    action = last_action()
    assert action.status == "unconfirmed"  # accepted; its server is not running yet
    scalr_inventory_sync(connection=polled, inventories=inventories, read_at=read_at)  # the poll writes now

    target.refresh_from_db()
    assert target.status == "running"
    for _ in range(40):  # the server comes up; the background look settles the action
        with sim.lock:
            sim.tick()
    action = action_follow_again(action.pk)
    assert (action.status, action.message) == ("succeeded", "Farm running: 1 of 1 server(s) Running.")
    target.refresh_from_db()
    assert target.status == "running" and target.servers.get().status == "running"
