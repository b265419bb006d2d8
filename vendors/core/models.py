"""The abstract connection every vendor app extends, with its poll status and lease."""

from __future__ import annotations

from datetime import timedelta

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from vendors.core.fields import EncryptedSecretsField
from vendors.core.parts import failures_sentence


class Health(models.TextChoices):
    OK = "ok", "OK"
    DEGRADED = "degraded", "Degraded"
    FAILING = "failing", "Failing"
    NEVER = "never", "Never polled"
    DISABLED = "disabled", "Disabled"


#: consecutive failures from which a connection that had good data counts as failing
FAILING_AFTER = 3
#: data older than this many poll intervals is stale even without an error (worker down?)
STALE_AFTER_INTERVALS = 3


#: what a connection's health and its reason are read from (pages that list many load only these)
HEALTH_FIELDS = ("pk", "name", "team", "enabled", "poll_seconds", "last_attempt_at", "last_success_at",
                 "consecutive_failures", "last_error", "part_failures", "parts_total", "deferred_reason")


#: a poll interval's bounds, stated once: the model, the form, the browser's `min`/`max` and
#: provisioning all read these (10 s is the least any vendor's rate limit tolerates; a day the most
#: a console that claims to watch something should wait)
POLL_SECONDS_MIN, POLL_SECONDS_MAX = 10, 86_400


class Connection(models.Model):
    """One set of credentials for one vendor account, owned by one team.

    Plain settings live in columns and `settings` (JSON); secrets only in `secrets`,
    encrypted. Status columns are written by the poller, never by forms.
    """

    #: the registry name of the vendor; `registry.register` sets it on the concrete model
    vendor: str = ""

    name = models.CharField(max_length=100, unique=True)
    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="%(app_label)s_connections")
    base_url = models.URLField("URL", max_length=300, blank=True)
    settings = models.JSONField(default=dict, blank=True)
    secrets = EncryptedSecretsField()
    poll_seconds = models.PositiveIntegerField("poll interval (seconds)", default=60,
                                               validators=[MinValueValidator(POLL_SECONDS_MIN)])
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    #: what the last poll wants a human to know (e.g. "120 apps: details refresh every 3 polls")
    poll_notes = models.JSONField(default=list, blank=True)
    #: inventory figures written by each poll (e.g. apps by status), so the overview sums a
    #: few connection rows instead of counting every app or server on each refresh
    counts = models.JSONField(default=dict, blank=True)
    #: parts of the last polls that failed (see `vendors.core.parts`): key -> label, vendor's message,
    #: failures in a row, since, when it is asked again; and how many parts the last poll had
    part_failures = models.JSONField(default=dict, blank=True)
    parts_total = models.PositiveIntegerField(default=0)
    #: why the last poll waited instead of polling (a rate budget spent); cleared by the next poll
    deferred_reason = models.CharField(max_length=500, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def health(self) -> str:
        if not self.enabled:
            return Health.DISABLED
        if self.last_attempt_at is None:
            return Health.NEVER
        if self.last_success_at is None or self.consecutive_failures >= FAILING_AFTER:
            return Health.FAILING
        if self.consecutive_failures or self.part_failures or self.is_stale:
            return Health.DEGRADED
        return Health.OK

    @property
    def data_age(self) -> timedelta | None:
        return timezone.now() - self.last_success_at if self.last_success_at else None

    @property
    def is_stale(self) -> bool:
        age = self.data_age
        return age is not None and age > timedelta(seconds=self.poll_seconds * STALE_AFTER_INTERVALS)

    @property
    def health_reason(self) -> str:
        health = self.health
        if health == Health.DISABLED:
            return "Polling is disabled."
        if health == Health.NEVER:
            return "Not polled yet."
        if self.last_error:
            return self.last_error
        if self.part_failures:
            return failures_sentence(self.part_failures, self.parts_total)
        if self.is_stale:
            return self.deferred_reason or "No successful poll for several intervals: is a worker running?"
        return ""

    @property
    def failed_parts(self) -> list[dict]:
        """The parts the last polls could not read (label, vendor's message, since, next try), for pages."""
        from vendors.core.parts import part_failures

        return part_failures(self, "")

    @property
    def polling_now(self) -> bool:
        return bool(self.lease_owner and self.lease_until and self.lease_until > timezone.now())


class ActionStatus(models.TextChoices):
    """The life of an action, as the vendor saw it: nothing here claims more than the vendor said.

    queued → sent → accepted → succeeded | failed | unconfirmed. *Sent*: on its way (if the
    worker dies now, nobody knows whether the vendor got it, so it is never sent again);
    *accepted*: the vendor took it and it is being followed; *failed*: the vendor refused it
    or reported it failed; *unconfirmed*: accepted (or possibly received) but not followed to
    the end in time; the console keeps following in the background.
    """

    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    UNCONFIRMED = "unconfirmed", "Unconfirmed"


class ActionRun(models.Model):
    """One vendor action a user asked for (scale, restart, launch...), followed until it settles.

    The page that started it polls its status partial; the audit entry (created pending)
    is closed with the same outcome. `params` never holds a secret.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    vendor = models.CharField(max_length=32)
    connection_id = models.PositiveBigIntegerField()
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey("auth.User", null=True, on_delete=models.SET_NULL, related_name="+")
    verb = models.CharField(max_length=64)
    target_label = models.CharField(max_length=255)
    target_url = models.CharField(max_length=500, blank=True)
    #: the change in one sentence, as the confirmation dialog stated it
    summary = models.CharField(max_length=500)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=ActionStatus.choices, default=ActionStatus.QUEUED)
    message = models.TextField(blank=True)
    #: field name -> vendor message, when the vendor refused specific inputs
    field_errors = models.JSONField(default=dict, blank=True)
    audit = models.ForeignKey("audit.AuditEvent", null=True, on_delete=models.SET_NULL, related_name="+")
    #: values the action needs that are secrets (e.g. app variables): encrypted here, never
    #: in task arguments, and cleared as soon as the action has run
    secret_payload = EncryptedSecretsField()
    #: what following the accepted action needs (an operation URL, the state to wait for...)
    follow = models.JSONField(default=dict, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    #: the last sign of life of whoever runs it (each state change and progress); a stale one was lost
    touched_at = models.DateTimeField(null=True, blank=True)
    #: who, where, which verb and the exact change: the same one submitted twice at once is one action
    fingerprint = models.CharField(max_length=40, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["vendor", "connection_id", "-created_at"]),
                   models.Index(fields=["status", "touched_at"])]

    def __str__(self) -> str:
        return f"{self.verb} {self.target_label}"

    @property
    def settled(self) -> bool:
        """The vendor's last word is known: it succeeded or failed."""
        return self.status in (ActionStatus.SUCCEEDED, ActionStatus.FAILED)

    @property
    def finished(self) -> bool:
        """Nothing more will happen in the foreground (an unconfirmed action is followed in the background)."""
        return self.settled or self.status == ActionStatus.UNCONFIRMED
