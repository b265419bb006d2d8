"""`Authorization: Bearer <token>`: a personal API token acting as its user."""

from __future__ import annotations

import contextvars

from rest_framework import authentication, exceptions, permissions

from console.audit.services import acting_via_set
from console.tokens.models import ApiToken
from console.tokens.services import token_check


class BearerTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as “Authorization: Bearer <token>”.")
        try:
            plain = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = token_check(plain)
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid: unknown, revoked or expired.")
        # the request runs in its own context (ApiContextMiddleware): every audit entry it writes says how
        acting_via_set(f"API token {token.description}")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class TokenScope(permissions.BasePermission):
    """A read token may only read: every write answers 403, whatever its user's role."""

    message = "This token is read-only; writes need a read-write token."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return not isinstance(request.auth, ApiToken) or request.auth.write


class ApiContextMiddleware:
    """Runs each /api/ request in a copy of the context, so what its authentication sets (how audit
    entries say the user acted) ends with the request and never reaches the thread's next one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            return self.get_response(request)
        return contextvars.copy_context().run(self.get_response, request)

