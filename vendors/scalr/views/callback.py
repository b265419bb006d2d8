"""The URL Scalr calls about farm events (no login, no CSRF: Scalr posts plain form data)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from vendors.scalr import selectors, services


@csrf_exempt
@login_not_required
def callback(request, pk: int, token: str):
    connection = selectors.callback_connection(pk=pk, token=token)
    if connection is None:
        raise Http404("No such callback.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    event = request.POST.get("event", "").strip()
    message = request.POST.get("message", "").strip()
    hint = request.POST.get("farm_id") or request.POST.get("FarmID") or request.GET.get("farm_id", "")
    services.scalr_callback_receive(connection=connection, event=event, message=message, farm_hint=hint.strip())
    return HttpResponse("OK\n", content_type="text/plain")
