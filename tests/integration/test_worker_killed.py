"""A real Celery worker (prefork, a subprocess) killed with SIGKILL in the middle of an action and of
a poll, on the configured database and broker (PostgreSQL + Redis in CI, SQLite + the file-system
broker on the embedded default).

The simulator holds the request the test wants to kill the worker in (tests/testvendor/held.py
says which process sent it), the test SIGKILLs exactly that pool process, then checks what the
product promises (vendors/core/actions.py, vendors/core/polling.py, dashboard/settings.py):

* an action is sent at most once: killed while sending, the redelivered task says *unconfirmed*
  and the vendor saw one request; killed while following, the redelivered task follows again;
* a poll writes in one transaction: killed mid-write, nothing of it is visible; the redelivered
  task (same lease) or, when the whole worker died, the next poll after the lease expired, stores
  the vendor's new state whole.
"""

import json
import threading
from collections import Counter

import pytest
from django.conf import settings
from django.utils import timezone

from console.audit.models import Outcome
from dashboard.celery import app as celery_app
from tests.conftest import make_user
from tests.harness.waiting import wait_for
from tests.integration.worker_process import WorkerProcess, worker_environment
from tests.testvendor import held
from tests.testvendor.models import Widget, WidgetConnection
from tests.testvendor.simulator import WidgetSimulator
from vendors.core import actions, polling
from vendors.core.models import ActionRun, ActionStatus, Health
from vendors.core.simulator import json_response
from vendors.core.tasks import poll_connection, run_action

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

#: the poll lease of the test and of its workers: short, so a crashed worker's lease expires in the test
LEASE_SECONDS = 5.0
#: a worker starts (Django, Celery, the pool) and runs a task well within this
WORKER_SECONDS = 30.0

SETTLED = (ActionStatus.SUCCEEDED, ActionStatus.FAILED, ActionStatus.UNCONFIRMED)


class HeldWidgetSimulator(WidgetSimulator):
    """The widget simulator, plus the test verbs' endpoints; `hold(kind)` holds a coming request of that kind.

    A held request waits until the test releases the simulator (at the latest `HOLD_LIMIT` s), then is
    dropped unanswered: whoever sent it has been killed meanwhile.
    """

    HOLD_LIMIT = 45.0

    def __init__(self):
        super().__init__()
        self.calls: Counter = Counter()  # requests received, by kind: restart, rollout, follow, poll
        self.hold_at: dict[str, int] = {}  # kind -> the number of the request of that kind to hold
        self.held: list[tuple[str, int, dict]] = []  # (kind, pid of the process that sent it, its JSON body)
        self.released = threading.Event()

    def hold(self, kind: str, *, skip: int = 0) -> None:
        """Hold the next request of `kind` but the first `skip` ones."""
        with self.lock:
            self.hold_at[kind] = self.calls[kind] + skip + 1

    def holder(self, kind: str) -> int | None:
        """The pid of the process whose `kind` request is held, once one is."""
        with self.lock:
            return next((pid for held_kind, pid, _ in self.held if held_kind == kind), None)

    def held_body(self, kind: str) -> dict | None:
        with self.lock:
            return next((body for held_kind, _, body in self.held if held_kind == kind), None)

    def world(self) -> frozenset:
        with self.lock:
            return frozenset((w["id"], w["name"], w["status"]) for w in self.widgets.values())

    def change_world(self) -> None:
        """w1 renamed and stopped, w2 gone, w3 new: a poll writes an update, a delete and an insert."""
        with self.lock:
            self.widgets = {"w1": {"id": "w1", "name": "alpha-2", "status": "stopped"},
                            "w3": {"id": "w3", "name": "gamma", "status": "running"}}

    def handle(self, request):
        if request.header("authorization") != f"Bearer {self.token}":
            return super().handle(request)
        parts = request.path.strip("/").split("/")
        if request.method == "POST" and len(parts) == 3 and parts[0] == "widgets" \
                and parts[2] in ("restart", "rollout"):
            kind = parts[2]
        elif request.method == "GET" and len(parts) == 2 and parts[0] == "operations":
            kind = "follow"
        elif request.method == "POST" and request.path == "/hold/poll":
            kind = "poll"
        else:
            return super().handle(request)
        with self.lock:
            self.calls[kind] += 1
            holding = self.hold_at.get(kind) == self.calls[kind]
            if holding:
                del self.hold_at[kind]
                self.held.append((kind, int(request.header(held.PID_HEADER, "0")), request.json() or {}))
        if holding:
            self.released.wait(self.HOLD_LIMIT)
            return None
        if kind == "restart":
            return json_response({"restarted": parts[1]})
        if kind == "rollout":
            return json_response({"operation": f"op-{parts[1]}"}, 202)
        if kind == "follow":
            return json_response({"state": "done"})
        return json_response({"ok": True})


