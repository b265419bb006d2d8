"""How Scalyr plugs into the core: connection form, poll, check, deep links, overview tiles, demo."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from vendors.core import registry
from vendors.scalyr import changes, incidents, links, selectors, services, sync
from vendors.scalyr.client import READ_LOGS, token_kinds
from vendors.scalyr.forms import ScalyrConnectionForm
from vendors.scalyr.models import SavedQuery, ScalyrConnection
from vendors.scalyr.state import MAX_FILTER, ChartState
from vendors.scalyr.templatetags.scalyr import figure

DEMO_PORT = 8103


def log_link(kind: str, obj, team, user=None) -> str | None:
    """The explorer filtered for `obj` on the first Scalyr connection (with a Read Logs token) of `team`,
    when `user` (if given) may query that team's logs.

    Kind "search": `obj` is text typed in the global search and `team` the user's teams; the
    text itself is the filter, when it could be one.
    """
    if kind == "search":
        return _search_link(obj, team, user)
    if kind not in links.KINDS or team is None:
        return None
    setting, _, default, _ = links.KINDS[kind]
    team_id = team if isinstance(team, int) else team.pk
    if user is not None and not selectors.may_query(user=user, team_id=team_id):
        return None
    for connection in selectors.enabled_connections(teams=team_id):
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


def _search_link(text, teams, user=None) -> str | None:
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text or len(text) > MAX_FILTER or not links.balanced(text) or teams is None:
        return None
    for connection in selectors.enabled_connections(teams=teams, user=user):
        if READ_LOGS in token_kinds(connection):
            return reverse("scalyr:explorer", args=[connection.pk]) + "?" + urlencode({"filter": text})
    return None


def _detail_url(chart: SavedQuery) -> str:
    return reverse("scalyr:saved-detail", args=[chart.pk])


def summary(teams) -> list[registry.SummaryItem]:
    """Each enabled connection's overview figure, the saved queries, and the charts past their threshold.

    Two queries whatever the number of connections and charts: the counts in one aggregate,
    the figures (the chart marked as the connection's figure, else its first pinned chart by
    name) in one query with a subquery per connection.
    """
    totals = selectors.saved_query_totals(teams=teams)
    items = []
    figures = list(selectors.overview_figures(teams=teams))
    for chart in figures:
        label = chart.name + (f" · {chart.connection.name}" if len(figures) > 1 else "")
        if chart.is_over:
            label += f" · past its threshold ({chart.threshold_label})"
        state = ("danger" if chart.is_far_over else "warning" if chart.is_over else
                 "muted" if chart.latest_value is None else "ok")
        items.append(registry.SummaryItem(label, figure(chart.latest_value), state, _detail_url(chart)))
    home = reverse("scalyr:home")
    items.append(registry.SummaryItem("Saved log queries", totals["saved"], "ok" if totals["saved"] else "muted",
                                      f"{home}#saved-queries"))
    items.append(registry.SummaryItem("Charts past their threshold", totals["over"],
                                      "warning" if totals["over"] else "muted", f"{home}#saved-queries"))
    return items


def attention(teams, connection=None) -> list[registry.AttentionItem]:
    """Charts whose latest value is past their threshold (critical when far past), most severe and recent first;
    a chart with a threshold that could not be refreshed is a notice (its value is stale). With `connection`,
    all of that connection's (alerts)."""
    items = []
    limit = None if connection is not None else registry.ATTENTION_LIMIT
    for chart in selectors.charts_needing_attention(teams=teams, limit=limit, connection=connection):
        state = ChartState.from_params(chart.state)
        what = f"{state.function} of {state.filter or 'all events'} ({state.range_label().lower()})"
        if chart.severity == 2:
            items.append(registry.AttentionItem(
                severity=2, vendor="scalyr", since=chart.refreshed_at, url=_detail_url(chart),
                title=f"Log chart {chart.name} could not be refreshed",
                detail=f"On {chart.connection.name}; its alert ({chart.threshold_label}) is not checked: "
                       f"{chart.refresh_error}",
                key=f"scalyr.chart.not-refreshed:{chart.pk}", connection_id=chart.connection_id))
            continue
        items.append(registry.AttentionItem(
            severity=chart.severity, vendor="scalyr", since=chart.crossed_at, url=_detail_url(chart),
            title=f"Log chart {chart.name} is at {figure(chart.latest_value)}, {chart.threshold_label}",
            detail=f"Latest bucket of {what} on {chart.connection.name}.",
            key=f"scalyr.chart.past-threshold:{chart.pk}", connection_id=chart.connection_id))
    return items


def search(teams, text: str, limit: int) -> list[registry.SearchResult]:
    results = []
    for saved in selectors.saved_queries_named(teams=teams, text=text, limit=limit):
        parts = [saved.get_kind_display()]
        if saved.is_chart:
            parts.append(f"{saved.state.get('function') or 'count'} = {figure(saved.latest_value)}"
                         + (f" ({saved.threshold_label})" if saved.has_threshold else ""))
        parts += [saved.state.get("filter") or "all events", saved.connection.name]
        results.append(registry.SearchResult(kind="Scalyr saved queries", title=saved.name,
                                             subtitle=" · ".join(parts), url=_detail_url(saved)))
    return results


def panels(request, teams) -> list[registry.Panel]:
    charts = list(selectors.pinned_charts(teams=teams))
    if not charts:
        return []
    return [registry.Panel(title="Pinned log charts", template="scalyr/panels/tiles.html", url=reverse("scalyr:home"),
                           context={"tiles": changes.tiles_with_changes([selectors.tile(chart) for chart in charts])})]


def connection_panels(connection) -> list[registry.Panel]:
    return [registry.Panel(title="Sending the console's events", template="scalyr/panels/sending.html",
                           context={"sending": selectors.sending_status(connection=connection)})]


def demo_connections(url: str) -> list[dict]:
    from vendors.scalyr.simulator import ScalyrSimulator

    tokens = ScalyrSimulator.DEMO_TOKENS
    return [{"vendor": "scalyr", "name": "logs", "team": "demo", "url": url, "poll_seconds": 60, "demo": True,
             "read_logs_token": tokens["read_logs"], "read_config_token": tokens["read_config"],
             "write_config_token": tokens["write_config"], "write_logs_token": tokens["write_logs"],
             "send_audit": True}]


def register() -> None:
    registry.register(registry.VendorSpec(
        name="scalyr", label="Scalyr", connection_model=ScalyrConnection, form_class=ScalyrConnectionForm,
        secret_fields=ScalyrConnectionForm.secret_fields, required_secrets=ScalyrConnectionForm.required_secrets,
        poll=sync.poll, check=sync.check, nav=(registry.NavEntry("Logs", "scalyr:home"),), summary=summary,
        attention=attention, search=search, log_link=log_link, panels=panels, urls="vendors.scalyr.urls",
        subjects=changes.chart_subjects, subject_kinds=(changes.CHART,), signals=incidents.signals,
        incident_panels=incidents.incident_panels,
        api_urls="vendors.scalyr.api", connection_panels=connection_panels, tick=services.outbox_tick,
        assets=("vendor/uplot/uPlot.min.css", "css/changes.css", "scalyr/scalyr.css", "vendor/uplot/uPlot.iife.min.js",
                "js/changes.js", "scalyr/scalyr.js"),
        demo=registry.DemoSetup(simulator="vendors.scalyr.simulator.ScalyrSimulator", port=DEMO_PORT,
                                connections=demo_connections),
        shows="logs",
        description="Scalyr (DataSet) logs: explorer, live tail, facets, charts and configuration files. "
                    "Each token is optional and enables its own features.",
    ))
