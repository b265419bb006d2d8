"""The soak's figures, printed."""

from __future__ import annotations

import subprocess

from bench.soak import RESULTS, ROOT


def git_head() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def report(result: dict) -> None:
    unhandled = result["unhandled"]
    records = unhandled["error_records"]
    print(f"Fault soak: {result['polls']} polls in {result['soak_seconds']} s, chaos {result['chaos']:.0%} "
          f"({', '.join(result['chaos_kinds'])}), held requests {result['chaos_timeout_seconds']} s, "
          f"interval {result['interval_seconds']} s, {result['database']}, at {result['git_head']}")
    for vendor, served in result["faults_served"].items():
        print(f"  {vendor} simulator: {result['requests_served'][vendor]} requests, faults "
              + ", ".join(f"{kind} {n}" for kind, n in served.items()))
        own = result["simulator_errors"][vendor]
        if own["handler_failures"]:
            print(f"    its own handler failed {own['handler_failures']} times (answered 500 'internal error'): "
                  f"{own['last_error_line']}")
    print(f"(a) unhandled: {records['vendors_polling']} ERROR records from vendors.polling, {records['other']} other "
          f"ERROR records, {unhandled['escaped_exceptions']} exceptions escaping connection_poll (goal 0)")
    for key, count in records["by_message"].items():
        print(f"      {count:5d} × {key}  [{' '.join(records['first_of_each'][key]['exception'])}]")
    header = (f"  {'connection':<16} {'polls':>5} {'ok':>4} {'degr':>4} {'defer':>5} {'fail':>4} {'other':>5} "
              f"{'(c) complete':>12} {'w/o defer':>9} {'(b) lost':>8} {'dropped':>7}  (d) intervals to OK")
    print(header)
    for name, c in result["connections"].items():
        o = c["outcomes"]
        other = c["polls"] - sum(o.get(k, 0) for k in ("ok", "degraded", "deferred", "failed"))
        lost = sum(c["rows_lost_at_end"].values())
        dropped = sum(c["rows_dropped_by_polls"].values())
        rec = c["recovery"]
        if rec["intervals"] == 0:
            back = "0 (OK when the faults stopped)"
        elif rec["intervals"] is not None:
            back = f"{rec['intervals']} ({rec['scheduled_polls']} poll(s))"
        else:
            now = rec.get("polls_now_to_ok")
            back = (f"> {result['recovery_cap']} (next scheduled poll in {rec['next_scheduled_in_intervals']} "
                    f"intervals; 'Poll now' {f'OK after {now}' if now else 'not OK after 5'})")
            if rec.get("failed_parts"):
                back += (f"; {rec['failed_parts']} failed part(s) wait for their backoff, the last asked again in "
                         f"{rec['last_part_asked_again_in_intervals']} intervals")
        without = c["complete_share_without_deferred"]
        print(f"  {name:<16} {c['polls']:>5} {o.get('ok', 0):>4} {o.get('degraded', 0):>4} {o.get('deferred', 0):>5} "
              f"{o.get('failed', 0):>4} {other:>5} {c['complete_share']:>12.0%} "
              f"{'-' if without is None else f'{without:.0%}':>9} {lost:>8} {dropped:>7}  {back}")
    print("  goals: (a) 0, (b) 0, (c) >= 80%, (d) 1 interval")
    for name, c in result["connections"].items():
        if c["top_failures"]:
            print(f"  {name}: most frequent non-ok outcomes")
            for message, count in c["top_failures"].items():
                print(f"      {count:5d} × {message}")
    if result["by_kind"]:
        names = list(result["connections"])
        print("  complete polls with each fault kind alone at the same rate:")
        print("    " + f"{'kind':<20}" + "".join(f"{n:>16}" for n in names))
        for kind, shares in result["by_kind"].items():
            print("    " + f"{kind:<20}" + "".join(f"{shares[n]['complete']:>16.0%}" for n in names))
    print(f"  written to {RESULTS.relative_to(ROOT)}")
