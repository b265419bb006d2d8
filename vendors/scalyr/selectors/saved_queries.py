"""The team's saved queries and charts: the lists, one query, and what the overview reads of them."""

from __future__ import annotations

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from console.params import digits
from console.teams.selectors import teams_for_user
from vendors.scalyr import thresholds
from vendors.scalyr.models import SavedQuery, ScalyrConnection


def saved_queries_for(*, user) -> QuerySet[SavedQuery]:
    return SavedQuery.objects.filter(connection__team__in=teams_for_user(user=user)) \
        .select_related("connection", "connection__team", "created_by")


def saved_queries_listed(*, user, kind: str = "", connection_id: int | None = None) -> QuerySet[SavedQuery]:
    """The user's teams' saved queries by name, then connection (names repeat across connections), then id."""
    saved = saved_queries_for(user=user)
    if kind:
        saved = saved.filter(kind=kind)
    if connection_id is not None:
        saved = saved.filter(connection_id=connection_id)
    return saved.order_by("name", "connection__name", "pk")


def saved_query_get(*, user, pk: int) -> SavedQuery:
    saved = saved_queries_for(user=user).filter(pk=pk).first()
    if saved is None:
        raise Http404("No such saved query.")
    return saved


def saved_chart_opened(*, user, connection_id: int, pk) -> SavedQuery | None:
    """The saved chart a live chart page was opened from (`?saved=<pk>`): one of the user's teams' charts on
    that connection, or None (a stale or foreign id only loses the name and threshold, never the chart)."""
    if (saved_id := digits(pk)) is None:
        return None
    return saved_queries_for(user=user).filter(pk=saved_id, connection_id=connection_id,
                                               kind=SavedQuery.Kind.CHART).first()


def pinned_charts(*, teams) -> QuerySet[SavedQuery]:
    return SavedQuery.objects.filter(connection__team__in=teams, kind=SavedQuery.Kind.CHART, pinned=True) \
        .select_related("connection").order_by("connection__name", "name")


def overview_figures(*, teams) -> QuerySet[SavedQuery]:
    """One chart per enabled connection of `teams`: the one marked as its overview figure, else its
    first pinned chart by name. One query, whatever the number of connections."""
    first = SavedQuery.objects.filter(connection=OuterRef("pk"), kind=SavedQuery.Kind.CHART) \
        .filter(Q(headline=True) | Q(pinned=True)).order_by("-headline", "name").values("pk")[:1]
    chosen = ScalyrConnection.objects.filter(team__in=teams, enabled=True).annotate(chart=Subquery(first)) \
        .values("chart")
    return SavedQuery.objects.filter(pk__in=chosen).select_related("connection").order_by("connection__name")


def saved_query_totals(*, teams) -> dict[str, int]:
    """How many saved queries `teams` have (`saved`), and how many charts are past their threshold (`over`)."""
    return SavedQuery.objects.filter(connection__team__in=teams).aggregate(
        saved=Count("pk"),
        over=Count("pk", filter=Q(connection__enabled=True, kind=SavedQuery.Kind.CHART) & thresholds.over_q()))


def charts_needing_attention(*, teams, limit: int | None, connection=None) -> QuerySet[SavedQuery]:
    """Charts past their threshold, or with a threshold and a failed refresh, most severe and recent first
    (only `connection`'s when given; every one when `limit` is None)."""
    charts = SavedQuery.objects.filter(connection__team__in=teams, connection__enabled=True,
                                       kind=SavedQuery.Kind.CHART, threshold__isnull=False) \
        .exclude(threshold_direction="").filter(thresholds.over_q() | ~Q(refresh_error=""))
    if connection is not None:
        charts = charts.filter(connection=connection)
    return thresholds.with_severity(charts).select_related("connection") \
        .order_by("severity", F("crossed_at").desc(nulls_last=True), "name")[:limit]


def saved_queries_named(*, teams, text: str, limit: int) -> QuerySet[SavedQuery]:
    return SavedQuery.objects.filter(connection__team__in=teams, name__icontains=text) \
        .select_related("connection").order_by("name", "connection__name")[:limit]