@pytest.fixture
def held_sim():
    simulator = HeldWidgetSimulator()
    simulator.serve()
    yield simulator
    simulator.released.set()
    simulator.stop()


@pytest.fixture
def held_connection(team, held_sim):
    conn = WidgetConnection(name="widgets-held", team=team, base_url=held_sim.url, poll_seconds=60,
                            settings={"hold_poll": True})
    conn.secrets.set("token", held_sim.token)
    conn.save()
    return conn


@pytest.fixture
def operator(db):
    return make_user("operator")


@pytest.fixture
def start_worker(transactional_db, settings, held_sim, tmp_path):
    """Start a prefork worker subprocess on this test's database and broker; all are stopped at the end."""
    settings.CONSOLE_POLL_LEASE_SECONDS = LEASE_SECONDS
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # this process only sends; the subprocess runs the tasks
    celery_app.control.purge()
    started: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        worker = WorkerProcess(tmp_path / f"worker-{len(started) + 1}.log",
                               worker_environment(lease_seconds=LEASE_SECONDS))
        started.append(worker.start())
        worker.wait_ready(WORKER_SECONDS)
        return worker

    yield start
    held_sim.released.set()  # a worker's warm shutdown waits for the task it runs
    celery_app.conf.task_always_eager = eager
    stuck = []
    for number, worker in enumerate(started, 1):
        try:
            worker.stop()
        except Exception as exc:  # stop the others all the same
            stuck.append(f"worker {number}: {exc}")
        print(f"--- worker {number} (pid {worker.pid}) log ---\n{worker.log_tail(120)}")  # shown on failure
    assert not stuck, stuck


def action_settled(action):
    """The row once settled and its audit entry closed (`_settle` writes them one after the other)."""
    row = ActionRun.objects.select_related("audit").get(pk=action.pk)
    return row if row.status in SETTLED and row.audit.outcome != Outcome.PENDING else None


def task_logged(worker, task_id, outcome="succeeded"):
    """The worker's log line for the end of a task, e.g. "...poll_connection[<id>] succeeded in 0.1s: 'ok'"."""
    return next((line for line in worker.log().splitlines() if f"[{task_id}] {outcome}" in line), None)


def received(worker, task_name) -> int:
    return sum(1 for line in worker.log().splitlines() if f"Task {task_name}[" in line and "] received" in line)


