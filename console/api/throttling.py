from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from console.tokens.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (setting CONSOLE_API_RATE, e.g. "600/min"); past it, 429 with Retry-After.
    Signed-in browsers (the API docs page) are not counted here: the pages' own limits apply."""

    scope = "token"

    def get_rate(self) -> str:
        return settings.CONSOLE_API_RATE

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.digest[:24]}
