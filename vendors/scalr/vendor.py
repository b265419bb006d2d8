"""Scalr's entry in the vendor registry: overview figures, attention, timeline, search, demo."""

from django.db.models import F, Q
from django.urls import reverse

from vendors.core import registry
from vendors.scalr import changes, models
from vendors.scalr.forms import ScalrConnectionForm
from vendors.scalr.client import client_for
from vendors.scalr.sync import scalr_connection_poll
from vendors.scalr.selectors import connection_ids, farm_summary_counts

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


def attention(teams, connection=None) -> list[registry.AttentionItem]:
    """Farms short of running servers (failed or stuck), and farms stuck terminating; with `connection`,
    all of that connection's (alerts)."""
    items = []
    limit = None if connection is not None else registry.ATTENTION_LIMIT
    ids = [connection.pk] if connection is not None else connection_ids(teams=teams)
    farms = models.Farm.objects.filter(connection_id__in=ids).select_related("connection")
    short = farms.filter(status=models.FarmStatus.RUNNING, servers_running__lt=F("servers_total"))
    for farm in short.order_by("servers_running", "name")[:limit]:
        down = farm.servers_running == 0
        items.append(registry.AttentionItem(
            severity=0 if down else 2, vendor="scalr", since=farm.details_synced_at,
            title=f"Farm {farm.name}: {farm.servers_running} of {farm.servers_total} server(s) running",
            detail=f"Scalr farm on {farm.connection.name}; the others are starting, stopping or failed.",
            url=reverse("scalr:farm-detail", args=[farm.pk]),
            key=f"scalr.farm.servers-short:{farm.pk}", connection_id=farm.connection_id))
    terminating = farms.filter(status__in=(models.FarmStatus.PENDING_TERMINATE, models.FarmStatus.SYNCHRONIZING))
    for farm in terminating.order_by("name")[:limit]:
        items.append(registry.AttentionItem(
            severity=1, vendor="scalr", since=farm.details_synced_at,
            title=f"Farm {farm.name} is {farm.get_status_display().lower()}",
            detail=f"Scalr farm on {farm.connection.name}, {farm.servers_total} server(s) left.",
            url=reverse("scalr:farm-detail", args=[farm.pk]),
            key=f"scalr.farm.terminating:{farm.pk}", connection_id=farm.connection_id))
    return items


DANGER_EVENTS = {"HostDown", "HostInitFailed", "InstanceLaunchFailed", "FarmTerminated"}
WARNING_EVENTS = {"BeforeHostTerminate", "RebootBegin", "IPAddressChanged", "BeforeInstanceLaunch"}
TIMELINE_TYPES = ("FarmLaunched", "FarmTerminated", "HostInit", "HostUp", "HostDown", "BeforeHostTerminate",
                  "RebootComplete", "IPAddressChanged", "CustomEvent")


def timeline(query: registry.TimelineQuery) -> list[registry.TimelineEntry]:
    events = models.Event.objects.filter(connection_id__in=connection_ids(teams=query.teams)) \
        .select_related("connection__team", "farm")
    return [registry.TimelineEntry(
        when=event.timestamp, vendor="scalr", type=event.type,
        text=f"{event.farm.name if event.farm else 'Scalr'}: {event.message or event.type}",
        url=reverse("scalr:farm-detail", args=[event.farm_id]) if event.farm_id else "",
        connection=event.connection.name, team=event.connection.team.name,
        severity="danger" if event.type in DANGER_EVENTS else "warning" if event.type in WARNING_EVENTS else "info")
        for event in registry.timeline_filter(events, query, when="timestamp")]


def search(teams, text: str, limit: int) -> list[registry.SearchResult]:
    ids = connection_ids(teams=teams)
    farms = models.Farm.objects.filter(connection_id__in=ids).filter(
        Q(name__icontains=text) | Q(description__icontains=text)).select_related("connection", "environment")
    results = [registry.SearchResult(kind="Scalr farms", title=farm.name,
                                     subtitle=f"{farm.get_status_display()} · {farm.environment.name} · "
                                              f"{farm.connection.name}",
                                     url=reverse("scalr:farm-detail", args=[farm.pk]))
               for farm in farms.order_by("name")[:limit]]
    servers = models.Server.objects.filter(connection_id__in=ids).filter(
        Q(external_id__icontains=text) | Q(hostname__icontains=text) | Q(public_ips__icontains=text)
        | Q(private_ips__icontains=text)).select_related("farm", "farm_role")
    results += [registry.SearchResult(kind="Scalr servers", title=str(server),
                                      subtitle=f"{server.get_status_display()} · farm {server.farm.name}"
                                               + (f" · {', '.join(server.public_ips)}" if server.public_ips else ""),
                                      url=reverse("scalr:server-detail", args=[server.pk]))
                for server in servers.order_by("farm__name", "index")[:limit]]
    return results


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
        summary=summary, urls="vendors.scalr.urls", api_urls="vendors.scalr.api", attention=attention,
        timeline=timeline, timeline_types=TIMELINE_TYPES, search=search,
        changes=changes.farm_changes, subjects=changes.farm_subjects, subject_kinds=(changes.FARM, changes.SERVER),
        incident_panels=changes.incident_panels,
        assets=("vendor/uplot/uPlot.min.css", "css/changes.css", "vendor/uplot/uPlot.iife.min.js", "js/changes.js"),
        connection_page=lambda connection: ("Scalr page of this connection (event callback URL, environments)",
                                            reverse("scalr:connection", args=[connection.pk])),
        demo=registry.DemoSetup(simulator="vendors.scalr.simulator.ScalrSimulator", port=8102,
                                connections=demo_connections),
        shows="farms and servers",
        description="An API key pair of a Scalr installation (APIv2, or the legacy Query API with its "
                    "10,000 requests an hour per environment).",
    ))
