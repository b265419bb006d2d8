"""/api/v1/scalingo/: the apps as the last poll saw them (formation, containers, status), with the apps
list's filters, and each app's events and deployments. Read from the database through the pages'
selectors, never from Scalingo, and never a variable's value. Scale, restart and variables are
actions: POST /api/v1/actions/ with the verbs of api_verbs.py."""

from __future__ import annotations

from collections import Counter

from django.urls import path, reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.reverse import reverse as api_reverse

from console.api import page_url
from vendors.scalingo import models, selectors
from vendors.scalingo.events import sentence
from vendors.scalingo.filters import SORTS
from vendors.scalingo.sync import clean_type_data


# -- serializers --------------------------------------------------------------------------------
class ScalingoContainerTypeSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The container type, e.g. web or worker.")
    amount = serializers.IntegerField()
    size = serializers.CharField(help_text="S, M, L, XL, 2XL...")


class ScalingoContainerCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    crashed = serializers.IntegerField()
    by_state = serializers.DictField(child=serializers.IntegerField(), help_text="State (running, crashed...) → count.")


class ScalingoAppSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", help_text="The console's id: the `target` of this app's actions.")
    scalingo_id = serializers.CharField(source="external_id")
    name = serializers.CharField()
    status = serializers.CharField(help_text="Scalingo's status: " + ", ".join(models.AppStatus.values) + ".")
    needs_attention = serializers.BooleanField(help_text="Crashed, or a container crashed.")
    region = serializers.CharField()
    connection = serializers.CharField(source="connection.name")
    connection_id = serializers.IntegerField()
    team = serializers.CharField(source="connection.team.name")
    team_slug = serializers.CharField(source="connection.team.slug")
    owner = serializers.CharField()
    project = serializers.CharField()
    stack = serializers.CharField()
    app_url = serializers.CharField(source="url", help_text="Where the app answers.")
    created_at = serializers.DateTimeField(allow_null=True)
    last_deployed_at = serializers.DateTimeField(allow_null=True)
    last_deployed_by = serializers.CharField()
    formation = ScalingoContainerTypeSerializer(many=True)
    containers = serializers.SerializerMethodField()
    details_synced_at = serializers.DateTimeField(allow_null=True,
                                                  help_text="When its formation and containers were last read.")
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField(help_text="The app's page in the console.")

    @extend_schema_field(ScalingoContainerCountsSerializer)
    def get_containers(self, app) -> dict:
        states = Counter(container.state for container in app.containers.all())
        return {"total": app.containers_total, "crashed": app.containers_crashed,
                "by_state": dict(sorted(states.items()))}

    def get_url(self, app) -> str:
        return api_reverse("api:scalingo:app-detail", args=[app.pk], request=self.context.get("request"))

    def get_page_url(self, app) -> str:
        return page_url(self, reverse("scalingo:app-detail", args=[app.pk]))


class ScalingoEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    scalingo_id = serializers.CharField(source="external_id")
    type = serializers.CharField(help_text="Scalingo's event type: deployment, scale, restart, crash...")
    created_at = serializers.DateTimeField(allow_null=True)
    user = serializers.CharField(help_text="Who did it (empty: Scalingo itself).")
    sentence = serializers.SerializerMethodField(help_text="What happened, as the app page says it.")
    data = serializers.SerializerMethodField(help_text="Scalingo's type_data, without any variable value.")

    def get_sentence(self, event) -> str:
        return sentence(event)

    def get_data(self, event) -> dict:
        return clean_type_data(event.type, event.type_data)


class ScalingoDeploymentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    scalingo_id = serializers.CharField(source="external_id")
    status = serializers.CharField()
    failed = serializers.BooleanField()
    git_ref = serializers.CharField()
    pusher = serializers.CharField()
    created_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_seconds = serializers.IntegerField(allow_null=True)


class ScalingoAppQuerySerializer(serializers.Serializer):
    """The apps list's query string, checked: a status or sort the list does not know is an error here
    (the page shows no app, or sorts by name), so a script's typo never reads as "no such apps"."""

    status = serializers.ChoiceField(choices=models.AppStatus.values, required=False, allow_blank=True)
    sort = serializers.ChoiceField(choices=list(SORTS), required=False, allow_blank=True)


# -- views --------------------------------------------------------------------------------------
@extend_schema(parameters=[
    OpenApiParameter("status", str, enum=models.AppStatus.values,
                     description="Only apps in this status; `crashed` also counts an app with a crashed container."),
    OpenApiParameter("region", str, description="Only apps of this region, e.g. osc-fr1."),
    OpenApiParameter("connection", str, description="Only apps of this connection (its name)."),
    OpenApiParameter("team", str, description="Only apps of this team (its slug)."),
    OpenApiParameter("q", str, description="Apps whose name, domains or owner contain this."),
    OpenApiParameter("sort", str, enum=list(SORTS), description="The order (default: name); pages never overlap."),
])
class AppList(ListAPIView):
    """Every Scalingo app of the token user's teams, as the last poll saw it: the apps page's filters."""

    serializer_class = ScalingoAppSerializer
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        checked = ScalingoAppQuerySerializer(data=params)
        if not checked.is_valid():
            raise ValidationError(checked.errors)
        return selectors.apps_with_details(apps=selectors.apps_filtered(user=self.request.user, params=params))


class AppDetail(RetrieveAPIView):
    """One app: its formation, containers by state, status and last deployment."""

    serializer_class = ScalingoAppSerializer

    def get_object(self):
        return selectors.app_get(user=self.request.user, pk=self.kwargs["pk"])


class AppEvents(ListAPIView):
    """The app's events (deployments, scales, restarts, crashes...) the polls kept, newest first."""

    serializer_class = ScalingoEventSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.app_events(app=selectors.app_get(user=self.request.user, pk=self.kwargs["pk"]))


class AppDeployments(ListAPIView):
    """The app's deployments the polls kept, newest first."""

    serializer_class = ScalingoDeploymentSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.app_deployments(app=selectors.app_get(user=self.request.user, pk=self.kwargs["pk"]))


app_name = "scalingo"
urlpatterns = [
    path("apps/", AppList.as_view(), name="app-list"),
    path("apps/<int:pk>/", AppDetail.as_view(), name="app-detail"),
    path("apps/<int:pk>/events/", AppEvents.as_view(), name="app-events"),
    path("apps/<int:pk>/deployments/", AppDeployments.as_view(), name="app-deployments"),
]
