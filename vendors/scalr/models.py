"""Scalr inventory as the last successful poll saw it; both API generations fill the same rows."""

from __future__ import annotations

from django.db import models

from vendors.core.links import cached_reverse
from vendors.core.models import Connection
from vendors.scalr.client import records as r

TRANSITIONAL_SERVER = {"pending_launch", "pending", "initializing", "pending_terminate", "pending_suspend",
                       "resuming", "importing", "temporary"}
TRANSITIONAL_FARM = {"pending_launch", "pending_terminate", "synchronizing"}


class ScalrConnection(Connection):
    """An API key of one Scalr installation. `settings`: api ("v2" or "v1"), env_ids, hourly_limit.

    Secrets: key_id, secret (the key pair) and callback_token (the event callback URL's token).
    """

    class Meta(Connection.Meta):
        verbose_name = "Scalr connection"

    def get_absolute_url(self) -> str:
        return cached_reverse("scalr:connection", self.pk)

    @property
    def api(self) -> str:
        return (self.settings or {}).get("api") or "v2"

    @property
    def api_label(self) -> str:
        return "APIv2" if self.api == "v2" else "Query API"


class FarmStatus(models.TextChoices):
    RUNNING = r.FarmStatus.RUNNING, "Running"
    PENDING_LAUNCH = r.FarmStatus.PENDING_LAUNCH, "Launching"
    PENDING_TERMINATE = r.FarmStatus.PENDING_TERMINATE, "Terminating"
    TERMINATED = r.FarmStatus.TERMINATED, "Terminated"
    SUSPENDED = r.FarmStatus.SUSPENDED, "Suspended"
    SYNCHRONIZING = r.FarmStatus.SYNCHRONIZING, "Synchronizing"
    UNKNOWN = r.FarmStatus.UNKNOWN, "Unknown"


class ServerStatus(models.TextChoices):
    RUNNING = r.ServerStatus.RUNNING, "Running"
    PENDING_LAUNCH = r.ServerStatus.PENDING_LAUNCH, "Pending launch"
    PENDING = r.ServerStatus.PENDING, "Pending"
    INITIALIZING = r.ServerStatus.INITIALIZING, "Initializing"
    PENDING_TERMINATE = r.ServerStatus.PENDING_TERMINATE, "Pending terminate"
    TERMINATED = r.ServerStatus.TERMINATED, "Terminated"
    PENDING_SUSPEND = r.ServerStatus.PENDING_SUSPEND, "Pending suspend"
    SUSPENDED = r.ServerStatus.SUSPENDED, "Suspended"
    RESUMING = r.ServerStatus.RESUMING, "Resuming"
    IMPORTING = r.ServerStatus.IMPORTING, "Importing"
    TEMPORARY = r.ServerStatus.TEMPORARY, "Temporary"
    TROUBLESHOOTING = r.ServerStatus.TROUBLESHOOTING, "Troubleshooting"
    UNKNOWN = r.ServerStatus.UNKNOWN, "Unknown"


#: status -> badge state and label, read on every row of a list (get_FOO_display rebuilds its map each call)
FARM_STATES = {"running": "ok", "terminated": "muted", "suspended": "muted", "unknown": "muted"}
FARM_LABELS = dict(FarmStatus.choices)
SERVER_STATES = {"running": "ok", "terminated": "muted", "suspended": "muted", "unknown": "muted",
                 "troubleshooting": "danger"}
SERVER_LABELS = dict(ServerStatus.choices)


class Environment(models.Model):
    connection = models.ForeignKey(ScalrConnection, on_delete=models.CASCADE, related_name="environments")
    external_id = models.PositiveBigIntegerField()
    name = models.CharField(max_length=200)
    #: feature -> why this connection cannot show it (APIv2 has no DNS; Scalr 5.x retired Dm*)
    unavailable = models.JSONField(default=dict, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["connection", "external_id"], name="unique_scalr_env")]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return environment_label(self.name, self.connection.name)


def environment_label(name: str, connection_name: str) -> str:
    """How an environment is named wherever several connections' environments are listed together."""
    return f"{name} ({connection_name})"


