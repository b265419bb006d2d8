"""How Scalyr plugs into the core: connection form, poll, check, deep links, overview tiles, demo."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from vendors.core import registry
from vendors.scalyr import links, selectors, services
from vendors.scalyr.charts import tile
from vendors.scalyr.client import READ_LOGS
from vendors.scalyr.clients import token_kinds
from vendors.scalyr.forms import ScalyrConnectionForm
from vendors.scalyr.models import SavedQuery, ScalyrConnection

DEMO_PORT = 8103


def poll(connection: ScalyrConnection) -> list[str]:
    return services.connection_poll(connection=connection)


def check(connection: ScalyrConnection) -> str:
    return services.connection_check(connection=connection)


def log_link(kind: str, obj, team) -> str | None:
    """The explorer filtered for `obj` on the first Scalyr connection (with a Read Logs token) of `team`."""
    if kind not in links.KINDS or team is None:
        return None
    setting, _, default, _ = links.KINDS[kind]
    team_id = team if isinstance(team, int) else team.pk
    for connection in ScalyrConnection.objects.filter(team_id=team_id, enabled=True).order_by("name"):
        if READ_LOGS not in token_kinds(connection):
            continue
        template = connection.settings.get(setting, default)
        if not template:
            return None
        try:
            text = links.build_filter(template, kind, obj)
        except links.TemplateError:
            return None
        if text is None:
            return None
        return reverse("scalyr:explorer", args=[connection.pk]) + "?" + urlencode({"filter": text})
    return None


def summary(teams) -> list[registry.SummaryItem]:
    saved = SavedQuery.objects.filter(connection__team__in=teams)
    home = reverse("scalyr:home")
    return [
        registry.SummaryItem("Saved log queries", saved.count(), "ok", home),
        registry.SummaryItem("Pinned log charts", saved.filter(kind=SavedQuery.Kind.CHART, pinned=True).count(),
                             "muted", home),
    ]


def panels(request, teams) -> list[registry.Panel]:
    charts = list(selectors.pinned_charts(teams=teams))
    if not charts:
        return []
    queryable = selectors.queryable_team_ids(user=request.user)
    return [registry.Panel(
        title="Pinned log charts", template="scalyr/panels/tiles.html", url=reverse("scalyr:home"),
        context={"tiles": [tile(chart) for chart in charts], "queryable": queryable},
    )]


def demo_connections(url: str) -> list[dict]:
    from vendors.scalyr.simulator import ScalyrSimulator

    tokens = ScalyrSimulator.DEMO_TOKENS
    return [{"vendor": "scalyr", "name": "logs", "team": "demo", "url": url, "poll_seconds": 60, "demo": True,
             "read_logs_token": tokens["read_logs"], "read_config_token": tokens["read_config"],
             "write_config_token": tokens["write_config"]}]


def register() -> None:
    registry.register(registry.VendorSpec(
        name="scalyr", label="Scalyr", connection_model=ScalyrConnection, form_class=ScalyrConnectionForm,
        secret_fields=ScalyrConnectionForm.secret_fields, required_secrets=ScalyrConnectionForm.required_secrets,
        poll=poll, check=check, nav=(registry.NavEntry("Logs", "scalyr:home"),), summary=summary,
        log_link=log_link, panels=panels, urls="vendors.scalyr.urls",
        assets=("vendor/uplot/uPlot.min.css", "scalyr/scalyr.css", "vendor/uplot/uPlot.iife.min.js", "scalyr/scalyr.js"),
        demo=registry.DemoSetup(simulator="vendors.scalyr.simulator.ScalyrSimulator", port=DEMO_PORT,
                                connections=demo_connections),
        description="Scalyr (DataSet) logs: explorer, live tail, facets, charts and configuration files. "
                    "Each token is optional and enables its own features.",
    ))
