"""Creating, checking and revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.http import Http404
from django.utils import timezone

from console.audit.services import audit_record
from console.tokens.models import ApiToken

#: every token starts with this, so a leaked one is recognisable (secret scanners, logs' redaction)
TOKEN_PREFIX = "opc_"
#: last-used times are written at most this often per token (a busy script must not write on every call)
LAST_USED_EVERY = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, user, description: str, write: bool = False, days: int | None = None,
                 actor=None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token itself, which is never stored nor shown again."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=days) if days else None
    token = ApiToken.objects.create(user=user, description=description.strip(), prefix=plain[:12],
                                    digest=_digest(plain), write=write, expires_at=expires)
    audit_record(actor=actor or user, verb="api_token.create", target=token,
                 message=f"API token “{token.description}” ({token.scope}"
                         f"{', expires ' + expires.date().isoformat() if expires else ''}) for {user.get_username()}")
    return token, plain


def token_check(plain: str) -> ApiToken | None:
    """The active token `plain` is, with its user, or None (unknown, revoked, expired, inactive user)."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(plain)).first()
    if token is None or token.state != "active" or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_visible(*, user):
    """The tokens `user` may see and revoke: their own; a superuser sees everyone's."""
    tokens = ApiToken.objects.select_related("user")
    return tokens if user.is_superuser else tokens.filter(user=user)


def token_get(*, user, pk: int) -> ApiToken:
    """One token `user` may revoke (their own; any, for a superuser), or 404."""
    token = tokens_visible(user=user).filter(pk=pk).first()
    if token is None:
        raise Http404("No such token.")
    return token


def token_revoke(*, token: ApiToken, actor) -> None:
    if token.revoked_at:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, verb="api_token.revoke", target=token,
                 message=f"API token “{token.description}” of {token.user.get_username()} revoked")
