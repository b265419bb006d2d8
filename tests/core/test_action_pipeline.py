"""The one action pipeline (vendors/core/actions.py): states that never claim more than the vendor said,
and a row sent at most once. Seen through the test vendor's simulator over real HTTP."""

import httpx
import pytest
from console.audit.models import AuditEvent, Outcome
from tests.testvendor.client import WidgetClient
from vendors.core import actions
from vendors.core.actions import Accepted, done, still
from vendors.core.models import ActionRun, ActionStatus

pytestmark = pytest.mark.django_db


def client_for(connection, **options):
    return WidgetClient(connection.base_url, connection.secrets.get("token"), backoff_initial=0.01,
                        backoff_max=0.05, max_retry_seconds=0.2, **options)


def follow_until_running(action, connection):
    with client_for(connection, max_attempts=1) as client:
        widget = next(w for w in client.widgets() if w["id"] == action.params["widget"])
    if widget["status"] == "running":
        return done(f"Widget {widget['name']} running.")
    return still(f"Widget {widget['name']} is {widget['status']}.", retry_in=0.01)


@actions.performer("widgets.test.start", follow=follow_until_running)
def send_start(action, connection):
    with client_for(connection) as client:
        client.whoami()  # stands for the vendor's "start" answering 202
    return Accepted("The widget service accepted it.", {"since": "now"})


@actions.performer("widgets.test.rename")
def send_rename(action, connection):
    with client_for(connection, timeout=httpx.Timeout(0.3)) as client:
        client.request("POST", "/widgets", idempotent=False, json={"name": action.params["name"]})
    return "Renamed."


def start(connection, user, verb="widgets.test.start", **params):
    return actions.action_start(connection=connection, actor=user, verb=verb, target=connection,
                                summary=f"Start widget {params.get('widget', '')}", params=params)


@pytest.fixture
def operator(members):
    from console.teams.models import Role

    return members[Role.OPERATOR]


def test_an_accepted_action_is_followed_to_success_through_429s(connection, widgets, operator, settings,
                                                                 django_capture_on_commit_callbacks):
    settings.CONSOLE_ACTION_FOLLOW_SECONDS = 10
    widgets.widgets["w2"]["status"] = "starting"
    widgets.faults.update(rate_limit=True, count=1)  # the start itself meets a 429 first, and is resent
    looks = []

    def vendor_moves(action, connection):
        looks.append(1)
        if len(looks) == 1:
            widgets.faults.update(rate_limit=True, count=3)  # following meets 429s: never a failure
        if len(looks) == 3:
            widgets.widgets["w2"]["status"] = "running"
        return follow_until_running(action, connection)

    actions._verbs["widgets.test.start"] = actions.Verb(send=send_start, follow=vendor_moves)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            action = start(connection, operator, widget="w2")
    finally:
        actions._verbs["widgets.test.start"] = actions.Verb(send=send_start, follow=follow_until_running)
    action.refresh_from_db()
    assert (action.status, action.message) == (ActionStatus.SUCCEEDED, "Widget beta running.")
    assert action.sent_at and action.accepted_at and action.finished_at
    assert AuditEvent.objects.get(pk=action.audit_id).outcome == Outcome.SUCCESS


def test_a_refusal_fails_the_action_in_the_vendors_words(connection, widgets, operator,
                                                         django_capture_on_commit_callbacks):
    widgets.token = "rotated"
    with django_capture_on_commit_callbacks(execute=True):
        action = start(connection, operator, widget="w1")
    action.refresh_from_db()
    assert (action.status, action.message) == (ActionStatus.FAILED, "The widget service refused the token.")
    audit = AuditEvent.objects.get(pk=action.audit_id)
    assert audit.outcome == Outcome.FAILURE and audit.detail["error"] == "auth"


def test_following_that_never_ends_is_unconfirmed_then_settled_in_the_background(
        connection, widgets, operator, settings, django_capture_on_commit_callbacks):
    settings.CONSOLE_ACTION_FOLLOW_SECONDS = 0.05
    widgets.widgets["w2"]["status"] = "starting"
    with django_capture_on_commit_callbacks(execute=True):
        action = start(connection, operator, widget="w2")
    action.refresh_from_db()
    assert action.status == ActionStatus.UNCONFIRMED
    assert action.message.startswith("Widgets accepted it, but it is not confirmed yet: Widget beta is starting.")
    assert "keeps checking in the background" in action.message
    assert AuditEvent.objects.get(pk=action.audit_id).outcome == Outcome.UNCONFIRMED
    assert action.finished and not action.settled

    assert actions.action_follow_again(action.pk).status == ActionStatus.UNCONFIRMED  # still starting
    widgets.widgets["w2"]["status"] = "running"
    action = actions.action_follow_again(action.pk)
    assert (action.status, action.message) == (ActionStatus.SUCCEEDED, "Widget beta running.")
    assert AuditEvent.objects.get(pk=action.audit_id).outcome == Outcome.SUCCESS


def test_a_write_without_an_answer_is_unconfirmed_and_never_resent(connection, widgets, operator,
                                                                    django_capture_on_commit_callbacks):
    widgets.faults.update(timeout=1.0, count=1)
    served = widgets.requests_served
    with django_capture_on_commit_callbacks(execute=True):
        action = start(connection, operator, verb="widgets.test.rename", name="gamma")
    action.refresh_from_db()
    assert action.status == ActionStatus.UNCONFIRMED
    assert action.message.startswith("widgets did not answer in time (POST /widgets). Whether Widgets acted on it "
                                     "is unknown")
    assert widgets.requests_served == served + 1  # a write that may have happened is not sent again


