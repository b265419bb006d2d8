"""Scale, restart and variables: a Celery task (eager here) talks to the simulator, follows the
operation, and closes the ActionRun and its audit entry with Scalingo's own words.

The truth of actions: an action is *succeeded* only when Scalingo's operation is done,
*failed* only when Scalingo refused it or reported it failed, *unconfirmed* when Scalingo
took it but it could not be followed to its end (then settled in the background); a 429
while following is a reason to wait, and a redelivered task never sends anything twice."""

from __future__ import annotations

import json

import pytest
from celery.signals import task_prerun
from tests.scalingo import scalingo_wire as wire
from tests.scalingo.scalingo_helpers import APP, api_requests, tables_holding

from console.audit.models import AuditEvent, Outcome
from console.teams.models import Role
from vendors.core.actions import action_execute, action_follow_again
from vendors.core.models import ActionRun, ActionStatus
from vendors.scalingo import models, services
from vendors.scalingo.client import ScalingoClient, budget_for
from vendors.scalingo.forms import ScaleForm
from vendors.scalingo.simulator import DEFAULT_TOKEN

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-5f0e2a71-not-for-the-db"
OTHER_SECRET = "hunter2-9c4d-not-for-the-db"


@pytest.fixture
def setup(scalingo_sims, make_connection, poll):
    sim = scalingo_sims()
    conn = make_connection(sim)
    assert poll(conn).status == "ok"
    sim.received.clear()
    return sim, conn, models.App.objects.get(connection=conn, name=APP)


