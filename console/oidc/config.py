"""The OIDC settings as the rest of the package reads them, and the refusal a person sees."""

from __future__ import annotations

from django.conf import settings

from console import redaction


class SignInRefused(Exception):
    """A sign-in that cannot complete; the text is shown on the login page as it is."""


def oidc_enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def provider_name() -> str:
    """OIDC_PROVIDER_NAME ("Keycloak"), or "" when the operator named none."""
    return settings.OIDC_PROVIDER_NAME


def client_secret() -> str:
    """The client secret, registered with the log redaction each time it is read."""
    secret = settings.OIDC_CLIENT_SECRET
    redaction.register(secret)
    return secret


#: mozilla-django-oidc's setting names, answered from ours so that one variable holds each value
_LIBRARY_SETTINGS = {
    "OIDC_RP_CLIENT_ID": lambda: settings.OIDC_CLIENT_ID,
    "OIDC_RP_SCOPES": lambda: settings.OIDC_SCOPES,
    "OIDC_USE_PKCE": lambda: True,
    "OIDC_PKCE_CODE_CHALLENGE_METHOD": lambda: "S256",
    "OIDC_USE_NONCE": lambda: True,
    "OIDC_AUTHENTICATION_CALLBACK_URL": lambda: "oidc:callback",
    "OIDC_CREATE_USER": lambda: True,
}


def library_setting(name: str, *default):
    """mozilla-django-oidc's `get_settings`, for the views and the backend."""
    if name in _LIBRARY_SETTINGS:
        return _LIBRARY_SETTINGS[name]()
    return getattr(settings, name, *default)
