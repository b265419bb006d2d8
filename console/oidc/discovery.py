"""The provider's endpoints and signing keys, read from its discovery document and cached.

Nothing is fetched at import time: the discovery document
(`<OIDC_ISSUER>/.well-known/openid-configuration`) is read at the first sign-in and kept in
the cache for an hour, the JWKS likewise, and read again at once when an ID token names a key
the cached set lacks (the provider rotated its keys). Reaching that point takes a code the
provider's token endpoint accepted, so a stranger cannot make the console fetch keys at will.

The provider is the operator's own choice, so these requests do not go through the vendors'
outbound policy; they never follow a redirect either (an answer 3xx is an error), so the
token request and the key set only ever go to the hosts the discovery document names.
"""

from __future__ import annotations

import hashlib
import logging

import httpx
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

CACHE_SECONDS = 3600
TIMEOUT = httpx.Timeout(10.0)
_REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered something unusable; the text names which."""


def _key(kind: str, url: str) -> str:
    return f"oidc:{kind}:{hashlib.sha256(url.encode()).hexdigest()[:32]}"


def provider_request(method: str, url: str, **kwargs) -> httpx.Response:
    """One request to the provider: TLS verified, bounded in time, redirects refused."""
    what = kwargs.pop("what")
    try:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
            response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(f"its {what} could not be reached ({type(exc).__name__})") from None
    if response.is_redirect:
        raise ProviderUnavailable(f"its {what} answered a redirect, which the console does not follow")
    return response


def _json(response: httpx.Response, *, what: str) -> dict:
    if response.status_code != 200:
        raise ProviderUnavailable(f"its {what} answered HTTP {response.status_code}")
    try:
        document = response.json()
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"its {what} did not answer a JSON object")
    return document


def provider_metadata() -> dict:
    """The issuer's discovery document, checked to name the configured issuer."""
    issuer = settings.OIDC_ISSUER
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    metadata = cache.get(_key("discovery", url))
    if metadata is not None:
        return metadata
    metadata = _json(provider_request("GET", url, what="discovery document"), what="discovery document")
    missing = [name for name in _REQUIRED if not isinstance(metadata.get(name), str)]
    if missing:
        raise ProviderUnavailable(f"its discovery document lacks {', '.join(missing)}")
    if metadata["issuer"].rstrip("/") != issuer.rstrip("/"):
        raise ProviderUnavailable(f"its discovery document names another issuer ({metadata['issuer']})")
    cache.set(_key("discovery", url), metadata, CACHE_SECONDS)
    return metadata


def signing_keys(*, refresh: bool = False) -> list[dict]:
    """The provider's public keys (JWKS `keys`), from the cache unless `refresh`."""
    url = provider_metadata()["jwks_uri"]
    keys = None if refresh else cache.get(_key("jwks", url))
    if keys is None:
        document = _json(provider_request("GET", url, what="key set"), what="key set")
        keys = [key for key in document.get("keys") or [] if isinstance(key, dict)]
        cache.set(_key("jwks", url), keys, CACHE_SECONDS)
        logger.info("OIDC: read %d signing keys from %s", len(keys), url)
    return keys
