"""Peak memory of a poll and of a page when the vendor answers 200 MB, against the same with a small answer.

    cd /work/main && .venv/bin/python bench/big_answer.py [--size-mb 200] [--uncapped]

Every vendor answer is read up to CONSOLE_MAX_RESPONSE_MB (vendors/core/answers.py, 32 by default);
past it the request fails with "answer larger than 32 MB". This measures what that leaves in the
processes that read vendors: a worker's poll (the Scalr demo connection on APIv2, through
`connection_poll`) and a page read live from the vendor (the Scalyr explorer's results fragment,
through Django's test client and the whole middleware stack).

Two simulators serve their demo worlds in child processes, as the vendors would be remote. Each
case runs in a fresh process of its own, so peaks do not mix: Django set up on a database made
once, one poll or one page, then the process's peak resident size (`ru_maxrss`). The big answer
is the simulators' `answer` fault (vendors/core/simulator.py): `--size-mb` of generated JSON-ish
bytes, never held by the simulator, sent chunked (no Content-Length: the console reads up to the
cap, the worst case) or with its Content-Length declared (refused before a byte is read). The
small answer is the simulator's own. Target: a big answer raises the peak by no more than the cap
plus 20 MB over the small one. `--uncapped` adds the same cases with the cap set past the answer,
to show what the cap saves. Figures are printed and written to bench/results/big_answer.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "big_answer.json"
SCRIPT = Path(__file__).resolve()
OPERATOR = "bench-operator"
ANSWERS = ("small", "chunked", "declared")


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("CONSOLE_DEV", "1")
    os.environ.setdefault("CONSOLE_VAR_DIR", tempfile.mkdtemp(prefix="bench-big-answer-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    os.environ.setdefault("CONSOLE_OUTBOUND_ALLOW", "127.0.0.1")  # the simulators listen on loopback
    os.environ.setdefault("LOG_LEVEL", "CRITICAL")  # a failed poll logs a warning: not the bench's output
    import django

    django.setup()


def status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":")) / 1024


def peak_mb(reset: bool) -> float:
    """The peak resident size: the memory's high-water mark since `forget_peak` when it worked (VmHWM, the
    counter ru_maxrss reads, which also keeps the peak of threads that ended during start-up), else ru_maxrss."""
    return status_mb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def forget_peak() -> bool:
    """Start the peak over from what is resident now (Linux: `5` in clear_refs resets the high-water mark),
    so start-up's own transient peak does not hide the case's."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


# -- child processes -------------------------------------------------------------------------------
def serve(vendor: str) -> None:
    """A simulator's process: serve the vendor's demo world until stdin closes."""
    sys.path.insert(0, str(ROOT))
    if vendor == "scalr":
        from vendors.scalr.simulator import ScalrSimulator

        simulator = ScalrSimulator.demo(rate_limit=None)
    else:
        from vendors.scalyr.simulator import ScalyrSimulator

        simulator = ScalyrSimulator.demo()
    print(simulator.serve(), flush=True)
    sys.stdin.read()
    simulator.stop()


