"""What the Scalr endpoints answer: what the pages show of each object, never a secret (no connection
secret, no variable value), with the address of the object in the API (`url`) and in the console (`page`)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from vendors.core.links import cached_reverse
from vendors.scalr import models


def _absolute(serializer: serializers.Serializer, path: str) -> str:
    """`path` with the request's scheme and host, worked out once per answer (a page of 1,000 rows has
    2,000 links; build_absolute_uri checks the host against ALLOWED_HOSTS at every call)."""
    context = serializer.context
    if "origin" not in context:
        request = context.get("request")
        context["origin"] = request.build_absolute_uri("/")[:-1] if request is not None else ""
    return context["origin"] + path


def _age(moment) -> int | None:
    return int((timezone.now() - moment).total_seconds()) if moment is not None else None


class NamedChoices(serializers.ChoiceField):
    """A choice whose OpenAPI enum is a component of its own name, so the list and the detail of a farm
    share one enum (inline, a farm's "status" and another's would collide in drf-spectacular's naming)."""

    def __init__(self, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedChoicesScheme(OpenApiSerializerFieldExtension):
    target_class = NamedChoices

    def get_name(self) -> str:
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "enum": list(self.target.choices)}


class Linked(serializers.Serializer):
    """An object's address in the API and its page in the console, after its other fields."""

    #: URL names of the object in the API and of its page
    detail = page_name = ""

    url = serializers.SerializerMethodField(help_text="This object in the API.")
    page = serializers.SerializerMethodField(help_text="This object's page in the console.")

    def get_fields(self):
        fields = super().get_fields()
        for name in ("url", "page"):
            fields[name] = fields.pop(name)
        return fields

    def get_url(self, obj) -> str:
        return _absolute(self, cached_reverse(self.detail, obj.pk))

    def get_page(self, obj) -> str:
        return _absolute(self, cached_reverse(self.page_name, obj.pk))


class ScalrRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class ScalrFarmRoleRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    alias = serializers.CharField()


# -- environments ---------------------------------------------------------------------------------
class ScalrEnvironmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    external_id = serializers.IntegerField(help_text="Scalr's id of the environment.")
    name = serializers.CharField()
    connection = ScalrRefSerializer()
    team = serializers.CharField(source="connection.team.name")
    farms = serializers.IntegerField(source="farm_count")
    farms_running = serializers.IntegerField(source="running_count")
    servers = serializers.IntegerField(source="server_count")
    unavailable = serializers.DictField(
        child=serializers.CharField(), help_text="Feature → why this connection cannot show it (APIv2 has no DNS…).")
    synced_at = serializers.DateTimeField(allow_null=True, help_text="When its lists were last read.")
    data_age_seconds = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_data_age_seconds(self, environment) -> int | None:
        return _age(environment.synced_at)

    def get_url(self, environment) -> str:
        return _absolute(self, cached_reverse("api:scalr:environment-detail", environment.pk))


# -- farms ----------------------------------------------------------------------------------------
class ScalrFarmSerializer(Linked):
    detail, page_name = "api:scalr:farm-detail", "scalr:farm-detail"

    id = serializers.IntegerField(source="pk")
    external_id = serializers.IntegerField(help_text="Scalr's id of the farm.")
    name = serializers.CharField()
    status = NamedChoices(choices=models.FarmStatus.choices, enum_name="ScalrFarmStatus")
    status_label = serializers.CharField()
    description = serializers.CharField()
    owner = serializers.CharField()
    locked = serializers.BooleanField(allow_null=True,
                                      help_text="null: not known yet (the Query API's list does not say).")
    lock_comment = serializers.CharField()
    servers_total = serializers.IntegerField()
    servers_running = serializers.IntegerField()
    environment = ScalrRefSerializer()
    connection = ScalrRefSerializer()
    team = serializers.CharField(source="connection.team.name")
    details_read_at = serializers.DateTimeField(source="details_synced_at", allow_null=True,
                                                help_text="When its roles and servers were last read; null: not yet.")
    data_age_seconds = serializers.SerializerMethodField()

    def get_data_age_seconds(self, farm) -> int | None:
        return _age(farm.details_synced_at)


class ScalrFarmRoleSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", help_text="The target of the `scalr.server.launch` action.")
    external_id = serializers.IntegerField()
    alias = serializers.CharField()
    role_name = serializers.CharField()
    platform = serializers.CharField()
    location = serializers.CharField()
    instance_type = serializers.CharField()
    min_instances = serializers.IntegerField()
    max_instances = serializers.IntegerField()
    running_instances = serializers.IntegerField()
    scaling_enabled = serializers.BooleanField()


class ScalrFarmDetailSerializer(ScalrFarmSerializer):
    project_id = serializers.CharField()
    locked_by = serializers.CharField()
    roles = ScalrFarmRoleSerializer(source="farm_roles.all", many=True)
    servers_url = serializers.SerializerMethodField(help_text="Its servers in the API.")

    def get_servers_url(self, farm) -> str:
        return _absolute(self, f"{cached_reverse('api:scalr:server-list')}?farm={farm.pk}")


# -- servers --------------------------------------------------------------------------------------
class ScalrServerSerializer(Linked):
    """A server; its connection, environment and team come through its farm (what the list joins)."""

    detail, page_name = "api:scalr:server-detail", "scalr:server-detail"

    id = serializers.IntegerField(source="pk")
    external_id = serializers.CharField(help_text="Scalr's id of the server.")
    index = serializers.IntegerField()
    status = NamedChoices(choices=models.ServerStatus.choices, enum_name="ScalrServerStatus")
    status_label = serializers.CharField()
    farm = ScalrRefSerializer()
    farm_role = ScalrFarmRoleRefSerializer(allow_null=True)
    environment = ScalrRefSerializer(source="farm.environment")
    connection = ScalrRefSerializer(source="farm.environment.connection")
    team = serializers.CharField(source="farm.environment.connection.team.name")
    platform = serializers.CharField()
    location = serializers.CharField()
    instance_type = serializers.CharField()
    public_ips = serializers.ListField(child=serializers.CharField())
    private_ips = serializers.ListField(child=serializers.CharField())
    hostname = serializers.CharField()
    cloud_server_id = serializers.CharField()
    agent_version = serializers.CharField()
    launched_at = serializers.DateTimeField(allow_null=True)
    details_read_at = serializers.DateTimeField(source="farm.details_synced_at", allow_null=True,
                                                help_text="When its farm's servers were last read.")
    data_age_seconds = serializers.SerializerMethodField()

    def get_data_age_seconds(self, server) -> int | None:
        return _age(server.farm.details_synced_at)


# -- scripts and events ---------------------------------------------------------------------------
class ScalrScriptSerializer(Linked):
    detail, page_name = "api:scalr:script-detail", "scalr:script-detail"

    id = serializers.IntegerField(source="pk", help_text="The target of the `scalr.script.execute` action.")
    external_id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    latest_revision = serializers.IntegerField()
    last_changed = serializers.DateTimeField(allow_null=True)
    environment = ScalrRefSerializer()
    connection = ScalrRefSerializer(source="environment.connection")
    team = serializers.CharField(source="environment.connection.team.name")


class ScalrEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    type = serializers.CharField(help_text="Scalr's event name: HostUp, HostDown, FarmLaunched…")
    timestamp = serializers.DateTimeField()
    message = serializers.CharField()
    via = NamedChoices(choices=models.EventVia.choices, enum_name="ScalrEventVia",
                       help_text="Read by a poll, or sent by Scalr's callback.")
    farm = ScalrRefSerializer(allow_null=True)
    connection = ScalrRefSerializer()
    team = serializers.CharField(source="connection.team.name")
