"""mozilla-django-oidc's authentication backend with our endpoints, token checks and user rule.

The library's `authenticate` drives the exchange (code and PKCE verifier for tokens, then the
ID token's check, then the user); this class supplies each step. It stays in
AUTHENTICATION_BACKENDS whether OIDC is configured or not, and does nothing until it is.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.contrib.auth import get_user_model
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from console.oidc import config
from console.oidc.config import SignInRefused, library_setting
from console.oidc.discovery import ProviderUnavailable, provider_metadata, provider_request
from console.oidc.services import oidc_user_sign_in
from console.oidc.tokens import id_token_claims


class OIDCBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(library_setting)

    def __init__(self, *args, **kwargs):
        # the library's reads fixed endpoint settings here; ours come from discovery when used
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = library_setting("OIDC_RP_CLIENT_ID")
        self.OIDC_RP_CLIENT_SECRET = ""  # the library would put it in the token request's body; get_token adds it

    def authenticate(self, request, **kwargs):
        if not config.oidc_enabled() or "nonce" not in kwargs:  # a password sign-in: not ours
            return None
        return super().authenticate(request, **kwargs)

    def get_token(self, payload: dict) -> dict:
        """The token request, authenticated with client_secret_basic (RFC 6749 2.3.1: each part
        form-encoded), so the secret travels in a header and never in a body a log might show."""
        payload = {name: value for name, value in payload.items() if name not in ("client_id", "client_secret")}
        auth = (quote(library_setting("OIDC_RP_CLIENT_ID"), safe=""), quote(config.client_secret(), safe=""))
        response = provider_request("POST", provider_metadata()["token_endpoint"], data=payload, auth=auth,
                                    what="token endpoint")
        if response.status_code != 200:
            error = _oauth_error(response)
            if error == "invalid_client":
                raise SignInRefused("the provider refused the console's client ID or secret (invalid_client).")
            raise ProviderUnavailable(f"its token endpoint answered HTTP {response.status_code}"
                                      + (f" ({error})" if error else ""))
        try:
            return response.json()
        except ValueError:
            raise ProviderUnavailable("its token endpoint did not answer JSON") from None

    def verify_token(self, token, **kwargs):
        return id_token_claims(token, nonce=kwargs.get("nonce"))

    def get_userinfo(self, access_token, id_token, payload) -> dict:
        """The ID token's claims, completed by the userinfo endpoint's (the ID token's win where
        both have a claim): some providers put the groups in one, some in the other."""
        endpoint = provider_metadata().get("userinfo_endpoint")
        if not endpoint or not access_token:
            return payload
        response = provider_request("GET", endpoint, headers={"Authorization": f"Bearer {access_token}"},
                                    what="userinfo endpoint")
        if response.status_code != 200:
            raise ProviderUnavailable(f"its userinfo endpoint answered HTTP {response.status_code}")
        try:
            userinfo = response.json()
        except ValueError:
            userinfo = None
        if not isinstance(userinfo, dict):
            raise ProviderUnavailable("its userinfo endpoint did not answer a JSON object (signed userinfo "
                                      "is not supported)")
        if userinfo.get("sub") != payload["sub"]:
            raise SignInRefused("the userinfo answer is about another person than the ID token.")
        return {**userinfo, **payload}

    def get_or_create_user(self, access_token, id_token, payload):
        return oidc_user_sign_in(claims=self.get_userinfo(access_token, id_token, payload))


def _oauth_error(response) -> str:
    """The OAuth error code of a refusal (RFC 6749 5.2), never its free-text description."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return ""
    return error if isinstance(error, str) and re.fullmatch(r"[a-z_]{1,40}", error) else ""
