"""A steady stream of realistic log events: web access logs and application logs.

Each host is one session (as the Scalyr agent uploads it) with `serverHost`, `serverIP`
and a few server fields; events carry `logfile`, `parser` and parsed fields (access logs:
method, uriPath, status, bytes, latency in ms, remoteIp; app logs: app, level and the
message text). About 2% of requests fail with a 5xx and 2% of app lines are errors, except
during the recurring incidents the demo turns on (`Incidents`), when errors are several
times as frequent, so its error-rate chart crosses its alert threshold now and then.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from vendors.scalyr.simulator.store import EventStore
from vendors.scalyr.simulator.timespec import NS


@dataclass(frozen=True)
class Host:
    name: str
    ip: str
    app: str
    role: str  # "web" (nginx access log + app log) or "worker" (app log only)
    region: str = "eu-west-1"


DEMO_HOSTS = (
    Host("web-1.prod.internal", "10.0.1.11", "shop-api", "web"),
    Host("web-2.prod.internal", "10.0.1.12", "shop-api", "web"),
    Host("api-1.prod.internal", "10.0.2.21", "billing", "web"),
    Host("worker-1.prod.internal", "10.0.3.31", "billing", "worker"),
    Host("worker-2.prod.internal", "10.0.3.32", "shop-api", "worker"),
)

_ROUTES = {
    "shop-api": [("GET", "/", 20), ("GET", "/products", 25), ("GET", "/products/{id}", 20), ("GET", "/cart", 10),
                 ("POST", "/cart/items", 8), ("POST", "/checkout", 4), ("GET", "/login", 5), ("POST", "/login", 4),
                 ("GET", "/static/app.js", 10), ("GET", "/healthz", 6)],
    "billing": [("GET", "/invoices", 20), ("GET", "/invoices/{id}", 25), ("POST", "/invoices", 8),
                ("POST", "/payments", 10), ("GET", "/payments/{id}", 12), ("GET", "/healthz", 10)],
}
# Shared strings: at 200k stored events, a fresh copy per event adds up.
_ACCESS_THREADS = tuple(str(n) for n in range(1, 9))
_APP_THREADS = tuple(f"worker-{n}" for n in range(1, 5))
#: the word an app writes for each Scalyr `sev` it is parsed to (2 "fine" is DEBUG; records.SEVERITIES has the names)
_LEVELS = {2: "DEBUG", 3: "INFO", 4: "WARN", 5: "ERROR", 6: "FATAL"}
_APP_LINES = {
    "shop-api": [
        (3, "order {n} created for customer {c}"), (3, "cart {n} updated: {k} items"),
        (3, "cache miss for key product:{n}"), (2, "rendered product page {n} in {ms}ms"),
        (4, "slow query on products table took {ms}ms"), (4, "retrying inventory lookup for sku-{n}"),
        (5, "checkout failed for order {n}: payment service returned 502"),
        (5, "database connection timeout after 5000ms"),
    ],
    "billing": [
        (3, "invoice {n} issued for customer {c}"), (3, "payment {n} captured"),
        (3, "scheduled job reconcile-ledger finished in {ms}ms"), (2, "webhook delivered to partner {c}"),
        (4, "payment {n} declined: insufficient funds"), (4, "currency rate feed is {k} minutes old"),
        (5, "payment provider error for payment {n}: connection reset by peer"),
        (6, "ledger out of balance for account {c}; job aborted"),
    ],
}


@dataclass(frozen=True)
class Incidents:
    """Every `period` seconds from `start_ns`, `duration` seconds during which errors come at `error_rate`."""

    start_ns: int
    period: float = 20 * 60
    duration: float = 10 * 60
    error_rate: float = 0.08

    def active(self, ts: int) -> bool:
        return ((ts - self.start_ns) / NS) % self.period < self.duration


class EventGenerator:
    def __init__(self, store: EventStore, rng: random.Random, hosts=DEMO_HOSTS, *, events_per_second: float = 3.0,
                 error_rate: float = 0.02, incidents: Incidents | None = None):
        self.store = store
        self.rng = rng
        self.hosts = tuple(hosts)
        self.events_per_second = events_per_second
        self.error_rate = error_rate
        self.incidents = incidents
        self.sessions = {}
        self.app_logfiles = {host.app: f"/var/log/{host.app}/app.log" for host in self.hosts}
        for host in self.hosts:
            session = "sess_%032x" % rng.getrandbits(128)
            self.sessions[host.name] = session
            store.add_session(session, {"serverHost": host.name, "serverIP": host.ip, "serverType": host.role,
                                        "region": host.region, "env": "prod"})

    def fill(self, start_ns: int, end_ns: int) -> int:
        """Generate the events of [start, end): a Poisson-like stream at `events_per_second`."""
        if self.events_per_second <= 0 or not self.hosts or end_ns <= start_ns:
            return 0
        mean_gap = NS / self.events_per_second
        ts = start_ns + int(self.rng.expovariate(1.0) * mean_gap)
        count = 0
        while ts < end_ns:
            self.emit_one(ts)
            count += 1
            ts += max(1, int(self.rng.expovariate(1.0) * mean_gap))
        return count

    def error_rate_at(self, ts: int) -> float:
        if self.incidents is not None and self.incidents.active(ts):
            return self.incidents.error_rate
        return self.error_rate

    def emit_one(self, ts: int) -> None:
        host = self.rng.choice(self.hosts)
        if host.role == "web" and self.rng.random() < 0.7:
            self._access(host, ts)
        else:
            self._app(host, ts)

    def _access(self, host: Host, ts: int) -> None:
        rng = self.rng
        routes = _ROUTES[host.app]
        method, path, _ = rng.choices(routes, weights=[w for *_, w in routes])[0]
        path = path.replace("{id}", str(rng.randint(1, 5000)))
        roll = rng.random()
        error_rate = self.error_rate_at(ts)
        if roll < error_rate:
            status = rng.choice((500, 502, 503, 504))
        elif roll < error_rate + 0.03:
            status = rng.choice((404, 404, 401, 403, 429))
        elif method == "POST" and path == "/login":
            status = 302
        else:
            status = 304 if path.startswith("/static") and rng.random() < 0.5 else 200
        latency = round(rng.lognormvariate(3.3, 0.6) * (8 if status >= 500 else 1), 1)
        size = 0 if status in (302, 304) else int(rng.lognormvariate(7.5, 1.0))
        ip = f"203.0.113.{rng.randint(1, 254)}"
        message = f'{ip} - - "{method} {path} HTTP/1.1" {status} {size} {latency / 1000:.3f}'
        severity = 5 if status >= 500 else 4 if status >= 400 else 3
        self.store.add(ts, self.sessions[host.name], severity=severity, thread=rng.choice(_ACCESS_THREADS), attrs={
            "message": message, "logfile": "/var/log/nginx/access.log", "parser": "accessLog",
            "dataset": "accesslog", "app": host.app, "method": method, "uriPath": path, "status": status,
            "bytes": size, "latency": latency, "remoteIp": ip,
        })

    def _app(self, host: Host, ts: int) -> None:
        rng = self.rng
        lines = _APP_LINES[host.app]
        errors = [line for line in lines if line[0] >= 5]
        ordinary = [line for line in lines if line[0] < 5]
        severity, template = rng.choice(errors if rng.random() < self.error_rate_at(ts) else ordinary)
        text = template.format(n=rng.randint(1000, 99999), c=rng.randint(1, 900), k=rng.randint(1, 12),
                               ms=rng.randint(5, 4000))
        level = _LEVELS[severity]
        self.store.add(ts, self.sessions[host.name], severity=severity, thread=rng.choice(_APP_THREADS), attrs={
            "message": f"{level} [{host.app}] {text}", "logfile": self.app_logfiles[host.app], "parser": "app",
            "dataset": "app", "app": host.app, "level": level,
        })