# -- actions -----------------------------------------------------------------------------------
def test_killed_while_sending_is_unconfirmed_and_never_sent_again(start_worker, held_sim, held_connection, operator):
    worker = start_worker()
    held_sim.hold("restart")
    action = actions.action_start(connection=held_connection, actor=operator, verb="widgets.restart",
                                  target=held_connection, summary="Restart widget w1.", params={"widget": "w1"})

    pid = wait_for(lambda: held_sim.holder("restart"), timeout=WORKER_SECONDS)
    assert ActionRun.objects.get(pk=action.pk).status == ActionStatus.SENT
    worker.kill_pool_process(pid)

    # acks_late + reject_on_worker_lost: the master gives the task back, its new pool process gets it again,
    # finds the row "sent" and does not send it a second time
    row = wait_for(lambda: action_settled(action), timeout=WORKER_SECONDS)
    assert row.status == ActionStatus.UNCONFIRMED, row.message
    assert "stopped while sending" in row.message
    assert row.audit.outcome == Outcome.UNCONFIRMED
    assert received(worker, "vendors.core.tasks.run_action") == 2  # delivered, killed, delivered again
    assert worker.running() and pid not in worker.pool_processes()
    assert held_sim.calls["restart"] == 1

    # another worker, and the task delivered once more (a duplicate, or a redelivery after a restart)
    worker.stop()
    again = start_worker()
    duplicate = run_action.delay(action.pk)
    wait_for(lambda: task_logged(again, duplicate.id), timeout=WORKER_SECONDS)
    row = ActionRun.objects.get(pk=action.pk)
    assert row.status == ActionStatus.UNCONFIRMED and "stopped while sending" in row.message
    assert held_sim.calls["restart"] == 1  # the vendor received it exactly once
    assert held_sim.calls == Counter(restart=1)


def test_killed_while_following_follows_again_and_succeeds(start_worker, held_sim, held_connection, operator):
    worker = start_worker()
    held_sim.hold("follow")
    action = actions.action_start(connection=held_connection, actor=operator, verb="widgets.rollout",
                                  target=held_connection, summary="Roll out widget w1.", params={"widget": "w1"})

    pid = wait_for(lambda: held_sim.holder("follow"), timeout=WORKER_SECONDS)
    row = ActionRun.objects.get(pk=action.pk)
    assert row.status == ActionStatus.ACCEPTED and row.follow == {"operation": "op-w1"}
    worker.kill_pool_process(pid)

    row = wait_for(lambda: action_settled(action), timeout=WORKER_SECONDS)
    assert row.status == ActionStatus.SUCCEEDED, row.message
    assert row.message == "Rolled out."
    assert row.audit.outcome == Outcome.SUCCESS
    assert received(worker, "vendors.core.tasks.run_action") == 2
    # sent once; followed twice (the look the worker died in, and the redelivered task's look)
    assert held_sim.calls == Counter(rollout=1, follow=2)


# -- polls -------------------------------------------------------------------------------------
def stored(connection) -> frozenset:
    return frozenset(Widget.objects.filter(connection_id=connection.pk).values_list("external_id", "name", "status"))


def poll_through(worker, connection, *, lease=None):
    """Claim ("Poll now"), queue the poll on the broker, and wait for the worker to finish it."""
    lease = lease or polling.connection_claim(connection=connection, force=True)
    assert lease, "the connection's lease is held"
    result = poll_connection.delay("widgets", connection.pk, lease)
    return wait_for(lambda: task_logged(worker, result.id), timeout=WORKER_SECONDS)


def start_held_poll(held_sim, connection):
    """The vendor's world changes, and the next poll is held inside its transaction, after it wrote w1
    (updated) and w3 (inserted), before it deletes w2."""
    held_sim.change_world()
    held_sim.hold("poll", skip=1)  # the hook asks after each widget it wrote: hold the second (w3)
    lease = polling.connection_claim(connection=connection, force=True)
    assert lease
    result = poll_connection.delay("widgets", connection.pk, lease)
    pid = wait_for(lambda: held_sim.holder("poll"), timeout=WORKER_SECONDS)
    assert held_sim.held_body("poll") == {"widget": "w3"}
    return lease, result.id, pid