class Farm(models.Model):
    connection = models.ForeignKey(ScalrConnection, on_delete=models.CASCADE, related_name="farms")
    environment = models.ForeignKey(Environment, on_delete=models.CASCADE, related_name="farms")
    external_id = models.PositiveBigIntegerField()
    name = models.CharField(max_length=255, db_index=True)
    status = models.CharField(max_length=32, choices=FarmStatus.choices, default=FarmStatus.UNKNOWN, db_index=True)
    description = models.TextField(blank=True)
    project_id = models.CharField(max_length=64, blank=True)
    owner = models.CharField(max_length=255, blank=True)
    #: None: not known yet (the Query API's farm list does not say; the details do)
    locked = models.BooleanField(null=True)
    lock_comment = models.TextField(blank=True)
    locked_by = models.CharField(max_length=64, blank=True)
    servers_total = models.PositiveIntegerField(default=0)
    servers_running = models.PositiveIntegerField(default=0)
    details_synced_at = models.DateTimeField(null=True, blank=True)
    #: digest of the roles and servers last written: an unchanged farm costs no row reads or writes
    details_fingerprint = models.CharField(max_length=40, blank=True)
    #: when its farm roles' configuration was last read (APIv2 re-reads it on a slower rotation)
    config_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["connection", "external_id"], name="unique_scalr_farm")]

    def __str__(self) -> str:
        return self.name

    @property
    def transitional(self) -> bool:
        return self.status in TRANSITIONAL_FARM

    def get_absolute_url(self) -> str:
        return cached_reverse("scalr:farm-detail", self.pk)

    @property
    def status_state(self) -> str:
        return FARM_STATES.get(self.status, "pending")

    @property
    def status_label(self) -> str:
        return FARM_LABELS.get(self.status, self.status)


class FarmRole(models.Model):
    farm = models.ForeignKey(Farm, on_delete=models.CASCADE, related_name="farm_roles")
    external_id = models.PositiveBigIntegerField()
    role_external_id = models.PositiveBigIntegerField(default=0)
    role_name = models.CharField(max_length=255, blank=True)
    alias = models.CharField(max_length=255, blank=True)
    platform = models.CharField(max_length=64, blank=True)
    location = models.CharField(max_length=128, blank=True)
    instance_type = models.CharField(max_length=128, blank=True)
    min_instances = models.PositiveIntegerField(default=0)
    max_instances = models.PositiveIntegerField(default=0)
    running_instances = models.PositiveIntegerField(default=0)
    scaling_enabled = models.BooleanField(default=False)

    class Meta:
        ordering = ["alias", "external_id"]
        constraints = [models.UniqueConstraint(fields=["farm", "external_id"], name="unique_scalr_farm_role")]

    def __str__(self) -> str:
        return self.alias or self.role_name or f"farm role {self.external_id}"


class Server(models.Model):
    connection = models.ForeignKey(ScalrConnection, on_delete=models.CASCADE, related_name="servers")
    farm = models.ForeignKey(Farm, on_delete=models.CASCADE, related_name="servers")
    farm_role = models.ForeignKey(FarmRole, null=True, blank=True, on_delete=models.SET_NULL, related_name="servers")
    external_id = models.CharField(max_length=64)
    status = models.CharField(max_length=32, choices=ServerStatus.choices, default=ServerStatus.UNKNOWN,
                              db_index=True)
    index = models.PositiveIntegerField(default=0)
    platform = models.CharField(max_length=64, blank=True)
    location = models.CharField(max_length=128, blank=True)
    instance_type = models.CharField(max_length=128, blank=True)
    public_ips = models.JSONField(default=list, blank=True)
    private_ips = models.JSONField(default=list, blank=True)
    hostname = models.CharField(max_length=255, blank=True)
    cloud_server_id = models.CharField(max_length=128, blank=True)
    agent_version = models.CharField(max_length=64, blank=True)
    launched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["farm_role__alias", "index", "external_id"]
        constraints = [models.UniqueConstraint(fields=["connection", "external_id"], name="unique_scalr_server")]

    def __str__(self) -> str:
        role = self.farm_role.alias if self.farm_role_id and self.farm_role else "server"
        return f"{role} #{self.index} ({self.external_id[:8]})"

    @property
    def transitional(self) -> bool:
        return self.status in TRANSITIONAL_SERVER

    def get_absolute_url(self) -> str:
        return cached_reverse("scalr:server-detail", self.pk)

    @property
    def status_state(self) -> str:
        return SERVER_STATES.get(self.status, "pending")

    @property
    def status_label(self) -> str:
        return SERVER_LABELS.get(self.status, self.status)


class Role(models.Model):
    """A Scalr role (an image set) usable in the environment."""

    environment = models.ForeignKey(Environment, on_delete=models.CASCADE, related_name="roles")
    external_id = models.PositiveBigIntegerField()
    name = models.CharField(max_length=255)
    os_id = models.CharField(max_length=128, blank=True)
    #: [{"cloud_image_id", "platform", "location"}]
    images = models.JSONField(default=list, blank=True)
    #: when `images` was read (APIv2 re-reads a role's images on a slower rotation)
    images_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["environment", "external_id"], name="unique_scalr_role")]

    def __str__(self) -> str:
        return self.name


class Script(models.Model):
    environment = models.ForeignKey(Environment, on_delete=models.CASCADE, related_name="scripts")
    external_id = models.PositiveBigIntegerField()
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    latest_revision = models.PositiveIntegerField(default=0)
    #: APIv2's `lastChanged` when the versions were read, and when that was
    last_changed = models.DateTimeField(null=True, blank=True)
    versions_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["environment", "external_id"], name="unique_scalr_script")]

    def __str__(self) -> str:
        return self.name


class EventVia(models.TextChoices):
    POLL = "poll", "Poll"
    CALLBACK = "callback", "Callback"