def test_a_redelivered_task_never_sends_twice(connection, widgets, operator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        action = start(connection, operator, verb="widgets.test.rename", name="gamma")
    served = widgets.requests_served
    actions.action_execute(action.pk)
    actions.action_execute(action.pk)  # the broker delivers it again
    for callback in queued:
        callback()  # and the original queueing runs too
    assert widgets.requests_served == served + 1
    assert ActionRun.objects.get(pk=action.pk).status == ActionStatus.SUCCEEDED


def test_a_worker_killed_while_sending_leaves_it_unconfirmed(connection, widgets, operator,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        action = start(connection, operator, verb="widgets.test.rename", name="gamma")
    ActionRun.objects.filter(pk=action.pk).update(status=ActionStatus.SENT)  # as a killed worker leaves it
    served = widgets.requests_served

    action = actions.action_execute(action.pk)

    assert widgets.requests_served == served
    assert action.status == ActionStatus.UNCONFIRMED
    assert action.message.startswith("The console stopped while sending this to Widgets; whether it was received "
                                     "is unknown.")


def test_a_worker_killed_while_following_follows_again(connection, widgets, operator,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        action = start(connection, operator, widget="w1")
    ActionRun.objects.filter(pk=action.pk).update(status=ActionStatus.ACCEPTED, follow={"since": "now"})
    served = widgets.requests_served

    action = actions.action_execute(action.pk)

    assert (action.status, action.message) == (ActionStatus.SUCCEEDED, "Widget alpha running.")
    assert widgets.requests_served == served + 1  # one look, no second start


def test_the_scheduler_picks_up_actions_whose_worker_was_lost_whole(connection, widgets, operator,
                                                                    django_capture_on_commit_callbacks):
    """A worker crashed with its pool (nothing gave the task back), or a broker dropped the message:
    the scheduler tick's sweep runs the lost action again, and never sends one that may have been sent."""
    from datetime import timedelta

    from django.utils import timezone

    long_ago = timezone.now() - timedelta(hours=1)
    with django_capture_on_commit_callbacks():  # the queued task is lost
        never_ran = start(connection, operator, widget="w1")
        was_sending = start(connection, operator, verb="widgets.test.rename", name="gamma")
        was_following = start(connection, operator, widget="w1", note="started earlier")
    ActionRun.objects.filter(pk=never_ran.pk).update(created_at=long_ago)
    ActionRun.objects.filter(pk=was_sending.pk).update(status=ActionStatus.SENT, touched_at=long_ago)
    ActionRun.objects.filter(pk=was_following.pk).update(status=ActionStatus.ACCEPTED, touched_at=long_ago,
                                                         accepted_at=long_ago, follow={"since": "now"})
    fresh = start(connection, operator, widget="w2")  # queued a moment ago: not lost, left alone
    served = widgets.requests_served

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.actions_sweep() == 3

    statuses = dict(ActionRun.objects.values_list("pk", "status"))
    assert statuses[never_ran.pk] == ActionStatus.SUCCEEDED
    assert statuses[was_following.pk] == ActionStatus.SUCCEEDED
    assert statuses[was_sending.pk] == ActionStatus.UNCONFIRMED
    assert statuses[fresh.pk] == ActionStatus.QUEUED
    assert widgets.requests_served == served + 3  # never_ran: its send and one look; was_following: one look
    assert actions.actions_sweep() == 0


def test_a_double_click_is_one_action_sent_once(connection, widgets, operator, members,
                                                django_capture_on_commit_callbacks):
    from console.teams.models import Role

    served = widgets.requests_served
    with django_capture_on_commit_callbacks(execute=True):  # both clicks arrive before the first is sent
        first = start(connection, operator, verb="widgets.test.rename", name="gamma")
        second = start(connection, operator, verb="widgets.test.rename", name="gamma")
        other = start(connection, operator, verb="widgets.test.rename", name="delta")  # another change
        someone_else = start(connection, members[Role.ADMIN], verb="widgets.test.rename", name="gamma")
    assert second.pk == first.pk
    assert len({first.pk, other.pk, someone_else.pk}) == 3
    assert ActionRun.objects.count() == 3 and AuditEvent.objects.filter(verb="widgets.test.rename").count() == 3
    assert widgets.requests_served == served + 3
    # once the vendor answered, the same request again is deliberate: a new action
    with django_capture_on_commit_callbacks(execute=True):
        again = start(connection, operator, verb="widgets.test.rename", name="gamma")
    assert again.pk != first.pk and widgets.requests_served == served + 4


def test_an_action_whose_connection_was_deleted_fails_unsent_and_forgets_its_secrets(
        connection, widgets, operator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        action = actions.action_start(connection=connection, actor=operator, verb="widgets.test.rename",
                                      target=connection, summary="Rename", params={"name": "gamma"},
                                      secret_payload={"password": "not-for-the-db-7c1e"})
    connection.delete()
    served = widgets.requests_served
    action = actions.action_execute(action.pk)
    assert (action.status, action.message) == (ActionStatus.FAILED,
                                               "The connection was deleted before the action was sent.")
    assert widgets.requests_served == served
    assert ActionRun.objects.get(pk=action.pk).secret_payload.names() == []
