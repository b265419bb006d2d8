"""The parts of bench/fault_soak.py (run that script; its docstring says what the soak does and measures).

simulators: the vendor simulators, each in a child process; django_side: the throw-away database,
the error log, the scaled client defaults and the demo's connections; ledger: what the database
has against what the vendor has, poll by poll; phases: the soak's rounds, the losses at its end,
the recovery and the sweep; report: the printed figures.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "fault_soak.json"
#: the script a simulator's child process runs (`fault_soak.py --serve <vendor>`)
SCRIPT = ROOT / "bench" / "fault_soak.py"

VENDORS = ("scalr", "scalingo", "scalyr")
SEED = 7
#: how often the recovery's scheduler looks for due connections (the console's beat: every 5 s of a 60 s interval)
SCHEDULER_TICKS_PER_INTERVAL = 5
