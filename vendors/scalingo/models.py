"""Scalingo inventory, as the last successful poll saw it."""

from django.db import models

from vendors.core.models import Connection


class ScalingoConnection(Connection):
    """An API token for one Scalingo account; `settings` holds region, auth_url, legacy."""

    class Meta(Connection.Meta):
        verbose_name = "Scalingo connection"


class AppStatus(models.TextChoices):
    NEW = "new", "New"
    RUNNING = "running", "Running"
    STOPPED = "stopped", "Stopped"
    CRASHED = "crashed", "Crashed"
    RESTARTING = "restarting", "Restarting"
    SCALING = "scaling", "Scaling"
    DEPLOYING = "deploying", "Deploying"
    BOOTING = "booting", "Booting"
    UNKNOWN = "unknown", "Unknown"


class App(models.Model):
    connection = models.ForeignKey(ScalingoConnection, on_delete=models.CASCADE, related_name="apps")
    external_id = models.CharField(max_length=64)
    name = models.CharField(max_length=100, db_index=True)
    status = models.CharField(max_length=16, default=AppStatus.UNKNOWN, db_index=True)
    region = models.CharField(max_length=64, blank=True)
    owner = models.CharField(max_length=150, blank=True)
    project = models.CharField(max_length=150, blank=True)
    url = models.CharField(max_length=300, blank=True)
    git_url = models.CharField(max_length=300, blank=True)
    stack = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    last_deployed_at = models.DateTimeField(null=True, blank=True)
    last_deployed_by = models.CharField(max_length=150, blank=True)
    last_deployment_id = models.CharField(max_length=64, blank=True)
    #: when formation, containers, addons... of this app were last fetched (None: never)
    details_synced_at = models.DateTimeField(null=True, blank=True)
    #: containers in a crashed state, and web/worker totals, denormalised for lists
    containers_total = models.PositiveIntegerField(default=0)
    containers_crashed = models.PositiveIntegerField(default=0)
    domains = models.CharField(max_length=2000, blank=True, help_text="space-separated, for search")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["connection", "external_id"], name="unique_scalingo_app")]

    def __str__(self) -> str:
        return self.name

    @property
    def needs_attention(self) -> bool:
        return self.status == AppStatus.CRASHED or self.containers_crashed > 0


class ContainerType(models.Model):
    """One line of the formation: how many containers of a type, and their size."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="formation")
    name = models.CharField(max_length=64)
    amount = models.PositiveIntegerField()
    size = models.CharField(max_length=16)
    command = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]


class Container(models.Model):
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="containers")
    external_id = models.CharField(max_length=64, blank=True)
    label = models.CharField(max_length=100)
    type = models.CharField(max_length=64)
    type_index = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=32)
    size = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    cpu_percent = models.FloatField(null=True, blank=True)
    memory_bytes = models.BigIntegerField(null=True, blank=True)
    memory_limit_bytes = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["type", "type_index"]


class Addon(models.Model):
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="addons")
    external_id = models.CharField(max_length=64)
    provider_id = models.CharField(max_length=100)
    provider_name = models.CharField(max_length=150)
    plan = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=32)
    logo_url = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["provider_name"]


class Domain(models.Model):
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="domain_set")
    external_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    ssl = models.BooleanField(default=False)
    canonical = models.BooleanField(default=False)
    letsencrypt_enabled = models.BooleanField(default=False)
    letsencrypt_status = models.CharField(max_length=64, blank=True)
    validity = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]


class Collaborator(models.Model):
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="collaborators")
    external_id = models.CharField(max_length=64)
    email = models.CharField(max_length=255)
    username = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=32)
    is_limited = models.BooleanField(default=False)

    class Meta:
        ordering = ["email"]


FAILED_DEPLOYMENT_STATUSES = ("build-error", "crashed-error", "timeout-error", "hook-error", "aborted", "error")


class Deployment(models.Model):
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="deployments")
    external_id = models.CharField(max_length=64)
    status = models.CharField(max_length=32)
    git_ref = models.CharField(max_length=100, blank=True)
    pusher = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def failed(self) -> bool:
        return self.status in FAILED_DEPLOYMENT_STATUSES


class Event(models.Model):
    """An app event (deploy, scale, restart, crash...), kept for the timeline."""

    connection = models.ForeignKey(ScalingoConnection, on_delete=models.CASCADE, related_name="events")
    app = models.ForeignKey(App, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    external_id = models.CharField(max_length=64)
    app_name = models.CharField(max_length=100, blank=True)
    type = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)
    user = models.CharField(max_length=150, blank=True)
    type_data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["connection", "external_id"], name="unique_scalingo_event")]
