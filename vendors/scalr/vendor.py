"""Scalr's entry in the vendor registry."""

from django.urls import reverse

from vendors.core import registry
from vendors.scalr import models
from vendors.scalr.forms import ScalrConnectionForm
from vendors.scalr.polling import client_for, scalr_connection_poll
from vendors.scalr.selectors import farm_summary_counts

PENDING_SERVERS = ("pending_launch", "pending", "initializing", "resuming", "importing", "temporary")
STOPPING_SERVERS = ("pending_terminate", "pending_suspend")


def check(connection) -> str:
    with client_for(connection) as client:
        client.check()
    return f"Authenticated on {connection.api_label} at {connection.base_url}."


def summary(teams) -> list[registry.SummaryItem]:
    farms, servers = farm_summary_counts(teams=teams)
    farm_url, server_url = reverse("scalr:farm-list"), reverse("scalr:server-list")
    moving = farms.get("pending_launch", 0) + farms.get("pending_terminate", 0) + farms.get("synchronizing", 0)
    pending = sum(servers.get(s, 0) for s in PENDING_SERVERS)
    stopping = sum(servers.get(s, 0) for s in STOPPING_SERVERS)
    return [
        registry.SummaryItem("Farms running", farms.get("running", 0), "ok", f"{farm_url}?status=running"),
        registry.SummaryItem("Farms terminated", farms.get("terminated", 0), "muted", f"{farm_url}?status=terminated"),
        registry.SummaryItem("Farms launching or terminating", moving, "warning" if moving else "muted",
                             f"{farm_url}?status=pending_terminate" if farms.get("pending_terminate")
                             else f"{farm_url}?status=pending_launch"),
        registry.SummaryItem("Servers running", servers.get("running", 0), "ok", f"{server_url}?status=running"),
        registry.SummaryItem("Servers starting", pending, "warning" if pending else "muted",
                             f"{server_url}?status=starting"),
        registry.SummaryItem("Servers stopping", stopping, "warning" if stopping else "muted",
                             f"{server_url}?status=stopping"),
    ]


def demo_connections(url: str) -> list[dict]:
    from vendors.scalr import simulator as sim

    return [
        {"vendor": "scalr", "name": "scalr-demo-v2", "team": "demo", "url": url, "api": "v2",
         "key_id": sim.DEMO_V2_KEY_ID, "secret": sim.DEMO_V2_SECRET, "poll_seconds": 30},
        {"vendor": "scalr", "name": "scalr-demo-v1", "team": "demo", "url": url, "api": "v1",
         "key_id": sim.DEMO_V1_KEY_ID, "secret": sim.DEMO_V1_SECRET, "env_ids": [1], "poll_seconds": 30},
    ]


def register() -> None:
    registry.register(registry.VendorSpec(
        name="scalr", label="Scalr", connection_model=models.ScalrConnection, form_class=ScalrConnectionForm,
        secret_fields=ScalrConnectionForm.secret_fields, required_secrets=ScalrConnectionForm.required_secrets,
        poll=scalr_connection_poll, check=check,
        nav=(registry.NavEntry("Farms", "scalr:farm-list"), registry.NavEntry("Scripts", "scalr:script-list"),
             registry.NavEntry("DNS", "scalr:dns-list")),
        summary=summary, urls="vendors.scalr.urls",
        demo=registry.DemoSetup(simulator="vendors.scalr.simulator.ScalrSimulator", port=8102,
                                connections=demo_connections),
        description="An API key pair of a Scalr installation (APIv2, or the legacy Query API with its "
                    "10,000 requests an hour per environment).",
    ))
