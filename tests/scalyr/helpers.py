"""Constants and helpers shared by the Scalyr tests (fixtures live in conftest.py)."""

from __future__ import annotations

import httpx

from vendors.scalyr.client import ScalyrClient

NOW = 1_800_000_000  # 2027-01-15T08:00:00Z, the simulator's frozen "now" (epoch seconds)
NS = 1_000_000_000
READ_LOGS = "test-read-logs-0123456789"
READ_CONFIG = "test-read-config-0123456789"
WRITE_CONFIG = "test-write-config-0123456789"
WRITE_LOGS = "test-write-logs-0123456789"
ALL_TOKENS = (READ_LOGS, READ_CONFIG, WRITE_CONFIG, WRITE_LOGS)
FAST_RETRIES = {"backoff_initial": 0.01, "backoff_max": 0.05, "max_retry_seconds": 5.0}


def make_client(sim, **kwargs) -> ScalyrClient:
    options = {"read_logs_token": READ_LOGS, "read_config_token": READ_CONFIG, "write_config_token": WRITE_CONFIG,
               **FAST_RETRIES, **kwargs}
    return ScalyrClient(sim.url, **options)


_control_http = httpx.Client(timeout=10)


def control(sim, action: str, payload: dict | None = None) -> dict:
    response = _control_http.post(f"{sim.url}/_sim/{action}", json=payload or {})
    assert response.status_code == 200, response.text
    return response.json()


def emit(sim, *events: dict) -> list[int]:
    """Append events through the control API; returns their timestamps (ns)."""
    answer = control(sim, "emit", {"events": list(events)})
    return [int(ts) for ts in answer["timestamps"]]


def at(seconds_before_now: float) -> int:
    """An absolute event time (ns), `seconds_before_now` before the frozen clock."""
    return int((NOW - seconds_before_now) * NS)
