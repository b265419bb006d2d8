"""The chart page: any filter and function over a range, drawn with uPlot."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django_htmx.http import push_url

from vendors.core.errors import VendorError
from console.htmx import wants_fragment
from vendors.scalyr import changes, selectors
from vendors.scalyr.client import READ_LOGS, missing_token_reason
from vendors.scalyr.models import SavedQuery
from vendors.scalyr.state import FUNCTIONS, ChartState
from vendors.scalyr.views.common import scalyr_error

TEMPLATE = "scalyr/chart.html"


def chart(request, pk: int):
    connection = selectors.connection_for_query(user=request.user, pk=pk)
    state = ChartState.from_params(request.GET)
    reason = missing_token_reason(connection, READ_LOGS)
    # opened from a saved chart: its name heads the page and its threshold is drawn
    saved = selectors.saved_chart_opened(user=request.user, connection_id=connection.pk, pk=request.GET.get("saved"))
    context = {"connection": connection, "state": state, "reason": reason, "saved": saved}
    if wants_fragment(request):
        context["partial"] = True
        if not reason and not state.errors:
            try:
                series = selectors.chart_series(connection=connection, state=state)
            except VendorError as exc:
                context["error"] = scalyr_error(exc)
            else:
                data = selectors.with_threshold(series.as_json(state.function), saved)
                data.update(changes.chart_markers(connection=connection, state=state, start=series.start,
                                                  end=series.end, saved=saved))
                context.update(series=series, series_json=data)
        response = render(request, f"{TEMPLATE}#chart", context)
        if request.htmx.trigger == "chart-form":
            base = reverse("scalyr:chart", args=[connection.pk])
            query = "&".join(part for part in (state.query() if state.params() else "",
                                               f"saved={saved.pk}" if saved else "") if part)
            push_url(response, f"{base}?{query}" if query else base)
        return response
    context.update(functions=FUNCTIONS, save_kind=SavedQuery.Kind.CHART,
                   can_save=connection.user_role in ("operator", "admin"))
    return render(request, TEMPLATE, context)
