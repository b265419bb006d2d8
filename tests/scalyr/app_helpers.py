"""Events for the Django-side tests: a small, known set on the simulator's real clock."""

from __future__ import annotations

import time

from .helpers import NS, emit

WEB1, WEB2, WORKER = "web-1.prod.internal", "web-2.prod.internal", "worker-1.prod.internal"


def ago(seconds: float) -> int:
    return time.time_ns() - int(seconds * NS)


def access(host: str, seconds_ago: float, status: int, path: str = "/products", latency: float = 20.0) -> dict:
    return {"host": host, "ts": str(ago(seconds_ago)), "severity": 5 if status >= 500 else 3,
            "attrs": {"message": f'GET {path} HTTP/1.1" {status}', "logfile": "/var/log/nginx/access.log",
                      "app": "shop-api", "status": status, "uriPath": path, "latency": latency,
                      "dataset": "accesslog"}}


def seed(sim, *, count: int = 30) -> list[int]:
    """`count` access lines over the last 30 minutes (every 7th a 502 on web-2), plus two billing errors."""
    events = [access(WEB2 if i % 7 == 0 else WEB1, 60 * (i % 30) + i, 502 if i % 7 == 0 else 200)
              for i in range(count)]
    events += [{"host": WORKER, "ts": str(ago(90 + i)), "severity": 5,
                "attrs": {"message": f"ERROR [billing] payment {i} failed", "logfile": "/var/log/billing/app.log",
                          "app": "billing"}} for i in range(2)]
    return emit(sim, *events)