@pytest.fixture
def run_actions(django_capture_on_commit_callbacks):
    """Start an action and let its task run (queued on commit, executed eagerly); returns the
    ActionRun as it ended."""
    def run(start, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            action = start(**kwargs)
        return ActionRun.objects.select_related("audit").get(pk=action.pk)
    return run


@pytest.fixture
def task_arguments():
    """The arguments of every Celery task that ran."""
    seen = []

    def record(sender=None, task_id=None, task=None, args=None, kwargs=None, **_):
        seen.append((task.name, args, kwargs))

    task_prerun.connect(record, weak=False)
    yield seen
    task_prerun.disconnect(record)


def sim_app(sim) -> dict:
    with sim.lock:
        return sim.world.find_app(APP)


def sim_formation(sim) -> dict[str, tuple[int, str]]:
    with sim.lock:
        return {e["name"]: (e["amount"], e["size"]) for e in sim.world.find_app(APP)["_formation"]}


def sim_operations(sim, kind: str) -> list[dict]:
    with sim.lock:
        return [dict(op) for op in sim.world.operations.values() if op["type"] == kind]


WEB_TO_3M = [{"name": "web", "amount": 3, "size": "M", "from_amount": 1, "from_size": "S"}]




# -- scale ----------------------------------------------------------------------------------------
def test_scale_changes_the_formation_follows_the_operation_and_audits(setup, members, run_actions):
    sim, conn, app = setup
    operator = members[Role.OPERATOR]

    action = run_actions(services.scalingo_app_scale, app=app, actor=operator, changes=[
        {"name": "web", "amount": 3, "size": "M", "from_amount": 1, "from_size": "S"}])

    assert (action.status, action.message, action.field_errors) == (ActionStatus.SUCCEEDED, "Scaled.", {})
    assert action.summary == f"Scale {APP}: web 1×S → 3×M" and action.finished_at
    # Scalingo: the new formation, and the operation followed through its Location until done
    assert {e["name"]: (e["amount"], e["size"]) for e in sim_app(sim)["_formation"]} == {
        "web": (3, "M"), "clock": (0, "M")}
    scale_posts = api_requests(sim, "/scale")
    assert [(r.method, json.loads(r.body)) for r in scale_posts] == [
        ("POST", {"containers": [{"name": "web", "amount": 3, "size": "M"}]})]
    followed = api_requests(sim, "/operations/")
    assert followed and len({r.path for r in followed}) == 1
    operation = sim.world.operations[followed[0].path.rsplit("/", 1)[1]]
    assert (operation["type"], operation["status"]) == ("scale", "done")
    assert sim_app(sim)["status"] == "running"
    # the console: the app refreshed at once, and the audit entry closed with the outcome
    app.refresh_from_db()
    assert sorted(app.formation.values_list("name", "amount", "size")) == [("clock", 0, "M"), ("web", 3, "M")]
    assert list(app.containers.values_list("label", "state", "size")) == [
        ("web-1", "running", "M"), ("web-2", "running", "M"), ("web-3", "running", "M")]
    audit = action.audit
    assert (audit.verb, audit.outcome, audit.actor, audit.team) == (
        "scalingo.app.scale", Outcome.SUCCESS, operator, conn.team)
    assert audit.message == f"Scale {APP}: web 1×S → 3×M Scaled."
    assert audit.detail["containers"] == [{"name": "web", "amount": 3, "size": "M"}]


def test_a_refused_scale_shows_scalingos_message_on_the_form_field(setup, members, run_actions):
    sim, conn, app = setup

    action = run_actions(services.scalingo_app_scale, app=app, actor=members[Role.OPERATOR], changes=[
        {"name": "web", "amount": 11, "size": "S", "from_amount": 1, "from_size": "S"}])

    assert action.status == ActionStatus.FAILED
    assert "can't scale over 10 containers" in action.message
    refusal = "can't scale over 10 containers, contact us at support@scalingo.com if you need more"
    assert action.field_errors == {"amount_web": refusal}
    assert "amount_web" in ScaleForm(formation=app.formation.all()).fields  # the page can put it there
    assert action.audit.outcome == Outcome.FAILURE and refusal in action.audit.message
    assert {e["name"]: e["amount"] for e in sim_app(sim)["_formation"]} == {"web": 1, "clock": 0}
    assert not api_requests(sim, "/operations/")


def test_a_scale_on_a_busy_app_fails_with_scalingos_reason(setup, members, run_actions):
    sim, conn, app = setup
    sim.control("set_app_status", {"app": APP, "status": "restarting"})

    action = run_actions(services.scalingo_app_scale, app=app, actor=members[Role.OPERATOR], changes=[
        {"name": "web", "amount": 2, "size": "S", "from_amount": 1, "from_size": "S"}])

    assert action.status == ActionStatus.FAILED
    assert action.message == "app is restarting, wait for the current operation to finish"


def test_an_operation_ending_in_error_fails_the_action(setup, members, run_actions):
    sim, conn, app = setup
    sim.control("fail_operations", {"count": 1})

    action = run_actions(services.scalingo_app_scale, app=app, actor=members[Role.OPERATOR], changes=[
        {"name": "web", "amount": 2, "size": "S", "from_amount": 1, "from_size": "S"}])

    assert action.status == ActionStatus.FAILED
    assert action.message == "The operation ended with status error: container web-1 failed to scale"
    assert action.audit.outcome == Outcome.FAILURE


# -- restart --------------------------------------------------------------------------------------
def test_restart_of_chosen_types(setup, members, run_actions):
    sim, conn, app = setup

    action = run_actions(services.scalingo_app_restart, app=app, actor=members[Role.OPERATOR], scope=["web"])

    assert (action.status, action.message) == (ActionStatus.SUCCEEDED, "Restarted.")
    assert [json.loads(r.body) for r in api_requests(sim, "/restart")] == [{"scope": ["web"]}]
    restarts = [op for op in sim.world.operations.values() if op["type"] == "restart"]
    assert [(op["status"], op["_scope"]) for op in restarts] == [("done", ["web"])]
    event = sim.world.events[-1]
    assert (event["type"], event["type_data"]["scope"], event["user"]["username"]) == ("restart", ["web"], "ops")
    assert action.audit.message == f"Restart {APP}: web Restarted." and action.audit.outcome == Outcome.SUCCESS


def test_restart_everything(setup, members, run_actions):
    sim, conn, app = setup

    action = run_actions(services.scalingo_app_restart, app=app, actor=members[Role.OPERATOR], scope=[])

    assert action.status == ActionStatus.SUCCEEDED and action.summary == f"Restart {APP}: all containers"
    assert [json.loads(r.body) for r in api_requests(sim, "/restart")] == [{"scope": None}]


# -- variables -------------------------------------------------------------------------------------
def test_set_variables_keeps_values_out_of_params_audit_tasks_and_the_database(
        setup, members, django_capture_on_commit_callbacks, task_arguments, poll):
    sim, conn, app = setup
    admin = members[Role.ADMIN]
    with ScalingoClient(DEFAULT_TOKEN, api_url=sim.url, auth_url=sim.url) as vendor:
        wire.create_variable(vendor, APP, "API_KEY", "old-value")

    with django_capture_on_commit_callbacks() as queued:
        action = services.scalingo_variables_set(app=app, actor=admin, verb="scalingo.variables.set",
                                                 variables={"API_KEY": SECRET, "SMTP_PASSWORD": OTHER_SECRET})
    # queued: the values wait encrypted, readable by the task only
    assert ActionRun.objects.get(pk=action.pk).secret_payload.names() == ["API_KEY", "SMTP_PASSWORD"]
    assert not tables_holding(SECRET) and not tables_holding(OTHER_SECRET)
    for callback in queued:
        callback()

    action = ActionRun.objects.get(pk=action.pk)
    assert (action.status, action.message) == (ActionStatus.SUCCEEDED, "2 variable(s) saved.")
    with sim.lock:
        assert {v["name"]: v["value"] for v in sim.world.find_app(APP)["_variables"]} == {
            "API_KEY": SECRET, "SMTP_PASSWORD": OTHER_SECRET}
    assert action.params == {"app": app.external_id, "names": ["API_KEY", "SMTP_PASSWORD"]}
    assert action.secret_payload.names() == []  # emptied once the action ran
    assert [(name, list(args), kwargs) for name, args, kwargs in task_arguments] == [
        ("vendors.core.tasks.run_action", [action.pk], {})]
    audit = AuditEvent.objects.get(pk=action.audit_id)
    assert audit.outcome == Outcome.SUCCESS and "API_KEY" in audit.message
    # the timeline learns of it on the next poll, by name only
    assert poll(conn).status == "ok"
    assert models.Event.objects.get(type="edit_variables").type_data["updated_vars"] == ["API_KEY"]
    for secret in (SECRET, OTHER_SECRET):
        assert not tables_holding(secret)
        assert secret not in repr(task_arguments)


def test_delete_a_variable(setup, members, run_actions):
    sim, conn, app = setup
    with ScalingoClient(DEFAULT_TOKEN, api_url=sim.url, auth_url=sim.url) as vendor:
        wire.create_variable(vendor, APP, "OLD_FLAG", "1")
        wire.create_variable(vendor, APP, "KEEP_ME", "2")

    action = run_actions(services.scalingo_variable_delete, app=app, actor=members[Role.ADMIN], name="OLD_FLAG")

    assert (action.status, action.message) == (ActionStatus.SUCCEEDED, "Deleted.")
    with sim.lock:
        assert [v["name"] for v in sim.world.find_app(APP)["_variables"]] == ["KEEP_ME"]
    assert action.audit.outcome == Outcome.SUCCESS and action.audit.verb == "scalingo.variable.delete"

    again = run_actions(services.scalingo_variable_delete, app=app, actor=members[Role.ADMIN], name="OLD_FLAG")
    assert again.status == ActionStatus.FAILED
    assert again.message == "The variable OLD_FLAG does not exist any more."


# -- the budget ------------------------------------------------------------------------------------
def test_actions_count_against_the_tokens_budget(scalingo_sims, make_connection, poll, members, run_actions,
                                                 clock):
    sim = scalingo_sims()
    conn = make_connection(sim, requests_per_minute=60)
    assert poll(conn).status == "ok"
    app = models.App.objects.get(connection=conn, name=APP)
    budget = budget_for(conn)
    before, sim_before = budget.used(), len(sim.received)

    action = run_actions(services.scalingo_app_restart, app=app, actor=members[Role.OPERATOR], scope=[])

    assert action.status == ActionStatus.SUCCEEDED
    assert budget.used() - before == len(sim.received) - sim_before  # the restart, its follow-up, the refresh


# -- the truth of actions ---------------------------------------------------------------------------
@pytest.mark.parametrize("refusals, retry_after", [(3, 1), (1, None)], ids=["retry-after", "documented-429"])
def test_an_accepted_scale_followed_through_429s_succeeds(setup, members, run_actions, refusals, retry_after):
    """Polls (or anyone sharing the token) spent the minute: Scalingo answers its 429 to the
    operation reads for a while. The scale it accepted is followed until done, never failed."""
    sim, conn, app = setup
    sim.control("rate_limit_operations", {"count": refusals, "retry_after": retry_after})

    action = run_actions(services.scalingo_app_scale, app=app, actor=members[Role.OPERATOR], changes=WEB_TO_3M)

    assert (action.status, action.message) == (ActionStatus.SUCCEEDED, "Scaled."), action.message
    assert action.audit.outcome == Outcome.SUCCESS and action.finished_at
    # Scalingo refused the reads it was asked to, and then answered the one that saw it done
    assert len(sim.throttled) == refusals and all("/operations/" in path for path in sim.throttled)
    reads = api_requests(sim, "/operations/")
    assert len(reads) > refusals
    assert [op["status"] for op in sim_operations(sim, "scale")] == ["done"]
    assert sim_formation(sim)["web"] == (3, "M")
    assert len(api_requests(sim, "/scale")) == 1


def test_a_scale_scalingo_refuses_fails_with_its_words(setup, members, run_actions):
    sim, conn, app = setup

    action = run_actions(services.scalingo_app_scale, app=app, actor=members[Role.OPERATOR], changes=[
        {"name": "web", "amount": 12, "size": "S", "from_amount": 1, "from_size": "S"}])

    assert action.status == ActionStatus.FAILED
    assert action.message == ("container-web-amount: can't scale over 10 containers, contact us at "
                              "support@scalingo.com if you need more")
    assert action.audit.outcome == Outcome.FAILURE and action.finished_at
    assert sim_formation(sim)["web"] == (1, "S") and not sim_operations(sim, "scale")


def test_a_scale_not_confirmed_in_time_is_unconfirmed_then_settled_in_the_background(
        setup, members, run_actions, settings):
    sim, conn, app = setup
    settings.CONSOLE_ACTION_FOLLOW_SECONDS = 1
    sim.control("hold_operations", {"on": True})  # Scalingo takes its time over this one

    action = run_actions(services.scalingo_app_scale, app=app, actor=members[Role.OPERATOR], changes=WEB_TO_3M)

    assert action.status == ActionStatus.UNCONFIRMED
    assert action.message.startswith("Scalingo accepted it, but it was not confirmed"), action.message
    assert "Scalingo's scale is pending" in action.message
    assert action.message.endswith("The console keeps checking in the background.")
    assert action.accepted_at and action.finished_at is None
    assert action.audit.outcome == Outcome.UNCONFIRMED
    assert [op["status"] for op in sim_operations(sim, "scale")] == ["pending"]

    # a background look while Scalingo still works on it changes nothing
    assert action_follow_again(action.pk).status == ActionStatus.UNCONFIRMED

    sim.control("hold_operations", {"on": False})
    sim.tick()
    sim.tick()  # pending -> running -> done
    assert [op["status"] for op in sim_operations(sim, "scale")] == ["done"]
    settled = action_follow_again(action.pk)

    assert (settled.status, settled.message) == (ActionStatus.SUCCEEDED, "Scaled.")
    assert settled.finished_at
    assert AuditEvent.objects.get(pk=action.audit_id).outcome == Outcome.SUCCESS
    app.refresh_from_db()
    assert app.formation.get(name="web").amount == 3  # read again once it was done
    assert len(api_requests(sim, "/scale")) == 1


def test_a_redelivered_task_never_sends_the_scale_twice(setup, members, django_capture_on_commit_callbacks):
    sim, conn, app = setup
    with django_capture_on_commit_callbacks() as queued:
        action = services.scalingo_app_scale(app=app, actor=members[Role.OPERATOR], changes=WEB_TO_3M)
    assert len(queued) == 1  # the task, not run yet

    first = action_execute(action.pk)
    again = action_execute(action.pk)  # the broker delivers the same task again

    assert first.status == again.status == ActionStatus.SUCCEEDED
    assert len(api_requests(sim, "/scale")) == 1
    assert sim_formation(sim)["web"] == (3, "M")


def test_a_task_redelivered_after_its_worker_died_while_sending_is_unconfirmed_not_resent(
        setup, members, django_capture_on_commit_callbacks):
    sim, conn, app = setup
    with django_capture_on_commit_callbacks():
        action = services.scalingo_app_scale(app=app, actor=members[Role.OPERATOR], changes=WEB_TO_3M)
    # a worker claimed it and died before Scalingo's answer: the row stays "sent"
    ActionRun.objects.filter(pk=action.pk).update(status=ActionStatus.SENT)

    redelivered = action_execute(action.pk)

    assert redelivered.status == ActionStatus.UNCONFIRMED
    assert "whether it was received is unknown" in redelivered.message
    assert redelivered.audit.outcome == Outcome.UNCONFIRMED
    assert api_requests(sim, "/scale") == []


def test_a_task_redelivered_after_its_worker_died_while_following_follows_again(
        setup, members, run_actions, settings):
    sim, conn, app = setup
    settings.CONSOLE_ACTION_FOLLOW_SECONDS = 1
    sim.control("hold_operations", {"on": True})
    action = run_actions(services.scalingo_app_scale, app=app, actor=members[Role.OPERATOR], changes=WEB_TO_3M)
    # what a worker killed while following leaves: accepted, with what following needs
    ActionRun.objects.filter(pk=action.pk).update(status=ActionStatus.ACCEPTED)
    sim.control("hold_operations", {"on": False})
    sim.tick()
    sim.tick()

    redelivered = action_execute(action.pk)

    assert (redelivered.status, redelivered.message) == (ActionStatus.SUCCEEDED, "Scaled.")
    assert len(api_requests(sim, "/scale")) == 1


def test_a_scale_whose_answer_was_lost_is_unconfirmed_and_never_resent(setup, members, run_actions):
    """Scalingo scaled, but the connection dropped before its 202: sending it again would meet
    "app is scaling" and call the action failed while Scalingo did it."""
    sim, conn, app = setup
    sim.control("lose_answers", {"count": 1, "path": "/scale"})

    action = run_actions(services.scalingo_app_scale, app=app, actor=members[Role.OPERATOR], changes=WEB_TO_3M)

    assert action.status == ActionStatus.UNCONFIRMED, action.message
    assert "Whether Scalingo acted on it is unknown" in action.message
    assert action.audit.outcome == Outcome.UNCONFIRMED
    assert len(api_requests(sim, "/scale")) == 1
    assert sim_formation(sim)["web"] == (3, "M")  # it did