def test_pool_process_killed_mid_poll_writes_nothing_and_the_redelivered_poll_completes(
        start_worker, held_sim, held_connection):
    worker = start_worker()
    assert poll_through(worker, held_connection).endswith("'ok'")
    old = held_sim.world()
    assert stored(held_connection) == old

    lease, task_id, pid = start_held_poll(held_sim, held_connection)
    new = held_sim.world()
    assert stored(held_connection) == old  # w1 and w3 are written inside the open transaction, invisible here
    worker.kill_pool_process(pid)

    # the master requeues the task; the same lease is still held, so its second delivery polls
    seen = set()

    def finished():
        seen.add(stored(held_connection))
        return task_logged(worker, task_id)

    line = wait_for(finished, timeout=WORKER_SECONDS)
    assert line.endswith("'ok'"), line
    assert seen <= {old, new}, f"a half-written poll was visible: {seen - {old, new}}"
    assert stored(held_connection) == new
    row = WidgetConnection.objects.get(pk=held_connection.pk)
    assert row.health == Health.OK and row.last_error == "" and not row.lease_owner and row.lease_until is None
    assert row.poll_notes == ["2 widgets"]
    assert held_sim.list_calls == 3  # the first poll, the killed one, its redelivery


def test_worker_crashed_mid_poll_keeps_the_lease_until_it_expires_then_the_next_poll_completes(
        start_worker, held_sim, held_connection):
    worker = start_worker()
    assert poll_through(worker, held_connection).endswith("'ok'")
    old = held_sim.world()

    lease, task_id, pid = start_held_poll(held_sim, held_connection)
    new = held_sim.world()
    assert pid in worker.pool_processes()
    worker.crash()  # master and pool at once: nobody gives the task back
    # Redis keeps the message unacknowledged and gives it back after its visibility timeout (an hour; see
    # the end of the test); the file-system broker removed it when the worker took it
    assert forget_unacked(task_id) == (1 if settings.CELERY_BROKER_URL.startswith("redis") else 0)

    assert stored(held_connection) == old
    row = WidgetConnection.objects.get(pk=held_connection.pk)
    assert row.lease_owner == lease, "the dead poll's lease is still held"
    checked_at = timezone.now()
    if (row.lease_until - checked_at).total_seconds() > 1.0:
        assert polling.connection_claim(connection=held_connection, force=True) is None, "claimed a held lease"

    # no poll until the lease expires; then "Poll now" (or the scheduler) claims it again
    next_lease = wait_for(lambda: polling.connection_claim(connection=held_connection, force=True),
                          timeout=LEASE_SECONDS + 10)
    assert timezone.now() >= row.lease_until
    assert stored(held_connection) == old

    restarted = start_worker()
    seen = {stored(held_connection)}
    result = poll_connection.delay("widgets", held_connection.pk, next_lease)

    def finished():
        seen.add(stored(held_connection))
        return task_logged(restarted, result.id)

    line = wait_for(finished, timeout=WORKER_SECONDS)
    assert line.endswith("'ok'"), line
    assert seen <= {old, new}, f"a half-written poll was visible: {seen - {old, new}}"
    assert stored(held_connection) == new
    row = WidgetConnection.objects.get(pk=held_connection.pk)
    assert row.health == Health.OK and not row.lease_owner and row.poll_notes == ["2 widgets"]
    assert held_sim.list_calls == 3  # the first poll, the crashed one, the one after the lease expired

    # the crashed task, were it delivered now (Redis restores an unacknowledged message after its
    # visibility timeout), finds its lease gone and does nothing
    late = poll_connection.delay("widgets", held_connection.pk, lease)
    line = wait_for(lambda: task_logged(restarted, late.id), timeout=WORKER_SECONDS)
    assert line.endswith("'skipped'"), line
    assert held_sim.list_calls == 3 and stored(held_connection) == new


def forget_unacked(task_id: str) -> int:
    """Drop a crashed worker's unacknowledged message of `task_id` from the Redis broker, so no later test
    or run gets it back; how many were dropped (0 on the file-system broker, which keeps none)."""
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        return 0
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    dropped = 0
    try:
        for tag, raw in client.hgetall("unacked").items():
            if json.loads(raw)[0].get("headers", {}).get("id") == task_id:
                dropped += client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    finally:
        client.close()
    return dropped
