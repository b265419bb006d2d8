"""Page latency with no live tail open vs with a web process relaying as many as it allows.

    .venv/bin/python bench/tails.py [--rounds 20] [--lines-per-second 5]

The console runs as deployed: gunicorn with deploy/gunicorn.conf.py, in a subprocess, with
one worker (WEB_CONCURRENCY=1) so every tail and every page meet in the same process, the
worst case. Scalingo is the simulator in its own process, writing `--lines-per-second` log
lines to the app, which every tail relays to its reader (a thread per tail reads it, as a
browser would). Blocks alternate: no tail, CONSOLE_TAILS_PER_PROCESS tails (from 7 users,
within the per-user limit), no tail, tails..., each requesting the overview, apps list, app
page, connections and timeline `--rounds` times over real HTTP. Reports the median, p95 and
slowest page in each condition (target: the slowest page with the tails open under 1 s),
and how long Scalingo's log streams stayed open after the readers left (target: under 10 s).
Results: bench/results/tails.json (tails_silent.json with `--lines-per-second 0`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("CONSOLE_VAR_DIR", tempfile.mkdtemp(prefix="bench-tails-"))
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import reverse  # noqa: E402

from console.teams.models import Role  # noqa: E402
from tests.harness.factories import ScalingoConnectionFactory, TeamFactory, member_of  # noqa: E402
from tests.harness.waiting import wait_for  # noqa: E402
from tests.integration.web_process import WebServer  # noqa: E402
from tests.integration.worker_process import worker_environment  # noqa: E402
from vendors.core import polling  # noqa: E402
from vendors.scalingo.models import App  # noqa: E402
from vendors.scalingo.simulator import DEFAULT_TOKEN  # noqa: E402

APP = "bench-app"
SIMULATOR = """
import sys
from vendors.scalingo.simulator import ScalingoSimulator
rate = float(sys.argv[1])
simulator = ScalingoSimulator(rate_limit=None, stream_seconds=25)  # a ping before the console's 30 s read timeout
print(simulator.serve(), flush=True)
simulator.control("add_app", {"name": %r})
line = 0
while not simulator._stopping.wait(1 / rate if rate else 3600):
    line += 1
    simulator.control("log", {"app": %r, "source": "web-1", "lines": [f"GET /orders/{line} 200 12ms bench"]})
