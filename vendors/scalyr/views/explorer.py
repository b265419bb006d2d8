"""The log explorer: the page, its lines (and "load more"), histogram, facets and live tail.

The page renders at once; its lines, histogram and facets then load as separate HTMX
requests, so the lines show as soon as Scalyr answers. Every request after the first
carries the absolute window the lines were read for (`ws`/`we`, epoch ms), so the
histogram and the facets describe exactly the same events.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import push_url

from vendors.core import streams
from vendors.core.errors import VendorError
from console.htmx import wants_fragment
from vendors.scalyr import changes, selectors
from vendors.scalyr.client import READ_LOGS, missing_token_reason
from vendors.scalyr.models import SavedQuery
from vendors.scalyr.state import ORDERS, ExplorerState, from_ms, to_ms
from vendors.scalyr.views.common import scalyr_error

TEMPLATE = "scalyr/explorer.html"


def _window(request):
    try:
        start, end = int(request.GET["ws"]), int(request.GET["we"])
        return (from_ms(start), from_ms(end)) if end > start else None
    except (KeyError, ValueError, OverflowError, OSError):  # absent, no number, or past what a datetime holds
        return None


def _sub_query(state: ExplorerState, window, **extra) -> str:
    return urlencode({**state.params(), "ws": to_ms(window[0]), "we": to_ms(window[1]), **extra})


def explorer(request, pk: int):
    connection = selectors.connection_for_query(user=request.user, pk=pk)
    state = ExplorerState.from_params(request.GET)
    reason = missing_token_reason(connection, READ_LOGS)
    if wants_fragment(request):
        if "token" in request.GET:
            return _more(request, connection, state)
        return _results(request, connection, state, reason)
    context = {
        "connection": connection, "state": state, "reason": reason, "orders": ORDERS,
        "others": [c for c in selectors.connections_by_name(user=request.user) if c.pk != connection.pk],
        "save_kind": SavedQuery.Kind.EXPLORER,
        "can_save": connection.user_role in ("operator", "admin"),
    }
    return render(request, TEMPLATE, context)


def _results(request, connection, state: ExplorerState, reason: str):
    base = reverse("scalyr:explorer", args=[connection.pk])
    window = state.window()
    context = {"connection": connection, "state": state, "reason": reason, "window": window, "lines": (),
               "partial": True}
    if not reason and not state.errors:
        try:
            page = selectors.events_page(connection=connection, state=state, window=window)
        except VendorError as exc:
            context["error"] = scalyr_error(exc)
        else:
            context.update(page=page, lines=page.lines, sub_query=_sub_query(state, window),
                           more_query=_sub_query(state, window, token=page.continuation_token or ""),
                           frozen_url=request.build_absolute_uri(f"{base}?{state.frozen(window[1]).query(tail=False)}"))
            if state.tail:
                context["tail_query"] = _tail_query(state, selectors.tail_cursor(
                    page.lines, default_ns=to_ms(window[1]) * 1_000_000, started_ms=to_ms(timezone.now())))
    response = render(request, f"{TEMPLATE}#results", context)
    if request.htmx.trigger == "explorer-form":  # a new query from the form: its URL is the one to share
        push_url(response, f"{base}?{state.query()}" if state.params() else base)
    return response


def _more(request, connection, state: ExplorerState):
    window = _window(request)
    if window is None:
        return HttpResponseBadRequest("Load more needs the window of the first page.")
    context = {"connection": connection, "state": state, "lines": ()}
    try:
        page = selectors.events_page(connection=connection, state=state, window=window,
                                     continuation_token=request.GET["token"])
    except VendorError as exc:
        context["error"] = scalyr_error(exc)
    else:
        context.update(page=page, lines=page.lines,
                       more_query=_sub_query(state, window, token=page.continuation_token or ""))
    return render(request, f"{TEMPLATE}#more-response", context)


def histogram(request, pk: int):
    connection = selectors.connection_for_query(user=request.user, pk=pk)
    state = ExplorerState.from_params(request.GET)
    context = {"connection": connection, "state": state}
    try:
        result = selectors.histogram(connection=connection, state=state, window=_window(request))
    except VendorError as exc:
        context["error"] = scalyr_error(exc)
    else:
        context["histogram"] = result
        context["bars"] = [(bar, state.query(start=bar.start, end=bar.end, tail=False)) for bar in result.bars]
        context["changes"] = changes.histogram_marks(connection=connection, state=state, start=result.start,
                                                     end=result.end)
    return render(request, f"{TEMPLATE}#histogram", context)


def facets(request, pk: int):
    connection = selectors.connection_for_query(user=request.user, pk=pk)
    state = ExplorerState.from_params(request.GET)
    context = {"connection": connection, "state": state}
    try:
        found = selectors.facets(connection=connection, state=state, window=_window(request))
    except VendorError as exc:
        context["error"] = scalyr_error(exc)
    else:
        context["facets"] = [
            (facet, [(value, state.query(filter=value.include_filter), state.query(filter=value.exclude_filter))
                     for value in facet.values])
            for facet in found]
    return render(request, f"{TEMPLATE}#facets", context)


def _tail_query(state: ExplorerState, cursor: selectors.TailCursor, **extra) -> str:
    return urlencode({**state.params(), "since": cursor.since_ns, "seen": ",".join(sorted(cursor.seen)),
                      "started": cursor.started_ms, **extra})


def tail(request, pk: int):
    """One step of the live tail: new lines (out of band) and the next poller, paused or stopped."""
    connection = selectors.connection_for_query(user=request.user, pk=pk)
    state = ExplorerState.from_params(request.GET)
    try:
        cursor = selectors.TailCursor(since_ns=int(request.GET["since"]),
                                      seen=frozenset(s for s in request.GET.get("seen", "").split(",") if s),
                                      started_ms=int(request.GET["started"]))
    except (KeyError, ValueError):
        return HttpResponseBadRequest("The tail needs since and started.")
    status = "running"
    if request.GET.get("paused") == "1":
        status = "paused"
    elif request.GET.get("resume") == "1":
        cursor = selectors.TailCursor(since_ns=cursor.since_ns, seen=cursor.seen, started_ms=to_ms(timezone.now()))
    elif cursor.expired():
        status = "stopped"
    context = {"connection": connection, "state": state, "tail_status": status, "lines": ()}
    slot = request.GET.get("slot", "")[:64]
    if status == "running":
        try:
            slot = streams.step_slot(user=request.user, held=slot)
        except streams.TailRefused as refused:
            status = context["tail_status"] = "refused"
            context["refused"], slot = str(refused), ""
    else:
        streams.step_slot_release(user=request.user, held=slot)
        slot = ""
    if status == "running":
        try:
            lines, cursor = selectors.tail_events(connection=connection, state=state, cursor=cursor)
        except VendorError as exc:
            context["error"] = scalyr_error(exc)
        else:
            context["lines"] = lines if state.order == "oldest" else tuple(reversed(lines))
    context["tail_query"] = _tail_query(state, cursor, **({"slot": slot} if slot else {}))
    return render(request, f"{TEMPLATE}#tail", context)
