"""Alert rows, their history, the channels a team is notified through, and each notification sent.

An alert is one attention condition (a crashed app, a failing connection...) with a stable identity:
its vendor, connection and `key` (kind + object). At most one alert per identity is active (not
resolved); a condition that comes back within CONSOLE_ALERT_REOPEN_SECONDS of its resolution re-opens
that same row instead of starting a new one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from vendors.core.fields import EncryptedSecretsField


class Severity(models.IntegerChoices):
    """As the attention items have it: 0 is the most severe."""

    CRITICAL = 0, "Critical"
    WARNING = 1, "Warning"
    NOTICE = 2, "Notice"

    @classmethod
    def named(cls, value: int) -> str:
        """"critical", "warning" or "notice": the word the API, the webhook and the provisioning file use."""
        return cls(min(max(int(value), 0), 2)).label.lower()

    @classmethod
    def from_name(cls, name: str) -> int | None:
        return {s.label.lower(): s.value for s in cls}.get(str(name).lower())


class AlertState(models.TextChoices):
    FIRING = "firing", "Firing"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    SILENCED = "silenced", "Silenced"
    RESOLVED = "resolved", "Resolved"


ACTIVE_STATES = (AlertState.FIRING, AlertState.ACKNOWLEDGED, AlertState.SILENCED)


class Alert(models.Model):
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    vendor = models.CharField(max_length=32)
    connection_id = models.PositiveBigIntegerField()
    connection_name = models.CharField(max_length=100)
    #: the condition's kind and object, e.g. "scalingo.app.crashed:42" (stable across polls)
    key = models.CharField(max_length=200)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    #: firing, acknowledged, silenced, resolved: kept in step with the columns below by every write
    state = models.CharField(max_length=16, choices=AlertState.choices, default=AlertState.FIRING)
    #: since when the condition holds, as the vendor's data says (a crash's time, a chart's crossing)
    since = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    #: when the current episode started (first seen, or re-opened)
    fired_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    acknowledged_by_label = models.CharField(max_length=150, blank=True)
    silenced_until = models.DateTimeField(null=True, blank=True)
    silenced_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    silenced_by_label = models.CharField(max_length=150, blank=True)
    #: when people were last told it fires (its first notification or a reminder); None: not yet
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["severity", "-fired_at", "-pk"]
        indexes = [models.Index(fields=["team", "state", "severity"]),
                   models.Index(fields=["vendor", "connection_id", "key"]),
                   models.Index(fields=["state", "notified_at"]),
                   models.Index(fields=["resolved_at"])]
        constraints = [models.UniqueConstraint(fields=["vendor", "connection_id", "key"],
                                               condition=Q(resolved_at__isnull=True),
                                               name="one_active_alert_per_condition")]

    def __str__(self) -> str:
        return self.title

    @property
    def severity_name(self) -> str:
        return Severity.named(self.severity)

    @property
    def is_active(self) -> bool:
        return self.resolved_at is None

    def state_now(self, now=None) -> str:
        """What the columns say the state is at `now` (a silence may have ended since `state` was written)."""
        now = now or timezone.now()
        if self.resolved_at is not None:
            return AlertState.RESOLVED
        if self.silenced_until is not None and self.silenced_until > now:
            return AlertState.SILENCED
        if self.acknowledged_at is not None:
            return AlertState.ACKNOWLEDGED
        return AlertState.FIRING


class AlertEvent(models.Model):
    """One line of an alert's history (its notifications are its `deliveries`)."""

    class Kind(models.TextChoices):
        FIRED = "fired", "Fired"
        REOPENED = "reopened", "Fired again"
        RESOLVED = "resolved", "Resolved"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        SILENCED = "silenced", "Silenced"
        UNSILENCED = "unsilenced", "Silence lifted"
        SILENCE_ENDED = "silence_ended", "Silence ended"
        NOTE = "note", "Note"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    #: who did it (a username), or "" for the console itself
    actor_label = models.CharField(max_length=150, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["alert", "at"])]


class ChannelKind(models.TextChoices):
    WEBHOOK = "webhook", "Webhook (JSON)"
    SLACK = "slack", "Slack incoming webhook"
    EMAIL = "email", "Email"


#: failed deliveries in a row from which a channel is failing (the overview lists it)
CHANNEL_FAILING_AFTER = 3


class Channel(models.Model):
    """Where a team's alerts go. The URL of a webhook or Slack channel is a secret (Slack's carries its
    key), stored encrypted with the signing secret and never shown again; `destination` (its host and
    port) says where it posts."""

    name = models.CharField(max_length=100, unique=True)
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="alert_channels")
    kind = models.CharField(max_length=16, choices=ChannelKind.choices, default=ChannelKind.WEBHOOK)
    #: the least severe alert it is told about
    min_severity = models.PositiveSmallIntegerField("least severity", choices=Severity.choices,
                                                    default=Severity.WARNING)
    recipients = models.JSONField(default=list, blank=True)
    destination = models.CharField(max_length=300, blank=True)
    secrets = EncryptedSecretsField(owner="channel")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def failing(self) -> bool:
        return self.enabled and self.consecutive_failures >= CHANNEL_FAILING_AFTER

    @property
    def min_severity_name(self) -> str:
        return Severity.named(self.min_severity)

    @property
    def where(self) -> str:
        """Where it sends, in words that hold no secret."""
        if self.kind == ChannelKind.EMAIL:
            return ", ".join(self.recipients) or "nobody yet"
        return self.destination or "no URL yet"


class Delivery(models.Model):
    """One notification to one channel: its content (never a secret) and how sending it went."""

    class Event(models.TextChoices):
        FIRING = "firing", "Firing"
        REMINDER = "reminder", "Reminder"
        RESOLVED = "resolved", "Resolved"
        TEST = "test", "Test"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        RETRYING = "retrying", "Retrying"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=16, choices=Event.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    #: the webhook's JSON body; Slack's and the email's words are made from it
    payload = models.JSONField(default=dict)
    attempts = models.PositiveSmallIntegerField(default=0)
    #: one entry per failed attempt: {"at", "error", "retry_in"}
    log = models.JSONField(default=list, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["alert", "created_at"]), models.Index(fields=["channel", "-created_at"]),
                   models.Index(fields=["state", "next_attempt_at"])]  # the sweep's look for lost ones

    @property
    def finished(self) -> bool:
        return self.state in (self.State.SENT, self.State.FAILED, self.State.SKIPPED)
