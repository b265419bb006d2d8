"""Every API error is JSON: `{"message": ..., "errors": {field: [messages]}}` (errors only for invalid input)."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger("console.api")


def _text(detail) -> str:
    if isinstance(detail, list):
        return " ".join(_text(item) for item in detail)
    if isinstance(detail, dict):
        return " ".join(_text(item) for item in detail.values())
    return str(detail)


def _fields(detail) -> dict:
    """DRF's nested error detail as plain JSON: {field: [messages]}, nested for nested input."""
    if isinstance(detail, dict):
        return {str(key): _fields(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [str(item) for item in detail]
        return [_fields(item) for item in detail]
    return [str(detail)]


def api_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) if str(exc) else "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) if str(exc) else "You may not do this.")
    response = exception_handler(exc, context)
    if response is None:
        logger.exception("API request failed unexpectedly", exc_info=exc)
        return Response({"message": "Internal error (the server log has the details)."},
                        status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            non_field = detail.get("non_field_errors")
            fields = {key: value for key, value in detail.items() if key != "non_field_errors"}
            message = _text(non_field) if non_field else "The request has invalid fields; see errors."
            response.data = {"message": message, "errors": _fields(fields)}
        else:
            response.data = {"message": _text(detail), "errors": {}}
    else:
        response.data = {"message": _text(getattr(exc, "detail", response.data))}
    return response


@login_not_required
def api_not_found(request, *args, **kwargs):
    """Any /api/ address no endpoint answers: JSON, not the pages' HTML 404."""
    return JsonResponse({"message": f"No API endpoint at {request.path}."}, status=404)


def form_errors(form) -> dict[str, list[str]]:
    """A Django form's errors as the API states them: {field: [messages]}, form-wide ones as non_field_errors."""
    return {("non_field_errors" if name == "__all__" else name): [str(message) for message in messages]
            for name, messages in form.errors.items()}
