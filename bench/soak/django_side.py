"""The console's side: a throw-away database, the ERROR log records, the client's time defaults scaled,
and the demo's connections to the simulators."""

from __future__ import annotations

import logging
import os
import tempfile
from collections import Counter

from bench.soak import VENDORS
from bench.soak.simulators import Simulator


def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ.setdefault("CONSOLE_VAR_DIR", tempfile.mkdtemp(prefix="bench-soak-"))
    import django

    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return connection, old_name


class ErrorRecords(logging.Handler):
    """Every log record at ERROR or above, while the soak runs (they would otherwise go to stderr)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)

    def summary(self) -> dict:
        by_message = Counter(f"{r.name}: {r.msg}" for r in self.records)
        first = {}
        for record in self.records:
            key = f"{record.name}: {record.msg}"
            if key not in first:
                trace = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
                first[key] = {"message": record.getMessage(), "exception": trace.strip().splitlines()[-1:]}
        polling = sum(1 for r in self.records if r.name.startswith("vendors.polling"))
        return {"vendors_polling": polling, "other": len(self.records) - polling, "by_message": dict(by_message),
                "first_of_each": first}


def fast_clients(scale: float) -> dict:
    """Scale the core client's time defaults (there is no setting for a poll's retries or timeouts)."""
    import httpx

    from vendors.core import http

    for name in ("max_attempts", "max_retry_seconds", "backoff_initial", "backoff_max"):
        if not hasattr(http.VendorClient, name):
            raise SystemExit(f"vendors.core.http.VendorClient has no {name} any more: update the bench")
    client = http.VendorClient
    client.max_retry_seconds *= scale
    client.backoff_initial *= scale
    client.backoff_max *= scale
    shipped = http.DEFAULT_TIMEOUT
    http.DEFAULT_TIMEOUT = httpx.Timeout(connect=shipped.connect, read=shipped.read * scale,
                                         write=shipped.write, pool=shipped.pool)
    return {"max_attempts": client.max_attempts, "max_retry_seconds": client.max_retry_seconds,
            "backoff_initial": client.backoff_initial, "backoff_max": client.backoff_max,
            "read_timeout": http.DEFAULT_TIMEOUT.read, "scalingo_read_timeout": 30.0}


def provision_demo(sims: dict[str, Simulator], interval: int) -> list:
    """The demo's connections to the simulators, as `manage.py demo` provisions them, on a fast clock."""
    from vendors.core import registry
    from vendors.core.provisioning import provision

    document = {"teams": [{"name": "demo"}], "connections": []}
    for vendor in VENDORS:
        document["connections"].extend(registry.get(vendor).demo.connections(sims[vendor].url))
    provision(document, environ={}, inline_secrets=True)
    connections = []
    for vendor in VENDORS:
        for connection in registry.get(vendor).connection_model.objects.order_by("name"):
            settings = dict(connection.settings or {})
            if vendor == "scalingo":
                settings["requests_per_minute"] = 0
            if vendor == "scalr" and connection.api == "v1":
                settings["hourly_limit"] = 0
            type(connection).objects.filter(pk=connection.pk).update(poll_seconds=interval, settings=settings)
            connection.refresh_from_db()
            connections.append(connection)
    return connections

