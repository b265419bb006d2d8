"""A deployment's build output, read live from Scalingo."""

from __future__ import annotations

from django.shortcuts import render

from vendors.core.errors import VendorError
from vendors.scalingo import selectors


def deployment_output(request, pk: int, deployment_id: str):
    app = selectors.app_get(user=request.user, pk=pk)
    deployment = selectors.deployment_get(app=app, external_id=deployment_id)
    if deployment is None:
        return render(request, "scalingo/app_detail.html#deployment-output",
                      {"output_error": "No such deployment in the last poll.", "app": app}, status=404)
    try:
        output, error = selectors.scalingo_deployment_output(app=app, deployment_id=deployment_id), ""
    except VendorError as exc:
        output, error = "", selectors.read_error(exc, app.connection)
    return render(request, "scalingo/app_detail.html#deployment-output",
                  {"app": app, "deployment": deployment, "output": output, "output_error": error})
