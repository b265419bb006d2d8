"""The alerts through the API (/api/v1/alerts/): the list with the page's filters, one alert with its
history, and what people do to it (POST acknowledge, silence, unsilence, note; operators and up), with
the pages' own selectors, forms and services: audited "via API token"."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.generics import GenericAPIView, ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.reverse import reverse

from console.api.errors import form_errors
from console.teams.models import Role
from console.teams.selectors import require_role
from vendors.core import registry
from vendors.core.alerts import selectors, services
from vendors.core.alerts.filters import STATES
from vendors.core.alerts.forms import NoteForm, SilenceForm
from vendors.core.alerts.models import AlertState, Severity
from vendors.core.alerts.notifications import absolute

SEVERITIES = [Severity.named(value) for value in Severity.values]


class Refused(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This does not apply to the alert as it is now."


class AlertSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    state = serializers.ChoiceField(choices=AlertState.choices)
    severity = serializers.ChoiceField(choices=SEVERITIES, source="severity_name")
    title = serializers.CharField()
    detail = serializers.CharField()
    vendor = serializers.CharField()
    connection = serializers.CharField(source="connection_name")
    team = serializers.CharField(source="team.name")
    since = serializers.DateTimeField(allow_null=True, help_text="Since when the condition holds, as the vendor says.")
    first_seen_at = serializers.DateTimeField()
    fired_at = serializers.DateTimeField(help_text="When the current episode started (first seen, or re-opened).")
    last_seen_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    acknowledged_by = serializers.CharField(source="acknowledged_by_label")
    silenced_until = serializers.DateTimeField(allow_null=True)
    silenced_by = serializers.CharField(source="silenced_by_label")
    object_url = serializers.SerializerMethodField(help_text="The console page of the object it is about.")
    url = serializers.SerializerMethodField()

    def get_object_url(self, alert) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(alert.url) if request and alert.url else absolute(alert.url)

    def get_url(self, alert) -> str:
        return reverse("api:alert-detail", args=[alert.pk], request=self.context.get("request"))


class HistorySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    kind = serializers.CharField(help_text="fired, reopened, resolved, acknowledged, silenced, unsilenced, "
                                           "silence_ended, note, or notification.")
    label = serializers.CharField()
    who = serializers.CharField()
    text = serializers.CharField()
    channel = serializers.CharField(source="delivery.channel.name", default="")
    event = serializers.CharField(source="delivery.event", default="", help_text="firing, reminder or resolved.")
    result = serializers.CharField(source="delivery.state", default="",
                                   help_text="queued, sending, retrying, sent, failed, or skipped (not sent).")
    attempts = serializers.IntegerField(source="delivery.attempts", default=0)
    error = serializers.CharField(source="delivery.last_error", default="")


class AlertDetailSerializer(AlertSerializer):
    history = serializers.SerializerMethodField()

    @extend_schema_field(HistorySerializer(many=True))
    def get_history(self, alert) -> list[dict]:
        return HistorySerializer(selectors.alert_history(alert=alert), many=True).data


@extend_schema(parameters=[
    OpenApiParameter("state", str, enum=STATES, description="Without it: active alerts and those resolved in the "
                                                            "last 24 hours."),
    OpenApiParameter("severity", str, enum=SEVERITIES),
    OpenApiParameter("vendor", str, description="A vendor's name."),
    OpenApiParameter("team", str, description="A team's slug."),
    OpenApiParameter("connection", str, description="A connection's name."),
])
class AlertList(ListAPIView):
    """The alerts of the token user's teams: silenced last, otherwise the most severe and recent first."""

    serializer_class = AlertSerializer
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        refused = {}
        if params.get("state") and params["state"] not in STATES:
            refused["state"] = [f"One of: {', '.join(STATES)}."]
        if params.get("severity") and params["severity"] not in SEVERITIES:
            refused["severity"] = [f"One of: {', '.join(SEVERITIES)}."]
        if params.get("vendor") and registry.find(params["vendor"]) is None:
            refused["vendor"] = [f"One of: {', '.join(spec.name for spec in registry.vendors())}."]
        if refused:
            raise ValidationError(refused)
        return selectors.alerts_for_user(user=self.request.user, params=params)


class AlertDetail(RetrieveAPIView):
    """One alert and its history: when it fired, each notification and its result, who acknowledged or
    silenced it and what they wrote, when it resolved."""

    serializer_class = AlertDetailSerializer

    def get_object(self):
        return selectors.alert_get(user=self.request.user, pk=self.kwargs["pk"])


class _Acting(GenericAPIView):
    serializer_class = AlertSerializer
    form_class = None

    def act(self, alert, request):
        raise NotImplementedError

    def post(self, request, pk: int):
        alert = selectors.alert_get(user=request.user, pk=pk)
        require_role(user=request.user, team=alert.team_id, role=Role.OPERATOR)
        try:
            self.act(alert, request)
        except services.AlertRefused as refused:
            raise Refused(str(refused)) from None
        alert = selectors.alert_get(user=request.user, pk=pk)
        return Response(AlertDetailSerializer(alert, context={"request": request}).data)


def _body(request) -> dict:
    """The JSON body (only the actions that take one read it: acknowledging needs none)."""
    return request.data if isinstance(request.data, dict) else {}


def _valid(form):
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    return form


class SilenceRequest(serializers.Serializer):
    duration = serializers.CharField(required=False, help_text="90m, 4h, 2d... (or `until`).")
    until = serializers.DateTimeField(required=False, help_text="ISO 8601 with its offset (or `duration`).")


class NoteRequest(serializers.Serializer):
    text = serializers.CharField(max_length=2000)


@extend_schema(request=None, responses=AlertDetailSerializer)
class AlertAcknowledge(_Acting):
    """Someone is on it: no more reminders (the resolution is still sent). 409 when resolved or acknowledged."""

    def act(self, alert, request):
        services.alert_acknowledge(alert=alert, actor=self.request.user)


@extend_schema(request=SilenceRequest, responses=AlertDetailSerializer)
class AlertSilence(_Acting):
    """Nothing is sent about it for `duration` or until `until` (if it fires again meanwhile, nothing either)."""

    def act(self, alert, request):
        form = _valid(SilenceForm({key: str(value) for key, value in _body(request).items()
                                   if key in ("duration", "until")}))
        services.alert_silence(alert=alert, actor=self.request.user, until=form.silenced_until(timezone.now()))


@extend_schema(request=None, responses=AlertDetailSerializer)
class AlertUnsilence(_Acting):
    """Lift its silence (409 when it is not silenced)."""

    def act(self, alert, request):
        services.alert_unsilence(alert=alert, actor=self.request.user)


@extend_schema(request=NoteRequest, responses=AlertDetailSerializer)
class AlertNote(_Acting):
    """Add a note to its history."""

    def act(self, alert, request):
        form = _valid(NoteForm({"text": str(_body(request).get("text", ""))}))
        services.alert_note(alert=alert, actor=self.request.user, text=form.cleaned_data["text"])


urlpatterns = [
    path("alerts/", AlertList.as_view(), name="alert-list"),
    path("alerts/<int:pk>/", AlertDetail.as_view(), name="alert-detail"),
    path("alerts/<int:pk>/acknowledge/", AlertAcknowledge.as_view(), name="alert-acknowledge"),
    path("alerts/<int:pk>/silence/", AlertSilence.as_view(), name="alert-silence"),
    path("alerts/<int:pk>/unsilence/", AlertUnsilence.as_view(), name="alert-unsilence"),
    path("alerts/<int:pk>/note/", AlertNote.as_view(), name="alert-note"),
]
