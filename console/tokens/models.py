"""Personal API tokens: shown once, stored as a hash, acting exactly as their user."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    description = models.CharField(max_length=100)
    #: the token's first characters, shown in lists so people can tell tokens apart; not a secret
    prefix = models.CharField(max_length=16, db_index=True)
    #: SHA-256 of the whole token (tokens are 32 random bytes: a slow hash adds nothing)
    digest = models.CharField(max_length=64, unique=True)
    write = models.BooleanField(default=False, help_text="Read-write; otherwise read-only.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.description} ({self.prefix}…)"

    @property
    def scope(self) -> str:
        return "read-write" if self.write else "read"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= timezone.now():
            return "expired"
        return "active"
