"""Scalingo's entry in the vendor registry."""

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.urls import reverse

from vendors.core import registry
from vendors.scalingo import changes, models
from vendors.scalingo.client import client_for
from vendors.scalingo.events import sentence as event_sentence
from vendors.scalingo.forms import ScalingoConnectionForm
from vendors.scalingo.selectors import connection_ids
from vendors.scalingo.sync import scalingo_connection_poll


def check(connection) -> str:
    with client_for(connection) as client:
        user = client.check()
        return f"Authenticated as {user.username or user.email} on {client.api_url}."


def summary(teams) -> list[registry.SummaryItem]:
    totals = {"apps": 0, "running": 0, "crashed": 0, "stopped": 0, "containers": 0}
    for counts in models.ScalingoConnection.objects.filter(team__in=teams, enabled=True).values_list("counts",
                                                                                                    flat=True):
        for key in totals:
            totals[key] += (counts or {}).get(key, 0)
    url = reverse("scalingo:app-list")
    return [
        registry.SummaryItem("Apps", totals["apps"], "ok", url),
        registry.SummaryItem("Running", totals["running"], "ok", f"{url}?status=running"),
        registry.SummaryItem("Crashed", totals["crashed"], "danger" if totals["crashed"] else "muted",
                             f"{url}?status=crashed"),
        registry.SummaryItem("Stopped", totals["stopped"], "warning" if totals["stopped"] else "muted",
                             f"{url}?status=stopped"),
        registry.SummaryItem("Containers", totals["containers"], "ok", url),
    ]


ATTENTION_LIMIT = registry.ATTENTION_LIMIT


def attention(teams, connection=None) -> list[registry.AttentionItem]:
    """Crashed apps and failed last deployments; with `connection`, all of that connection's (alerts)."""
    items = []
    limit = None if connection is not None else ATTENTION_LIMIT
    crashes = models.Event.objects.filter(app=OuterRef("pk"), type__in=("crash", "repeated_crash"))
    apps = models.App.objects.filter(connection__team__in=teams, connection__enabled=True).select_related("connection")
    if connection is not None:
        apps = apps.filter(connection=connection)
    apps = apps.filter(Q(status=models.AppStatus.CRASHED) | Q(containers_crashed__gt=0)).annotate(
        crashed_at=Subquery(crashes.order_by("-created_at").values("created_at")[:1]),
        repeated=Exists(crashes.filter(type="repeated_crash")))
    for app in apps.order_by("name")[:limit]:
        items.append(registry.AttentionItem(
            severity=0, vendor="scalingo", since=app.crashed_at,
            title=f"{app.name} {'keeps crashing' if app.repeated else 'crashed'}",
            detail=f"Scalingo app on {app.connection.name}, status {app.status}"
                   + (f", {app.containers_crashed} crashed container(s)." if app.containers_crashed else "."),
            url=reverse("scalingo:app-detail", args=[app.pk]),
            key=f"scalingo.app.crashed:{app.pk}", connection_id=app.connection_id))
    failed = models.Deployment.objects.filter(app__connection__team__in=teams, app__connection__enabled=True,
                                              app__last_deployment_id=F("external_id"),
                                              status__in=models.FAILED_DEPLOYMENT_STATUSES) \
        .select_related("app__connection")
    if connection is not None:
        failed = failed.filter(app__connection=connection)
    for deployment in failed.order_by("-created_at")[:limit]:
        items.append(registry.AttentionItem(
            severity=1, vendor="scalingo", since=deployment.finished_at or deployment.created_at,
            title=f"Deployment of {deployment.app.name} failed ({deployment.status})",
            detail=f"Scalingo app on {deployment.app.connection.name}: {deployment.git_ref[:12] or 'unknown ref'} "
                   f"pushed by {deployment.pusher or 'someone'}.",
            url=reverse("scalingo:app-detail", args=[deployment.app_id]) + "?tab=deployments",
            key=f"scalingo.app.deployment-failed:{deployment.app_id}", connection_id=deployment.app.connection_id))
    return items


def timeline(query: registry.TimelineQuery) -> list[registry.TimelineEntry]:
    events = models.Event.objects.filter(connection_id__in=connection_ids(teams=query.teams)) \
        .select_related("connection__team")
    entries = []
    for event in registry.timeline_filter(events, query, when="created_at"):
        url = reverse("scalingo:app-detail", args=[event.app_id]) + "?tab=events" if event.app_id else ""
        entries.append(registry.TimelineEntry(
            when=event.created_at, vendor="scalingo", type=event.type, text=event_sentence(event), url=url,
            connection=event.connection.name, team=event.connection.team.name,
            severity="danger" if event.type in ("crash", "repeated_crash") else
            "warning" if event.type in ("restart", "stop_app", "scale") else "info"))
    return entries


TIMELINE_TYPES = ("deployment", "scale", "restart", "crash", "repeated_crash", "stop_app", "new_app", "rename_app",
                  "new_variable", "edit_variable", "edit_variables", "delete_variable", "new_addon", "delete_addon",
                  "upgrade_addon", "new_domain", "delete_domain", "new_collaborator", "run")


def search(teams, text: str, limit: int) -> list[registry.SearchResult]:
    apps = models.App.objects.filter(connection__team__in=teams).filter(
        Q(name__icontains=text) | Q(domains__icontains=text) | Q(url__icontains=text)).select_related("connection")
    return [registry.SearchResult(
        kind="Scalingo apps", title=app.name,
        subtitle=f"{app.status} · {app.connection.name}" + (
            f" · {next((d for d in app.domains.split() if text.lower() in d.lower()), '')}"
            if text.lower() not in app.name.lower() and app.domains else ""),
        url=reverse("scalingo:app-detail", args=[app.pk])) for app in apps.order_by("name")[:limit]]


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
        api_urls="vendors.scalingo.api",
        attention=attention, timeline=timeline, timeline_types=TIMELINE_TYPES, search=search,
        changes=changes.app_changes, subjects=changes.app_subjects, subject_kinds=(changes.KEY,),
        incident_panels=changes.incident_panels,
        assets=("vendor/uplot/uPlot.min.css", "css/changes.css", "vendor/uplot/uPlot.iife.min.js", "js/changes.js",
                "scalingo/app.js"),
        demo=registry.DemoSetup(simulator="vendors.scalingo.simulator.ScalingoSimulator", port=8101,
                                connections=demo_connections),
        shows="apps and containers",
        description="A Scalingo API token (Account → API tokens). Polls stay under Scalingo's 60 requests "
                    "a minute per token.",
    ))