def case(what: str) -> None:
    """One poll or one page in this fresh process; prints its figures as JSON."""
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from vendors.core import polling
    from vendors.scalr.models import ScalrConnection
    from vendors.scalyr.models import ScalyrConnection

    if what == "poll":
        connection = ScalrConnection.objects.get(name="scalr-demo-v2")
    else:
        connection = ScalyrConnection.objects.get()
        web = Client(HTTP_HOST="127.0.0.1")
        web.force_login(get_user_model().objects.get(username=OPERATOR))
    reset = forget_peak()
    settled = status_mb("VmRSS")
    started = time.perf_counter()
    if what == "poll":
        lease = polling.connection_claim(connection=connection, force=True)
        outcome = polling.connection_poll(vendor="scalr", pk=connection.pk, lease=lease)
        connection.refresh_from_db()
        result = {"outcome": outcome.status, "said": connection.last_error}
    else:
        page = web.get(f"/scalyr/{connection.pk}/?filter=&range=4h", HTTP_HX_REQUEST="true")
        body = page.content.decode()
        error = re.search(r'id="query-error"[^>]*>(.*?)</div>', body, re.S)  # what the page says went wrong
        said = " ".join(re.sub(r"<[^>]+>", " ", error.group(1)).split()) if error else ""
        result = {"outcome": f"HTTP {page.status_code}, {len(page.content) // 1024} KB page", "said": said}
    print(json.dumps({**result, "seconds": round(time.perf_counter() - started, 2), "settled_mb": round(settled, 1),
                      "peak_mb": round(peak_mb(reset), 1), "peak_reset_before_case": reset,
                      "ru_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "cap_mb": settings.CONSOLE_MAX_RESPONSE_MB}))


# -- the parent ------------------------------------------------------------------------------------
def provision(urls: dict[str, str]) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from console.teams.models import Membership, Role, Team
    from vendors.core import registry
    from vendors.core.provisioning import provision as provision_document

    call_command("migrate", interactive=False, verbosity=0)
    document = {"teams": [{"name": "demo"}], "connections": [
        *[c for c in registry.get("scalr").demo.connections(urls["scalr"]) if c["api"] == "v2"],
        *registry.get("scalyr").demo.connections(urls["scalyr"])]}
    provision_document(document, environ={}, inline_secrets=True)
    user = get_user_model().objects.create_user(OPERATOR, password="bench-password-123")
    Membership.objects.create(team=Team.objects.get(name="demo"), user=user, role=Role.OPERATOR)


def run_case(what: str, answer: str, *, size_mb: int, control, cap_mb: int | None) -> dict:
    import httpx

    fault = {} if answer == "small" else {"answer": {
        "status": 200, "content_type": "application/json", "size": size_mb * 1024 * 1024,
        "chunked": answer == "chunked", "body": '{"id": 1, "name": "web-prod", "status": "running"}, '}}
    assert httpx.post(control[what] + "/_sim/faults", json=fault).status_code == 200
    env = {**os.environ, **({"CONSOLE_MAX_RESPONSE_MB": str(cap_mb)} if cap_mb else {})}
    child = subprocess.run([sys.executable, str(SCRIPT), "--case", what], env=env, cwd=ROOT, capture_output=True,
                           text=True, check=True)
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--uncapped", action="store_true", help="also run with the cap set past the answer")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve)
    if args.case:
        return case(args.case)

    setup_django()  # CONSOLE_VAR_DIR is set now: the children inherit the same database
    from django.conf import settings

    cap = settings.CONSOLE_MAX_RESPONSE_MB
    sims = {vendor: subprocess.Popen([sys.executable, str(SCRIPT), "--serve", vendor], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=ROOT) for vendor in ("scalr", "scalyr")}
    try:
        urls = {vendor: process.stdout.readline().strip() for vendor, process in sims.items()}
        provision(urls)
        control = {"poll": urls["scalr"], "page": urls["scalyr"]}
        caps = [None, args.size_mb * 2] if args.uncapped else [None]
        figures = {}
        for cap_mb in caps:
            for what in ("poll", "page"):
                label = what if cap_mb is None else f"{what}, uncapped"
                figures[label] = {answer: run_case(what, answer, size_mb=args.size_mb, control=control, cap_mb=cap_mb)
                                  for answer in ANSWERS}
    finally:
        for process in sims.values():
            process.stdin.close()
            process.wait(timeout=30)

    limit = cap + 20
    for runs in figures.values():
        for answer in ANSWERS[1:]:
            runs[answer]["rise_over_small_mb"] = round(runs[answer]["peak_mb"] - runs["small"]["peak_mb"], 1)
    met = all(runs[a]["rise_over_small_mb"] <= limit for label, runs in figures.items() if "uncapped" not in label
              for a in ANSWERS[1:])
    result = {"what": f"peak RSS of a fresh process doing one poll / one page while the vendor answers "
                      f"{args.size_mb} MB, against the same with the vendor's small answer",
              "cap_mb": cap, "answer_mb": args.size_mb, "target": f"rise <= cap + 20 MB = {limit} MB",
              "meets_target": met,
              "figures": figures, "python": sys.version.split()[0], "load_average_1min": round(os.getloadavg()[0], 2)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"Vendor answers {args.size_mb} MB; cap CONSOLE_MAX_RESPONSE_MB={cap}; target: peak rises <= {limit} MB")
    for label, runs in figures.items():
        for answer, run in runs.items():
            rise = f"{run['rise_over_small_mb']:+7.1f} MB" if "rise_over_small_mb" in run else "  (baseline)"
            print(f"  {label:<15} {answer:<9} peak {run['peak_mb']:7.1f} MB {rise}  {run['seconds']:6.2f} s  "
                  f"{run['outcome']}: {run['said'][:70]}")
    print(f"{'meets' if met else 'MISSES'} the target; written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
