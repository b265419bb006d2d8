"""The "hosts" of bench/scale_out.py: network namespaces, forwarders, worker processes, the simulator.

Each worker runs in its own network namespace (`sobench<k>`), joined to this host by a veth pair in
10.231.<k>.0/30. PostgreSQL and Redis listen on loopback only, so a TCP forwarder (socat) on a
service address (10.231.255.1, on a link of its own) relays them; the simulator listens on that
address itself. A worker thus reaches the database, the broker and the vendor over its veth link,
as a worker on another host would over the network; nothing of it shares a loopback with them.

Everything started is recorded in STATE (pids and names), so a run that died leaves nothing a
later run cannot remove: `cleanup()` runs at start and in the script's `finally`.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.testvendor.simulator import WidgetSimulator
from vendors.core.simulator import json_response

SERVICE_IP = "10.231.255.1"
DUMMY = "sobsvc0"
STATE = Path("/tmp/bench-scale-out.json")
BASE_DIR = Path(__file__).resolve().parents[1]
TOKEN_PREFIX = "scale-"


def _ip(*args: str, check: bool = True) -> None:
    subprocess.run(["ip", *args], check=check, capture_output=True)


def _state() -> dict:
    try:
        return json.loads(STATE.read_text())
    except (FileNotFoundError, ValueError):
        return {"pids": [], "namespaces": []}


def _remember(**items) -> None:
    state = _state()
    for key, values in items.items():
        state[key] = sorted(set(state.get(key, [])) | set(values))
    STATE.write_text(json.dumps(state))


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def cleanup() -> None:
    """Stop what an earlier (or this) run started, by the ids it recorded, and remove its links."""
    state = _state()
    for pid in state.get("pids", []):
        line = _cmdline(pid)
        if "socat" in line or "celery" in line or "scale_out" in line:
            try:
                os.killpg(pid, signal.SIGKILL)  # each was started as the leader of its own session
            except (ProcessLookupError, PermissionError):
                pass
    for name in state.get("namespaces", []):
        _ip("netns", "del", name, check=False)
        _ip("link", "del", f"sobh{name[-1]}", check=False)
    _ip("link", "del", DUMMY, check=False)
    STATE.unlink(missing_ok=True)


def _spawn(command: list[str], **kwargs) -> subprocess.Popen:
    process = subprocess.Popen(command, start_new_session=True, **kwargs)
    _remember(pids=[process.pid])
    return process


def network_up(hosts: int, *, pg_port: int = 5432, redis_port: int = 6379) -> list[subprocess.Popen]:
    """The service address, the forwarders to PostgreSQL and Redis, and `hosts` namespaces."""
    _ip("link", "add", DUMMY, "type", "veth", "peer", "name", f"{DUMMY}p")  # a stand-in for a dummy link
    _ip("addr", "add", f"{SERVICE_IP}/32", "dev", DUMMY)
    _ip("link", "set", f"{DUMMY}p", "up")
    _ip("link", "set", DUMMY, "up")
    forwarders = [_spawn(["socat", f"TCP-LISTEN:{port},bind={SERVICE_IP},reuseaddr,fork,backlog=512",
                          f"TCP:127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                  for port in (pg_port, redis_port)]
    for k in range(1, hosts + 1):
        name, outside, inside = f"sobench{k}", f"sobh{k}", f"sobn{k}"
        _remember(namespaces=[name])
        _ip("netns", "add", name)
        _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
        _ip("link", "set", inside, "netns", name)
        _ip("addr", "add", f"10.231.{k}.1/30", "dev", outside)
        _ip("link", "set", outside, "up")
        _ip("-n", name, "addr", "add", f"10.231.{k}.2/30", "dev", inside)
        _ip("-n", name, "link", "set", inside, "up")
        _ip("-n", name, "link", "set", "lo", "up")
        _ip("-n", name, "route", "add", "default", "via", f"10.231.{k}.1")
    return forwarders


class Worker:
    """`celery worker` (prefork, as deploy/systemd runs it) in namespace `sobench<host>`."""

    def __init__(self, host: int, env: dict, *, concurrency: int, log_dir: Path):
        self.host = host
        command = ["ip", "netns", "exec", f"sobench{host}", sys.executable, "-m", "celery", "-A", "dashboard",
                   "worker", "--pool", "prefork", "--concurrency", str(concurrency), "--prefetch-multiplier", "1",
                   "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING",
                   "--hostname", f"scale{host}@host{host}"]
        self.log = open(log_dir / f"worker{host}.log", "ab")
        self.process = _spawn(command, cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def pids(self) -> list[int]:
        """The worker's processes: its session (the master and its pool children)."""
        found = []
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[3]) == self.process.pid:  # session id
                    found.append(int(name))
        return found

    def cpu_seconds(self) -> float:
        ticks = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])
            except OSError:
                pass
        return ticks / os.sysconf("SC_CLK_TCK")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """The host is lost: the master and every pool process at once (`kill -9`)."""
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = 30.0) -> None:
        self.kill(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.process.wait(10)
        self.log.close()


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU jiffies of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class ScaleSimulator(WidgetSimulator):
    """Widgets for many connections: token `scale-<n>` is connection n's; every widget list (one per
    poll) is logged with the connection and the time, for counting polls per connection."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.polls: list[tuple[str, float]] = []
        self._polls_lock = threading.Lock()

    def handle(self, request):
        token = (request.header("authorization") or "").removeprefix("Bearer ")
        if not token.startswith(TOKEN_PREFIX):
            return json_response({"error": "invalid token"}, 401)
        if request.path == "/widgets":
            with self._polls_lock:
                self.polls.append((token[len(TOKEN_PREFIX):], time.time()))
        request.headers["authorization"] = f"Bearer {self.token}"
        return super().handle(request)

    def control(self, action, payload):
        if action == "polls":
            with self._polls_lock:
                return json_response([[name, at] for name, at in self.polls if at >= payload.get("since", 0)])
        return None


def _serve(pipe, latency: float) -> None:
    sys.stderr = open(os.devnull, "w")  # a killed or stopped worker's dropped requests are expected here
    simulator = ScaleSimulator()
    simulator.faults.update(latency=latency)
    pipe.send(simulator.serve(host=SERVICE_IP))
    threading.Event().wait()


def simulator_start(latency: float) -> tuple[multiprocessing.Process, str]:
    """The simulator in a child process (as a vendor is remote), on the service address."""
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(theirs, latency), daemon=True)
    process.start()
    return process, ours.recv()
