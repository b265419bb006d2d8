"""An app's logs: the last lines, and the live tail relayed as server-sent events."""

from __future__ import annotations

import json
import time
from contextlib import closing

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from console.params import whole_number
from vendors.core import streams
from vendors.core.errors import VendorError
from vendors.scalingo import selectors
from vendors.scalingo.client import TailPause, live_client_for

TAIL_SECONDS = 300  # a live tail stops by itself, like the CLI's


def app_logs(request, pk: int):
    app = selectors.app_get(user=request.user, pk=pk)
    filter_ = request.GET.get("filter", "").strip()
    lines, problem = whole_number(request.GET, "lines", default=200, low=10, high=1000, label="Lines")
    try:
        log_lines, error = selectors.scalingo_logs(app=app, lines=lines, filter=filter_), problem
    except VendorError as exc:
        log_lines, error = [], selectors.read_error(exc, app.connection)
    return render(request, "scalingo/logs.html#log-lines",
                  {"app": app, "log_lines": log_lines, "error": error, "filter": filter_})


def app_logs_tail(request, pk: int):
    """Server-sent events relaying the app's log stream; stops after TAIL_SECONDS.

    `line` events carry a rendered line; `notice` events say why nothing comes for a while
    (Scalingo asked to slow down: the tail waits and goes on, losing and repeating nothing);
    `failed` and `stopped` end it; `refused` says which limit on live tails is reached instead
    (vendors.core.streams). When the browser goes away the server notices within seconds and
    the vendor's stream is closed at once (streams.EventStream)."""
    app = selectors.app_get(user=request.user, pk=pk)
    connection = app.connection
    filter_ = request.GET.get("filter", "").strip() or None
    try:
        slot = streams.tail_slot(user=request.user)
    except streams.TailRefused as refused:
        return _event_stream([_event("refused", str(refused))])

    def stream(stop):
        started = time.monotonic()
        try:
            with live_client_for(connection) as client:
                stop.watch(client.http)
                with closing(client.tail_logs(app.external_id, n=0, filter=filter_, timeout=TAIL_SECONDS,
                                              pauses=True, stop=stop)) as tail:
                    for item in tail:
                        if isinstance(item, TailPause):
                            yield _event("notice", item.message)
                            continue
                        yield _event("line", render_to_string("scalingo/logs.html#log-line", {"line": item}))
        except VendorError as exc:
            yield _event("failed", selectors.read_error(exc, connection))
        yield _event("stopped", f"Live tail stopped after {int(time.monotonic() - started)} s.")

    return _event_stream(streams.EventStream(stream, slot=slot))


def _event(name: str, data: str) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


def _event_stream(events) -> StreamingHttpResponse:
    response = StreamingHttpResponse(events, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
