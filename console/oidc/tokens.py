"""ID token validation: signature from the provider's JWKS, issuer, audience, expiry, nonce.

mozilla-django-oidc checks the signature and nonce but not the audience or the issuer, and
lets an expired token's error escape as a 500; this module does all of it and turns every
failure into a SignInRefused sentence. Only asymmetric algorithms are accepted: an HS256
token would be checked against the client secret, which the provider is not alone to know.
"""

from __future__ import annotations

import hmac

import jwt
from django.conf import settings

from console.oidc.config import SignInRefused
from console.oidc.discovery import provider_metadata, signing_keys

ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})
#: clock difference tolerated between the console and the provider
LEEWAY_SECONDS = 60
_REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat"]


def _candidate_keys(header: dict, *, refresh: bool) -> list[jwt.PyJWK]:
    kid, alg = header.get("kid"), header["alg"]
    keys = []
    for jwk in signing_keys(refresh=refresh):
        if (kid is not None and jwk.get("kid") != kid) or jwk.get("use", "sig") != "sig" or jwk.get("alg", alg) != alg:
            continue
        try:
            keys.append(jwt.PyJWK(jwk, algorithm=alg))
        except jwt.PyJWKError:  # a key of another type (an EC key for an RS256 token)
            continue
    return keys


def _decode(token: str, *, key: jwt.PyJWK, alg: str) -> dict:
    try:
        return jwt.decode(token, key=key, algorithms=[alg], audience=settings.OIDC_CLIENT_ID,
                          issuer=provider_metadata()["issuer"], leeway=LEEWAY_SECONDS,
                          options={"require": _REQUIRED_CLAIMS})
    except jwt.InvalidSignatureError:
        raise
    except jwt.ExpiredSignatureError:
        raise SignInRefused("the ID token has expired. Sign in again; if this repeats, check the console's clock.") \
            from None
    except jwt.ImmatureSignatureError:
        raise SignInRefused("the ID token is dated in the future: check the console's clock.") from None
    except jwt.InvalidAudienceError:
        raise SignInRefused("the ID token was issued for another client than this console.") from None
    except jwt.InvalidIssuerError:
        raise SignInRefused("the ID token comes from another issuer than the configured one.") from None
    except jwt.MissingRequiredClaimError as exc:
        raise SignInRefused(f"the ID token lacks its '{exc.claim}' claim.") from None
    except jwt.InvalidTokenError as exc:
        raise SignInRefused(f"the ID token is not valid ({type(exc).__name__}).") from None


def id_token_claims(token: str | None, *, nonce: str | None) -> dict:
    """The claims of a valid ID token for this client and this sign-in; SignInRefused otherwise."""
    try:
        header = jwt.get_unverified_header(token or "")
    except jwt.InvalidTokenError:
        raise SignInRefused("the provider's answer holds no signed ID token.") from None
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise SignInRefused(f"the ID token is signed with {str(alg)[:20]!r}, which the console does not accept.")
    keys = _candidate_keys(header, refresh=False) or _candidate_keys(header, refresh=True)
    if not keys:
        raise SignInRefused("the ID token is signed with a key the provider does not publish.")
    for key in keys:
        try:
            claims = _decode(token, key=key, alg=alg)
            break
        except jwt.InvalidSignatureError:
            continue
    else:
        raise SignInRefused("the ID token's signature does not match the provider's keys.")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != settings.OIDC_CLIENT_ID:
        raise SignInRefused("the ID token was issued for another client than this console.")
    if not nonce or not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
        raise SignInRefused("the ID token does not belong to this sign-in (its nonce differs): start again.")
    return claims
