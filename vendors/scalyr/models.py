"""Scalyr connections, the team's saved queries and charts, and who may query logs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from vendors.core.models import Connection


class ScalyrConnection(Connection):
    """One Scalyr account: up to four tokens (Read Logs, Read Config, Write Config, Write Logs).

    `settings` holds `region` (us, eu or "" for `base_url`), `send_audit`, the deep-link filter templates
    (`link_scalingo_app`, `link_scalr_farm`, `link_scalr_server`) and `demo`.
    """

    class Meta(Connection.Meta):
        verbose_name = "Scalyr connection"


class TeamQueryPolicy(models.Model):
    """Scalyr-side policy of one team: querying logs is a right of its own.

    Operators and admins may always query; viewers only when a team admin granted it here.
    A team without a row has the default (viewers may not query).
    """

    team = models.OneToOneField("teams.Team", on_delete=models.CASCADE, related_name="scalyr_policy")
    viewers_may_query = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    def __str__(self) -> str:
        return f"Scalyr query policy of {self.team}"


class SavedQuery(models.Model):
    """A named explorer view or chart, shared by the team of its connection.

    `state` is the URL state of the page (filter, range, columns, function...), so opening a
    saved query is opening a link. Charts keep the series the last poll fetched through
    `timeseriesQuery` with summaries, so tiles never query Scalyr from the web process.

    A chart may carry an alert threshold (`threshold_direction` above/below `threshold`): each
    refresh stores its latest value and, while that value is past the threshold, since when
    (`crossed_at`), so the overview lists it under "Needs attention" with one plain query.
    `headline` marks the chart whose latest value is the connection's figure on the overview.
    """

    class Direction(models.TextChoices):
        ABOVE = "above", "Above"
        BELOW = "below", "Below"

    class Kind(models.TextChoices):
        EXPLORER = "explorer", "Log view"
        CHART = "chart", "Chart"

    connection = models.ForeignKey(ScalyrConnection, on_delete=models.CASCADE, related_name="saved_queries")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    state = models.JSONField(default=dict)
    pinned = models.BooleanField(default=False, help_text="Show as a tile on the overview.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Charts only: the last refresh by the poller.
    values = models.JSONField(default=list, blank=True)
    window_start_ms = models.BigIntegerField(null=True, blank=True)
    window_end_ms = models.BigIntegerField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    refresh_error = models.TextField(blank=True)
    #: the last non-empty bucket of `values`
    latest_value = models.FloatField(null=True, blank=True)

    # Charts only: set by the team.
    threshold_direction = models.CharField("alert when the latest value is", max_length=5, blank=True,
                                           choices=Direction.choices)
    threshold = models.FloatField(null=True, blank=True)
    #: start of the trailing run of buckets past the threshold; None while the latest value is within it
    crossed_at = models.DateTimeField(null=True, blank=True)
    headline = models.BooleanField("overview figure", default=False,
                                   help_text="Show its latest value as the connection's figure on the overview.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "name"], name="unique_scalyr_saved_query"),
            models.UniqueConstraint(fields=["connection"], condition=models.Q(headline=True),
                                    name="one_scalyr_headline_per_connection"),
        ]
        verbose_name_plural = "saved queries"

    def __str__(self) -> str:
        return self.name

    @property
    def is_chart(self) -> bool:
        return self.kind == self.Kind.CHART

    @property
    def has_threshold(self) -> bool:
        return bool(self.threshold_direction) and self.threshold is not None

    @property
    def threshold_label(self) -> str:
        """"above 20", or "" without a threshold."""
        if not self.has_threshold:
            return ""
        from vendors.scalyr.templatetags.scalyr import figure

        return f"{self.threshold_direction} {figure(self.threshold)}"

    @property
    def is_over(self) -> bool:
        """The latest value is past the threshold (strictly: "above 20" fires at 20.5, not at 20)."""
        from vendors.scalyr.thresholds import past

        return past(self.latest_value, self.threshold_direction, self.threshold)

    @property
    def is_far_over(self) -> bool:
        from vendors.scalyr.thresholds import far_past

        return far_past(self.latest_value, self.threshold_direction, self.threshold)


class OutboxStream(models.Model):
    """Sending the console's own events to one Scalyr connection (its `send_audit` setting).

    `stream` is the agent's sequence id (`si`) of every event sent there and `last_number` the last
    sequence number (`sn`) given out; numbers are given when a row is first put in a batch, in the
    order batches are sent, so Scalyr sees them rising. One worker sends at a time: it holds the
    lease, taken with one conditional UPDATE as polls are. After a failure nothing is sent before
    `next_attempt_at` (backoff).
    """

    connection = models.OneToOneField(ScalyrConnection, on_delete=models.CASCADE, primary_key=True,
                                      related_name="outbox_stream")
    stream = models.CharField(max_length=64)
    last_number = models.BigIntegerField(default=0)
    #: the last event time given out (ns): each batch's times rise, as the document asks within a session
    last_ts_ns = models.BigIntegerField(default=0)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    sent_total = models.PositiveBigIntegerField(default=0)
    #: why the last attempt failed, in Scalyr's words ("" after a success)
    last_error = models.TextField(blank=True)
    #: what Scalyr said beside its last success (some events too old and dropped...)
    last_warning = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"events sent to {self.connection_id}"


class OutboxEvent(models.Model):
    """One audit entry or poll outcome waiting for (or sent to) one Scalyr connection.

    Written in the transaction of what it tells, so none is lost when Scalyr or the worker is
    down; `sent_at` is set only when Scalyr took the batch holding it. A row Scalyr refuses alone
    (a bad event, not a bad batch) is `refused` with its words and skipped, so it cannot hold up the rest.
    """

    connection = models.ForeignKey(ScalyrConnection, on_delete=models.CASCADE, related_name="outbox_events")
    created_at = models.DateTimeField(default=timezone.now)
    ts_ns = models.BigIntegerField(help_text="When it happened, in ns; as sent once numbered.")
    severity = models.PositiveSmallIntegerField(default=3)
    attrs = models.JSONField(default=dict)
    number = models.BigIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    refused = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "number"], name="unique_scalyr_outbox_number")]
        indexes = [
            models.Index(fields=["connection", "number", "id"], condition=models.Q(sent_at__isnull=True, refused=""),
                         name="scalyr_outbox_waiting"),
            models.Index(fields=["connection", "sent_at"], name="scalyr_outbox_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.attrs.get('message', '')[:60]} -> {self.connection_id}"