class Event(models.Model):
    """A farm event (HostUp, HostDown, FarmLaunched...), from a poll or Scalr's web callback."""

    connection = models.ForeignKey(ScalrConnection, on_delete=models.CASCADE, related_name="events")
    farm = models.ForeignKey(Farm, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    external_id = models.CharField(max_length=64)
    type = models.CharField(max_length=64, db_index=True)
    timestamp = models.DateTimeField(db_index=True)
    message = models.TextField(blank=True)
    via = models.CharField(max_length=16, choices=EventVia.choices, default=EventVia.POLL)

    class Meta:
        ordering = ["-timestamp", "-pk"]
        constraints = [models.UniqueConstraint(fields=["connection", "external_id"], name="unique_scalr_event")]
        indexes = [models.Index(fields=["farm", "-timestamp"])]


class LogEntry(models.Model):
    """A line of a farm's system log (Query API LogsList); `fingerprint` deduplicates polls."""

    farm = models.ForeignKey(Farm, on_delete=models.CASCADE, related_name="log_entries")
    fingerprint = models.CharField(max_length=40)
    server_external_id = models.CharField(max_length=64, blank=True, db_index=True)
    message = models.TextField()
    severity = models.CharField(max_length=16)
    timestamp = models.DateTimeField()
    source = models.CharField(max_length=128, blank=True)
    count = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-timestamp", "-pk"]
        constraints = [models.UniqueConstraint(fields=["farm", "fingerprint"], name="unique_scalr_log")]
        indexes = [models.Index(fields=["farm", "-timestamp"])]

    @property
    def severity_state(self) -> str:
        return {"warning": "warning", "error": "danger", "fatal": "danger"}.get(self.severity, "muted")


class DnsZone(models.Model):
    environment = models.ForeignKey(Environment, on_delete=models.CASCADE, related_name="dns_zones")
    name = models.CharField(max_length=255)
    farm = models.ForeignKey(Farm, null=True, blank=True, on_delete=models.SET_NULL, related_name="dns_zones")
    farm_external_id = models.PositiveBigIntegerField(null=True, blank=True)
    farm_role_external_id = models.PositiveBigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=32)
    modified_at = models.DateTimeField(null=True, blank=True)
    ips = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["environment", "name"], name="unique_scalr_zone")]

    def __str__(self) -> str:
        return self.name


class ApacheVhost(models.Model):
    environment = models.ForeignKey(Environment, on_delete=models.CASCADE, related_name="vhosts")
    name = models.CharField(max_length=255)
    farm = models.ForeignKey(Farm, null=True, blank=True, on_delete=models.SET_NULL, related_name="vhosts")
    farm_external_id = models.PositiveBigIntegerField(default=0)
    farm_role_external_id = models.PositiveBigIntegerField(default=0)
    ssl_enabled = models.BooleanField(default=False)
    modified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["environment", "name"], name="unique_scalr_vhost")]

    def __str__(self) -> str:
        return self.name


class DmSource(models.Model):
    environment = models.ForeignKey(Environment, on_delete=models.CASCADE, related_name="dm_sources")
    external_id = models.PositiveBigIntegerField()
    type = models.CharField(max_length=16)
    url = models.CharField(max_length=500)
    auth_type = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["url"]
        constraints = [models.UniqueConstraint(fields=["environment", "external_id"], name="unique_scalr_dm_source")]

    def __str__(self) -> str:
        return self.url


class DmApplication(models.Model):
    environment = models.ForeignKey(Environment, on_delete=models.CASCADE, related_name="dm_applications")
    external_id = models.PositiveBigIntegerField()
    source_external_id = models.PositiveBigIntegerField(default=0)
    name = models.CharField(max_length=255)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["environment", "external_id"], name="unique_scalr_dm_app")]

    def __str__(self) -> str:
        return self.name


class BundleTask(models.Model):
    """An image being created from a server (ServerImageCreate), followed until it finishes."""

    connection = models.ForeignKey(ScalrConnection, on_delete=models.CASCADE, related_name="bundle_tasks")
    environment = models.ForeignKey(Environment, on_delete=models.CASCADE, related_name="bundle_tasks")
    external_id = models.PositiveBigIntegerField()
    server = models.ForeignKey(Server, null=True, blank=True, on_delete=models.SET_NULL, related_name="bundle_tasks")
    server_external_id = models.CharField(max_length=64)
    role_name = models.CharField(max_length=255)
    status = models.CharField(max_length=64, default="pending")
    failure_reason = models.TextField(blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["connection", "external_id"], name="unique_scalr_bundle")]

    @property
    def finished(self) -> bool:
        return self.status in ("success", "failed", "cancelled")

    @property
    def status_state(self) -> str:
        return {"success": "ok", "failed": "danger", "cancelled": "muted"}.get(self.status, "pending")

    @property
    def status_label(self) -> str:
        return self.status  # Scalr's own word (pending, building, success...)
