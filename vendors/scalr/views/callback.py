"""The URL Scalr calls about farm events (no login, no CSRF: Scalr posts plain form data).

The token in the path is masked in every log (console.redaction; the Scalr app registers the path).
A body over MAX_BODY is refused from its Content-Length before anything reads it; without one,
Django reads no body at all, so no more than MAX_BODY bytes are ever read.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from console.params import carries_nul
from vendors.scalr import selectors, services
from vendors.scalr.services.callbacks import Received

MAX_BODY = 64 * 1024
ANSWERS = {Received.RECORDED: (200, "OK\n"), Received.REPLAYED: (200, "OK (already received)\n"),
           Received.COALESCED: (202, "Accepted: recorded; the refresh already due covers it\n")}


def _declared_length(request) -> int | None:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return None


@csrf_exempt
@login_not_required
def callback(request, pk: int, token: str):
    length = _declared_length(request)
    if length is None or length > MAX_BODY:
        return HttpResponse(f"A callback body is at most {MAX_BODY // 1024} KB.\n", status=413,
                            content_type="text/plain")
    connection = selectors.callback_connection(pk=pk, token=token)
    if connection is None:
        raise Http404("No such callback.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    data = request.POST
    if carries_nul(data):  # PostgreSQL refuses it in text
        return HttpResponse("A callback field carries a NUL character (\\0).\n", status=400, content_type="text/plain")
    event = data.get("event", "").strip()
    message = data.get("message", "").strip()
    hint = data.get("farm_id") or data.get("FarmID") or request.GET.get("farm_id", "")
    event_id = data.get("event_id") or data.get("EventID") or data.get("eventId") or ""
    received = services.scalr_callback_receive(connection=connection, event=event, message=message,
                                               farm_hint=hint.strip(), event_id=event_id.strip()[:200])
    status, text = ANSWERS[received]
    return HttpResponse(text, status=status, content_type="text/plain")