""" % (APP, APP)


class Bench:
    def __init__(self, sim_url: str, log_path: Path):
        team = TeamFactory(name="bench", slug="bench")
        conn = ScalingoConnectionFactory(name="bench", team=team, base_url=sim_url, requests_per_minute=0,
                                         secret_values={"token": DEFAULT_TOKEN})
        lease = polling.connection_claim(connection=conn, force=True)
        assert polling.connection_poll(vendor=conn.vendor, pk=conn.pk, lease=lease).status == "ok"
        self.app = App.objects.get(connection=conn, name=APP)
        self.per_user, self.per_process = settings.CONSOLE_TAILS_PER_USER, settings.CONSOLE_TAILS_PER_PROCESS
        self.control = httpx.Client(base_url=sim_url, timeout=10)
        self.lock, self.lines_relayed = threading.Lock(), 0
        self.server = WebServer.gunicorn(log_path, worker_environment()).start()
        users = [member_of(team, Role.VIEWER, username=f"tailer-{i}")
                 for i in range(-(-self.per_process // self.per_user))]
        self.tailers = [self.server.client_for(user, timeout=60) for user in users]
        self.reader = self.server.client_for(member_of(team, Role.VIEWER, username="reader"), timeout=60)
        self.pages = [reverse("overview:home"), reverse("scalingo:app-list"),
                      reverse("scalingo:app-detail", args=[self.app.pk]), reverse("core:connection-list"),
                      reverse("overview:timeline")]

    def open_log_streams(self) -> int:
        return self.control.get("/_sim/log_streams").json()["open"]

    def open_tails(self, stack: ExitStack) -> None:
        """As many tails as the process allows, each read by a thread as a browser would; leaving
        the stack makes every reader close its own connection (a socket closed under a thread
        blocked reading it would stay open) and waits until they all have."""
        url = reverse("scalingo:app-logs-tail", args=[self.app.pk])
        leave, readers = threading.Event(), []
        stack.callback(lambda: [reader.join() for reader in readers])
        stack.callback(leave.set)
        for index in range(self.per_process):
            client = self.tailers[index // self.per_user]
            response = client.send(client.build_request("GET", url), stream=True)
            chunks = response.iter_text()
            first = next(chunks)
            assert first.startswith(":"), f"tail {index} was refused: {first}"
            readers.append(threading.Thread(target=self._read, args=(response, chunks, leave), daemon=True))
            readers[-1].start()
        full = self.tailers[-1].get(url).text
        assert "event: refused" in full and "already relaying" in full, full

    def _read(self, response: httpx.Response, chunks, leave: threading.Event) -> None:
        with closing(response):  # every chunk is a line or a heartbeat (1 s): the reader notices `leave` soon
            for chunk in chunks:
                with self.lock:
                    self.lines_relayed += chunk.count("event: line")
                if leave.is_set():
                    return

    def pages_once(self) -> list[float]:
        times = []
        for page in self.pages:
            started = time.perf_counter()
            response = self.reader.get(page)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (page, response.status_code)
        return times

    def run(self, rounds: int, blocks: int) -> dict:
        for _ in range(3):
            self.pages_once()  # warm up: templates, connections, the session
        samples: dict[str, list[float]] = {"idle": [], "tails": []}
        ended_after, relaying, relayed = [], 0.0, 0
        for block in range(blocks):
            if block % 2 == 0:
                for _ in range(rounds):
                    samples["idle"].extend(self.pages_once())
                continue
            with ExitStack() as tails:
                self.open_tails(tails)
                started, before = time.perf_counter(), self.lines_relayed
                for _ in range(rounds):
                    samples["tails"].extend(self.pages_once())
                relaying += time.perf_counter() - started
                relayed += self.lines_relayed - before
            left = time.perf_counter()
            wait_for(lambda: self.open_log_streams() == 0, timeout=30, what="Scalingo's log streams closed")
            ended_after.append(time.perf_counter() - left)
        return {name: figures(values) for name, values in samples.items()} | {
            "vendor_streams_closed_after_s": [round(s, 2) for s in ended_after],
            "lines_relayed_per_second": round(relayed / relaying, 1)}

    def close(self) -> None:
        for client in (*self.tailers, self.reader, self.control):
            client.close()
        self.server.stop()


def figures(seconds: list[float]) -> dict:
    p95 = statistics.quantiles(seconds, n=20, method="inclusive")[-1]
    return {"pages": len(seconds), **{f"{name}_ms": round(value * 1000, 1) for name, value in (
        ("median", statistics.median(seconds)), ("p95", p95), ("max", max(seconds)))}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="requests of each page per block")
    parser.add_argument("--blocks", type=int, default=4, help="alternating blocks: idle, tails, idle, tails...")
    parser.add_argument("--lines-per-second", type=float, default=5.0, help="log lines Scalingo writes to the app")
    args = parser.parse_args()

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    simulator = subprocess.Popen([sys.executable, "-c", SIMULATOR, str(args.lines_per_second)], cwd=ROOT,
                                 stdout=subprocess.PIPE, text=True)
    bench = None
    try:
        bench = Bench(simulator.stdout.readline().strip(), Path(settings.VAR_DIR) / "gunicorn.log")
        result = bench.run(args.rounds, args.blocks)
    finally:
        if bench is not None:
            bench.close()
        simulator.terminate()
        simulator.wait()
        connection.creation.destroy_test_db(old_name, verbosity=0)

    idle, tails = result["idle"], result["tails"]
    result.update({
        "what": "page latency through gunicorn (deploy/gunicorn.conf.py, 1 worker) with 0 vs "
                f"{settings.CONSOLE_TAILS_PER_PROCESS} live tails open in that worker",
        "target": "slowest page with the tails open < 1000 ms; vendor streams closed < 10 s after the readers left",
        "median_ratio": round(tails["median_ms"] / idle["median_ms"], 2),
        "meets_target": tails["max_ms"] < 1000 and max(result["vendor_streams_closed_after_s"]) < 10,
        "lines_per_second": args.lines_per_second, "rounds": args.rounds, "blocks": args.blocks,
        "load_average_1min": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
    })
    for name in ("idle", "tails"):
        row = result[name]
        print(f"{name:5}: {row['pages']} pages, median {row['median_ms']} ms, p95 {row['p95_ms']} ms, "
              f"slowest {row['max_ms']} ms")
    print(f"the tails relayed {result['lines_relayed_per_second']} lines/s to their readers meanwhile")
    print(f"median with tails / idle: {result['median_ratio']}x; Scalingo's streams closed "
          f"{result['vendor_streams_closed_after_s']} s after the readers left -> "
          f"{'meets' if result['meets_target'] else 'MISSES'} the target")
    out = ROOT / "bench" / "results" / ("tails.json" if args.lines_per_second else "tails_silent.json")
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
