"""Test-only widget actions, and a poll hook, whose requests a test can hold at the simulator.

They exist so a test can SIGKILL a real Celery worker's pool process while it is in the middle
of a request (see tests/integration/test_worker_killed.py and its `HeldWidgetSimulator`):

* `widgets.restart` sends one write (`POST /widgets/<id>/restart`) and succeeds when it is answered;
* `widgets.rollout` sends one write (`POST /widgets/<id>/rollout`) that the vendor accepts with an
  operation, then follows it (`GET /operations/<op>`) until the operation is done;
* while a poll writes its widgets (inside its transaction), a connection whose settings say
  `{"hold_poll": true}` asks the simulator once per widget saved (`POST /hold/poll`).

Every request says which process sent it (`X-Worker-Pid`), so the test kills exactly the pool
process that runs the task. Imported by the test process (to register the verbs) and by the
worker (`CELERY_IMPORTS` in tests/integration/worker_settings.py).
"""

import os

from django.db.models.signals import post_save

from tests.testvendor.models import Widget, WidgetConnection
from tests.testvendor.vendor import client_for
from vendors.core.actions import Accepted, done, performer, still

PID_HEADER = "X-Worker-Pid"
#: how long the test's worker follows a rollout before calling it unconfirmed
ROLLOUT_FOLLOW_SECONDS = 20.0


def _sender() -> dict[str, str]:
    return {PID_HEADER: str(os.getpid())}


@performer("widgets.restart")
def restart(action, connection):
    with client_for(connection) as client:
        client.request("POST", f"/widgets/{action.params['widget']}/restart", idempotent=False, headers=_sender())
    return "Restarted."


def follow_rollout(action, connection):
    with client_for(connection) as client:
        answer = client.json(client.request("GET", f"/operations/{action.follow['operation']}", headers=_sender()))
    if answer["state"] == "done":
        return done("Rolled out.")
    return still(f"Rollout {answer['state']}.", retry_in=0.2)


@performer("widgets.rollout", follow=follow_rollout, follow_seconds=lambda: ROLLOUT_FOLLOW_SECONDS)
def rollout(action, connection):
    with client_for(connection) as client:
        answer = client.json(client.request("POST", f"/widgets/{action.params['widget']}/rollout",
                                            idempotent=False, headers=_sender()))
    return Accepted("Rollout accepted; following it…", {"operation": answer["operation"]})


def _hold_poll(sender, instance, **kwargs):
    """Inside the poll's transaction, after a widget row is written: let the simulator hold us there."""
    connection = WidgetConnection.objects.filter(pk=instance.connection_id).first()
    if connection is None or not (connection.settings or {}).get("hold_poll"):
        return
    with client_for(connection) as client:
        client.request("POST", "/hold/poll", json={"widget": instance.external_id}, headers=_sender())


post_save.connect(_hold_poll, sender=Widget, dispatch_uid="tests.testvendor.held.hold_poll")
