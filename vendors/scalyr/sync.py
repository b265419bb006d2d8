"""The poll: every saved chart of a connection refreshed in one `timeseriesQuery`, the other tokens
proved, a demo connection given its starting saved queries; and "Test connection".

`timeseriesQuery` batches, and with `createSummaries` Scalyr keeps a summary of each series,
so repeating the poll's query every minute is cheap for Scalyr.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from vendors.core import errors
from vendors.scalyr import thresholds
from vendors.scalyr.client import (READ_CONFIG, READ_LOGS, TOKEN_KINDS, TOKEN_LABELS, WRITE_CONFIG, client_for,
                                   token_kinds)
from vendors.scalyr.client.records import TimeseriesQuery
from vendors.scalyr.models import SavedQuery, ScalyrConnection
from vendors.scalyr.selectors.charts import finite
from vendors.scalyr.state import ChartState, to_ms

#: the demo team's starting set, created once per demo connection (the error chart relates to two of the
#: demo's Scalingo apps: their changes are drawn on it)
DEMO_SAVED = (
    ("5xx responses", SavedQuery.Kind.CHART, {"filter": "status >= 500", "function": "count", "range": "6h",
                                              "buckets": "72", "related": "storefront,billing-api"}, True),
    ("p95 latency (ms)", SavedQuery.Kind.CHART, {"filter": "dataset == 'accesslog'", "function": "p95(latency)",
                                                 "range": "6h", "buckets": "72"}, True),
    ("Billing errors", SavedQuery.Kind.EXPLORER, {"filter": "app == 'billing' severity >= 5", "range": "24h"},
     False),
    ("Slow checkouts", SavedQuery.Kind.EXPLORER, {"filter": "uriPath == '/checkout' latency > 100",
                                                  "columns": "status,latency"}, False),
)
#: the demo's error-rate chart: the connection's overview figure, needing attention above 20 errors per
#: 5-minute bucket (about 8 normally; the demo simulator's recurring incidents reach 30 and more)
DEMO_ALERT = ("5xx responses", {"headline": True, "threshold_direction": SavedQuery.Direction.ABOVE,
                                "threshold": 20.0})


def poll(connection: ScalyrConnection, parts=None) -> list[str]:
    """Refresh the saved charts (one timeseriesQuery with summaries) and prove the other tokens work.

    Raises the vendor's error when a token is refused, so the connection's health says so.
    """
    kinds = token_kinds(connection)
    notes = []
    seeded = demo_seed(connection=connection)
    if seeded:
        notes.append(f"Demo: {seeded} saved queries created.")
    with client_for(connection, interactive=False) as client:
        if READ_LOGS in kinds:
            charts, created = saved_charts_refresh(connection=connection, client=client, parts=parts)
            if charts:
                notes.append(f"{charts} saved chart{'s' if charts != 1 else ''} refreshed"
                             + (f" ({created} new Scalyr summar{'ies' if created != 1 else 'y'})." if created
                                else "."))
            else:
                client.check(READ_LOGS)
        for kind in (READ_CONFIG, WRITE_CONFIG):
            if kind in kinds:  # one listFiles proves the config side; "Test connection" checks each token
                if parts is None:
                    client.check(kind)
                else:
                    parts.read("config", "the configuration files token", lambda kind=kind: client.check(kind))
                break
    notes.append("Tokens: " + ", ".join(TOKEN_LABELS[k] for k in TOKEN_KINDS if k in kinds) + ".")
    return notes


def check(connection: ScalyrConnection) -> str:
    """Every configured token tried once, in one sentence; raises when one is refused."""
    with client_for(connection, interactive=False) as client:
        results = client.check_all()
    if not results:
        raise errors.AuthenticationError("No token is set on this connection.")
    parts = [f"{TOKEN_LABELS[r.kind]} token {'works' if r.ok else 'refused: ' + (r.error or 'unknown error')}"
             for r in results]
    sentence = "; ".join(parts) + "."
    sentence = sentence[0].upper() + sentence[1:]
    failed = [r for r in results if not r.ok]
    if failed:
        raise errors.VendorError(sentence, code=failed[0].error_kind)
    return sentence


def saved_charts_refresh(*, connection, client, parts=None) -> tuple[int, int]:
    """Refresh every saved chart of `connection` in one timeseriesQuery; returns (charts, new summaries).

    Each chart is a part of the poll: one that Scalyr refuses (its filter...) keeps its stored series
    and says why; when the whole batch cannot be read (Scalyr slow, garbled, down), every chart keeps
    its series and the poll names them. Refused credentials fail the poll.
    """
    charts = list(SavedQuery.objects.filter(connection=connection, kind=SavedQuery.Kind.CHART))
    if not charts:
        return 0, 0
    now = timezone.now()
    windows, queries = [], []
    for chart in charts:
        state = ChartState.from_params(chart.state)
        start, end = state.window(now)
        windows.append((to_ms(start), to_ms(end)))
        queries.append(TimeseriesQuery(start=to_ms(start), end=to_ms(end), filter=state.filter,
                                       function=state.function, buckets=state.buckets, create_summaries=True))
    try:
        answers = _batched(client, queries)
    except (errors.AuthenticationError, errors.RateLimited):
        raise
    except errors.VendorError as exc:
        answers = [exc] * len(charts)
    created = 0
    for chart, (start_ms, end_ms), series in zip(charts, windows, answers):
        key, label = f"chart:{chart.pk}", f"chart {chart.name}"
        if isinstance(series, errors.VendorError):
            chart.refresh_error = str(series)  # this chart's filter or function; the others still refresh
            if parts is not None:
                parts.fail(key, label, str(series))
            continue
        if parts is not None:
            parts.ok(key)
        chart.values = finite(series.values)
        chart.window_start_ms, chart.window_end_ms = start_ms, end_ms
        chart.refreshed_at = now
        chart.refresh_error = ""
        thresholds.alert_refresh(chart)
        created += series.found_existing_series is False
    SavedQuery.objects.bulk_update(charts, ["values", "window_start_ms", "window_end_ms", "refreshed_at",
                                            "refresh_error", "latest_value", "crossed_at"])
    return len(charts), created


def _batched(client, queries: list[TimeseriesQuery]) -> list:
    """All series in one call; when Scalyr refuses the batch, each alone so one bad chart spoils only itself."""
    try:
        return list(client.timeseries_query(queries).series)
    except errors.InvalidRequest as exc:
        if len(queries) == 1:
            return [exc]
    answers = []
    for query in queries:
        try:
            answers.append(client.timeseries_query([query]).series[0])
        except errors.InvalidRequest as exc:
            answers.append(exc)
    return answers


def demo_seed(*, connection: ScalyrConnection) -> int:
    """Give a demo connection its starting saved queries, once (a deleted one stays deleted).

    The error-rate chart's threshold is given once too, also to a demo seeded before thresholds existed.
    """
    settings = connection.settings
    if not settings.get("demo") or (settings.get("demo_seeded") and settings.get("demo_alert")):
        return 0
    created = 0
    with transaction.atomic():
        if not settings.get("demo_seeded"):
            for name, kind, state, pinned in DEMO_SAVED:
                _, was_created = SavedQuery.objects.get_or_create(connection=connection, name=name,
                                                                  defaults={"kind": kind, "state": state,
                                                                            "pinned": pinned})
                created += was_created
        name, alert = DEMO_ALERT
        if not SavedQuery.objects.filter(connection=connection, headline=True).exists():
            SavedQuery.objects.filter(connection=connection, name=name, kind=SavedQuery.Kind.CHART,
                                      threshold__isnull=True).update(**alert)
        connection.settings = {**settings, "demo_seeded": True, "demo_alert": True}
        ScalyrConnection.objects.filter(pk=connection.pk).update(settings=connection.settings)
    return created
