"""Scalr's inventory through the API: environments, farms, servers, scripts and events of the token
user's teams, with the list pages' filters (refused with 400 when not understood, where a page ignores
them), through the pages' selectors (another team's object: 404)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from console.api.pagination import Pages
from console.params import digits
from vendors.scalr import models, selectors
from vendors.scalr.api import serializers as out
from vendors.scalr.filters import FARM_SORTS, SERVER_SORTS, SERVER_STATUS_GROUPS


# -- the query strings the lists understand ----------------------------------------------------------
@extend_schema_field(OpenApiTypes.INT)
class IdParam(serializers.CharField):
    """An id in digits; empty filters nothing, as in the pages' filter forms."""

    default_error_messages = {"id": "An id: a whole number in digits."}

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, **kwargs)

    def to_internal_value(self, data) -> str:
        text = super().to_internal_value(data)
        if text and digits(text) is None:
            self.fail("id")
        return text


def one_of(values, help_text: str, **kwargs) -> serializers.ChoiceField:
    values = list(values)
    return serializers.ChoiceField(choices=values, required=False, allow_blank=True, help_text=help_text,
                                   error_messages={"invalid_choice": f"One of: {', '.join(values)}."}, **kwargs)


def text(help_text: str, max_length: int = 200) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length, help_text=help_text)


class FarmQuery(serializers.Serializer):
    q = text("Farms whose name, description or owner holds this, or whose Scalr id starts with it.")
    status = one_of(models.FarmStatus.values, "Only farms in this status.")
    environment = IdParam(help_text="Only this environment's farms (its id in this API).")
    connection = IdParam(help_text="Only this connection's farms.")
    team = text("Only this team's farms (its slug).", max_length=100)
    sort = one_of(FARM_SORTS, "The order (`-` first: reversed); by name by default.")


class ServerQuery(serializers.Serializer):
    q = text("Servers whose Scalr id, hostname, farm name or an IP holds this.")
    status = one_of([*models.ServerStatus.values, *SERVER_STATUS_GROUPS],
                    "A status, or `starting` or `stopping` (the statuses on the way).")
    environment = IdParam(help_text="Only this environment's servers.")
    farm = IdParam(help_text="Only this farm's servers.")
    sort = one_of(SERVER_SORTS, "The order (`-` first: reversed). By id by default: the cheapest to page through "
                                "(the server list page sorts by farm, role and index: `farm`).")


class ScriptQuery(serializers.Serializer):
    q = text("Scripts whose name or description holds this.")
    environment = IdParam(help_text="Only this environment's scripts.")


class EnvironmentQuery(serializers.Serializer):
    connection = IdParam(help_text="Only this connection's environments.")


class EventQuery(serializers.Serializer):
    farm = IdParam(help_text="Only this farm's events (its page's timeline).")
    server = IdParam(help_text="Only the events that name this server (its page's timeline).")
    connection = IdParam(help_text="Only this connection's events.")
    type = text("Only events of this type, e.g. HostDown.", max_length=64)
    since = serializers.DateTimeField(required=False, help_text="ISO 8601: events at or after it.")
    before = serializers.DateTimeField(required=False, help_text="ISO 8601: events at or before it.")


def _id(values: dict, name: str) -> int | None:
    return digits(values.get(name, ""))


# -- views ------------------------------------------------------------------------------------------
class IdsFirst(Pages):
    """Pages of a long list: the page's ids first, then its rows. The database then sorts ids only, not
    every joined row of the list (40,000 servers: the deepest page of 1,000 no longer sorts them all)."""

    def paginate_queryset(self, queryset, request, view=None):
        ids = super().paginate_queryset(queryset.values_list("pk", flat=True), request, view)
        rows = {row.pk: row for row in queryset.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]


class ScalrList(ListAPIView):
    """A list whose query string `query_class` validates (400 naming each field it refuses)."""

    filter_backends: list = []
    query_class: type[serializers.Serializer]

    def query(self) -> dict:
        query = self.query_class(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return dict(query.validated_data)


@extend_schema(parameters=[EnvironmentQuery])
class EnvironmentList(ScalrList):
    """The Scalr environments of the token user's teams, by name, with their farm and server counts."""

    serializer_class = out.ScalrEnvironmentSerializer
    query_class = EnvironmentQuery

    def get_queryset(self):
        return selectors.environment_list(user=self.request.user, connection=_id(self.query(), "connection"))


class EnvironmentDetail(RetrieveAPIView):
    serializer_class = out.ScalrEnvironmentSerializer

    def get_object(self):
        return selectors.environment_counted_get(user=self.request.user, pk=self.kwargs["pk"])


@extend_schema(parameters=[FarmQuery])
class FarmList(ScalrList):
    """The farms of the token user's teams (the farm list page), by name unless `sort` says otherwise."""

    serializer_class = out.ScalrFarmSerializer
    query_class = FarmQuery

    def get_queryset(self):
        return selectors.farm_list(user=self.request.user, params=self.query()).qs


class FarmDetail(RetrieveAPIView):
    """A farm with its roles (the ids `scalr.server.launch` takes)."""

    serializer_class = out.ScalrFarmDetailSerializer

    def get_object(self):
        return selectors.farm_get(user=self.request.user, pk=self.kwargs["pk"])


@extend_schema(parameters=[ServerQuery])
class ServerList(ScalrList):
    """The servers of the token user's teams (the server list page), by id unless `sort` says otherwise.
    A page of 1,000 costs the same few queries as a page of 10."""

    serializer_class = out.ScalrServerSerializer
    query_class = ServerQuery
    pagination_class = IdsFirst

    def get_queryset(self):
        query = self.query()
        return selectors.server_list(user=self.request.user, params={**query, "sort": query.get("sort") or "id"}).qs


class ServerDetail(RetrieveAPIView):
    serializer_class = out.ScalrServerSerializer

    def get_object(self):
        return selectors.server_get(user=self.request.user, pk=self.kwargs["pk"])


@extend_schema(parameters=[ScriptQuery])
class ScriptList(ScalrList):
    """The scripts of the token user's environments (the scripts page), by name."""

    serializer_class = out.ScalrScriptSerializer
    query_class = ScriptQuery

    def get_queryset(self):
        environments = selectors.environments_for_user(user=self.request.user)
        return selectors.script_list(environments=environments, params=self.query()).qs


class ScriptDetail(RetrieveAPIView):
    """A script as the last poll saw it (its content and revisions are on its page, read from Scalr)."""

    serializer_class = out.ScalrScriptSerializer

    def get_object(self):
        return selectors.script_get(user=self.request.user, pk=self.kwargs["pk"])


@extend_schema(parameters=[EventQuery])
class EventList(ScalrList):
    """Farm events (from polls and Scalr's callback) of the token user's teams, newest first."""

    serializer_class = out.ScalrEventSerializer
    query_class = EventQuery

    def get_queryset(self):
        query = self.query()
        return selectors.event_list(user=self.request.user, farm=_id(query, "farm"), server=_id(query, "server"),
                                    connection=_id(query, "connection"), type=query.get("type", ""),
                                    since=query.get("since"), before=query.get("before"))
