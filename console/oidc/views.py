"""The two steps of an OIDC sign-in: off to the provider, and back with a code.

Both are mozilla-django-oidc's views (state, nonce and PKCE verifier kept in the session, the
`next` page checked), fed our settings and discovery; every way a sign-in can fail ends on the
login page with a sentence saying why, never an error page.
"""

from __future__ import annotations

import logging
import re

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.views import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from console.oidc import config
from console.oidc.config import SignInRefused, library_setting
from console.oidc.discovery import ProviderUnavailable, provider_metadata

logger = logging.getLogger(__name__)


def _provider() -> str:
    return config.provider_name() or "the identity provider"


def _refuse(request, reason: str) -> HttpResponseRedirect:
    logger.warning("OIDC sign-in refused: %s", reason)
    messages.error(request, f"Sign-in through {_provider()} failed: {reason}")
    return HttpResponseRedirect(reverse("login"))


def _unavailable(exc: ProviderUnavailable) -> str:
    return f"{_provider()} did not answer as expected ({exc}). Try again later, or tell an administrator."


class AuthenticateView(OIDCAuthenticationRequestView):
    get_settings = staticmethod(library_setting)

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the library's reads a fixed endpoint setting; ours comes from discovery
        self.OIDC_RP_CLIENT_ID = library_setting("OIDC_RP_CLIENT_ID")

    def get(self, request):
        if not config.oidc_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_metadata()["authorization_endpoint"]
        except ProviderUnavailable as exc:
            return _refuse(request, _unavailable(exc))
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(library_setting)

    def get(self, request):
        if not config.oidc_enabled():
            raise Http404
        try:
            return super().get(request)
        except SignInRefused as exc:
            return _refuse(request, str(exc))
        except ProviderUnavailable as exc:
            return _refuse(request, _unavailable(exc))
        except SuspiciousOperation:  # the library's word for a state this session never started
            return _refuse(request, "this sign-in was not started in this browser, or was already used: start again.")
        except Exception:
            logger.exception("OIDC sign-in failed unexpectedly")
            return _refuse(request, "something unexpected went wrong; it was logged for the administrators.")

    def login_failure(self):
        error = self.request.GET.get("error", "")
        if error:
            code = f" ({error})" if re.fullmatch(r"[a-z_]{1,40}", error) else ""
            return _refuse(self.request, f"{_provider()} did not sign you in{code}.")
        if getattr(self, "user", None) is not None and not self.user.is_active:
            return _refuse(self.request, "your console account is disabled: ask an administrator of the console.")
        return _refuse(self.request, "this sign-in was not started in this browser, or has expired: start again.")
