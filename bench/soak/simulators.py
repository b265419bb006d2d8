"""The three vendor simulators, each serving its demo world in a child process (as the vendors would be remote)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile

from bench.soak import ROOT, SCRIPT, SEED


def serve(vendor: str) -> None:
    """Child process: serve `vendor`'s demo world; answer `world` lines on stdin with its rows as JSON."""
    if vendor == "scalr":
        from vendors.scalr.simulator import ScalrSimulator

        sim = ScalrSimulator.demo(seed=SEED, rate_limit=None)
    elif vendor == "scalingo":
        from vendors.scalingo.simulator import ScalingoSimulator

        sim = ScalingoSimulator.demo(seed=SEED)
        sim.limiter.limit = None  # fast clock: its 60 requests a minute would be hit by the soak's pace
    else:
        from vendors.scalyr.simulator import ScalyrSimulator

        sim = ScalyrSimulator.demo(seed=SEED)
    print(sim.serve(), flush=True)
    for line in sys.stdin:  # until the parent closes our stdin
        if line.strip() == "world":
            with sim.lock:
                rows = world_rows(vendor, sim)
            print(json.dumps(rows), flush=True)
    sim.stop()


def world_rows(vendor: str, sim) -> dict:
    """What the vendor has, as the console would store it (external ids)."""
    if vendor == "scalr":
        world = sim.world
        return {"farms": {str(f.id): f.env_id for f in world.farms.values()},
                "servers": {s.id: s.farm_id for s in world.servers.values()},
                "envs_of_key": {key: sim.visible_env_ids(credential) for key, credential in sim.credentials.items()}}
    if vendor == "scalingo":
        world = sim.world
        return {"apps_by_region": {region: sorted(a["id"] for a in world.apps.values()
                                                  if a["_region"] == region and world.can_see(sim.ops, a))
                                   for region in {a["_region"] for a in world.apps.values()}}}
    return {"events": len(sim.store)}


class Simulator:
    def __init__(self, vendor: str):
        import httpx

        self.vendor = vendor
        self.log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen([sys.executable, str(SCRIPT), "--serve", vendor], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.log, text=True, cwd=ROOT)
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http"):
            self.log.seek(0)
            raise SystemExit(f"the {vendor} simulator did not start:\n{self.log.read()}")
        self.control = httpx.Client(base_url=self.url, timeout=30)

    def world(self) -> dict:
        self.process.stdin.write("world\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def faults(self, **settings) -> dict:
        answer = self.control.post("/_sim/faults", json=settings)
        answer.raise_for_status()
        return answer.json()

    def tick(self) -> None:
        self.control.post("/_sim/tick").raise_for_status()

    def stats(self) -> dict:
        return self.control.get("/_sim/stats").json()

    def stop(self) -> dict:
        """Stop it; what its log says about its own failures (a simulator bug answers 500 "internal error")."""
        self.control.close()
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.log.seek(0)
        lines = self.log.read().splitlines()
        self.log.close()
        failures = [line for line in lines if "simulator failed on" in line]
        last = next((line for line in reversed(lines) if line and not line.startswith(" ")), "")
        return {"handler_failures": len(failures), "first": failures[:1], "last_error_line": last if failures else ""}

