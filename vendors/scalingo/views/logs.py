"""An app's logs: the last lines, and the live tail relayed as server-sent events."""

from __future__ import annotations

import json
import time
from contextlib import closing

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from vendors.core.errors import VendorError
from vendors.scalingo import selectors
from vendors.scalingo.client import TailPause, live_client_for

TAIL_SECONDS = 300  # a live tail stops by itself, like the CLI's


def app_logs(request, pk: int):
    app = selectors.app_get(user=request.user, pk=pk)
    filter_ = request.GET.get("filter", "").strip()
    lines = min(max(int(request.GET.get("lines", 200) or 200), 10), 1000)
    try:
        log_lines, error = selectors.scalingo_logs(app=app, lines=lines, filter=filter_), ""
    except VendorError as exc:
        log_lines, error = [], selectors.read_error(exc, app.connection)
    return render(request, "scalingo/logs.html#log-lines",
                  {"app": app, "log_lines": log_lines, "error": error, "filter": filter_})


def app_logs_tail(request, pk: int):
    """Server-sent events relaying the app's log stream; stops after TAIL_SECONDS.

    `line` events carry a rendered line; `notice` events say why nothing comes for a while
    (Scalingo asked to slow down: the tail waits and goes on, losing and repeating nothing);
    `failed` and `stopped` end it. When the browser goes away the server closes this stream,
    which closes the tail and its connection to the logs host at once."""
    app = selectors.app_get(user=request.user, pk=pk)
    filter_ = request.GET.get("filter", "").strip() or None

    def stream():
        started = time.monotonic()
        try:
            with live_client_for(app.connection) as client, closing(client.tail_logs(
                    app.external_id, n=0, filter=filter_, timeout=TAIL_SECONDS, pauses=True)) as tail:
                for item in tail:
                    if isinstance(item, TailPause):
                        yield f"event: notice\ndata: {json.dumps(item.message)}\n\n"
                        continue
                    html = render_to_string("scalingo/logs.html#log-line", {"line": item})
                    yield f"event: line\ndata: {json.dumps(html)}\n\n"
        except VendorError as exc:
            yield f"event: failed\ndata: {json.dumps(selectors.read_error(exc, app.connection))}\n\n"
        yield f"event: stopped\ndata: {json.dumps(f'Live tail stopped after {int(time.monotonic() - started)} s.')}\n\n"

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
