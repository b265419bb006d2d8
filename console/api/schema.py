"""The OpenAPI document states the error shape of every operation, not only its success."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string", "description": "What went wrong, in a sentence."},
        "errors": {"type": "object", "additionalProperties": True,
                   "description": "Invalid input only: field name → list of messages (nested for nested input)."},
    },
}

_COMMON = {
    "401": "No token, or the token is unknown, revoked or expired.",
    "403": "The token's user lacks the role in the object's team, or the token is read-only and this writes.",
    "429": "Too many requests with this token; the Retry-After header says when to try again.",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation gains the errors it can answer with."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            errors = dict(_COMMON)
            if "{" in path:
                errors["404"] = "No such object in the token user's teams (another team's objects answer 404 too)."
            if method in ("post", "put", "patch") or operation.get("parameters"):
                errors["400"] = "Invalid input: `errors` names each field and what is wrong with it."
            for code, text in errors.items():
                responses.setdefault(code, {"description": text, "content": {"application/json": {"schema": ref}}})
    return result


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How drf-spectacular documents console.api.auth.BearerTokenAuthentication."""

    target_class = "console.api.auth.BearerTokenAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A personal API token (API tokens page, or `manage.py create_api_token`)."}
