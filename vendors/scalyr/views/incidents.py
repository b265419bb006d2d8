"""Scalyr's panel of the incident page, asked after the page: Scalyr answers in its own time."""

from __future__ import annotations

from django.shortcuts import render

from vendors.core.incidents import incident_from_params
from vendors.scalyr.incidents import errors_overview


def incident_errors(request):
    incident, _ = incident_from_params(user=request.user, params=request.GET)
    return render(request, "scalyr/incident_errors.html#errors", errors_overview(incident))
