"""Scalingo's entry in the vendor registry."""

from django.db.models import Count, Q
from django.urls import reverse

from vendors.core import registry
from vendors.scalingo import models
from vendors.scalingo.forms import ScalingoConnectionForm
from vendors.scalingo.polling import client_for, scalingo_connection_poll


def check(connection) -> str:
    with client_for(connection) as client:
        user = client.check()
        return f"Authenticated as {user.username or user.email} on {client.api_url}."


def summary(teams) -> list[registry.SummaryItem]:
    apps = models.App.objects.filter(connection__team__in=teams, connection__enabled=True)
    counts = apps.aggregate(
        total=Count("pk"), running=Count("pk", filter=Q(status=models.AppStatus.RUNNING)),
        crashed=Count("pk", filter=Q(status=models.AppStatus.CRASHED) | Q(containers_crashed__gt=0)),
        stopped=Count("pk", filter=Q(status=models.AppStatus.STOPPED)),
    )
    containers = models.Container.objects.filter(app__connection__team__in=teams, app__connection__enabled=True)
    url = reverse("scalingo:app-list")
    return [
        registry.SummaryItem("Apps", counts["total"], "ok", url),
        registry.SummaryItem("Running", counts["running"], "ok", f"{url}?status=running"),
        registry.SummaryItem("Crashed", counts["crashed"], "danger" if counts["crashed"] else "muted",
                             f"{url}?status=crashed"),
        registry.SummaryItem("Stopped", counts["stopped"], "warning" if counts["stopped"] else "muted",
                             f"{url}?status=stopped"),
        registry.SummaryItem("Containers", containers.count(), "ok", url),
    ]


def demo_connections(url: str) -> list[dict]:
    from vendors.scalingo.simulator import DEFAULT_TOKEN

    return [{"vendor": "scalingo", "name": "scalingo-demo", "team": "demo", "url": url, "auth_url": url,
             "region": "", "token": DEFAULT_TOKEN, "poll_seconds": 30}]


def register() -> None:
    registry.register(registry.VendorSpec(
        name="scalingo", label="Scalingo", connection_model=models.ScalingoConnection,
        form_class=ScalingoConnectionForm, secret_fields=ScalingoConnectionForm.secret_fields,
        required_secrets=ScalingoConnectionForm.required_secrets, poll=scalingo_connection_poll, check=check,
        nav=(registry.NavEntry("Apps", "scalingo:app-list"),), summary=summary, urls="vendors.scalingo.urls",
        demo=registry.DemoSetup(simulator="vendors.scalingo.simulator.ScalingoSimulator", port=8101,
                                connections=demo_connections),
        description="A Scalingo API token (Account → API tokens). Polls stay under Scalingo's 60 requests "
                    "a minute per token.",
    ))
