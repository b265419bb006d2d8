"""The API's connections and actions (/api/v1/connections/, /api/v1/actions/), and the registry
through which each vendor offers its action verbs to the API.

An action through the API is the pages' action: the same verb, target lookup (404 outside the
user's teams), role, validation and service; the request itself is the confirmation. It answers
202 with the action's URL, where its state follows the pipeline (vendors/core/actions.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import path
from django.utils.functional import lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.reverse import reverse

from console.api.errors import form_errors
from console.teams.models import Role
from console.teams.selectors import require_role, teams_for_user
from vendors.core import registry
from vendors.core.models import ActionRun, ActionStatus, Health
from vendors.core.selectors import ConnectionRows, action_get, connection_get


# -- action verbs offered to the API -------------------------------------------------------------
@dataclass(frozen=True)
class ApiVerb:
    """How the API starts one pipeline verb, with what the page that starts it does."""

    verb: str
    #: (user, target) -> the object, from the user's teams (404 otherwise: raise Http404)
    target: Callable[[Any, str], Any]
    #: the object -> its team (the role is checked in it)
    team: Callable[[Any], Any]
    #: (object, params, user) -> the started ActionRun; raises rest_framework's ValidationError
    #: ({field: [messages]}) for what the page's form would refuse
    start: Callable[[Any, dict, Any], ActionRun]
    #: what `target` is and what `params` holds, for the docs
    doc: str
    role: str = Role.OPERATOR


_api_verbs: dict[str, ApiVerb] = {}


def api_verb(verb: ApiVerb) -> None:
    _api_verbs[verb.verb] = verb


def api_verbs() -> dict[str, ApiVerb]:
    return dict(sorted(_api_verbs.items()))


def form_invalid(form) -> ValidationError:
    """What the API raises for input the page's form refuses."""
    return ValidationError(form_errors(form))


# -- serializers --------------------------------------------------------------------------------
class FailedPartSerializer(serializers.Serializer):
    label = serializers.CharField()
    message = serializers.CharField()


class ConnectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    vendor = serializers.CharField()
    name = serializers.CharField()
    team = serializers.CharField(source="team.name")
    enabled = serializers.BooleanField()
    health = serializers.ChoiceField(choices=Health.choices)
    health_reason = serializers.CharField(help_text="Why it is not OK, in the vendor's words where it gave some.")
    poll_seconds = serializers.IntegerField()
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    last_success_at = serializers.DateTimeField(allow_null=True, help_text="When the data was last read whole.")
    data_age_seconds = serializers.SerializerMethodField()
    last_error = serializers.CharField()
    failed_parts = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_data_age_seconds(self, connection) -> int | None:
        age = connection.data_age
        return int(age.total_seconds()) if age is not None else None

    @extend_schema_field(FailedPartSerializer(many=True))
    def get_failed_parts(self, connection) -> list[dict]:
        return [{"label": str(part.get("label", "")), "message": str(part.get("message", ""))}
                for part in connection.failed_parts]

    def get_url(self, connection) -> str:
        return reverse("api:connection-detail", args=[connection.vendor, connection.pk],
                       request=self.context.get("request"))


class ActionSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices,
                                     help_text="queued → sent → accepted → succeeded | failed | unconfirmed.")
    message = serializers.CharField(help_text="The vendor's words (or the console's, when the vendor said nothing).")
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    team = serializers.CharField(source="team.name")
    url = serializers.SerializerMethodField()

    class Meta:
        model = ActionRun
        fields = ["id", "verb", "vendor", "connection_id", "team", "actor", "target_label", "summary", "params",
                  "status", "message", "field_errors", "created_at", "sent_at", "accepted_at", "finished_at", "url"]

    def get_url(self, action) -> str:
        return reverse("api:action-detail", args=[action.pk], request=self.context.get("request"))


class ActionRequestSerializer(serializers.Serializer):
    verb = serializers.CharField(help_text="One of the verbs listed in this operation's description.")
    target = serializers.CharField(max_length=200, help_text="The id of the object the verb acts on.")
    params = serializers.DictField(required=False, default=dict)

    def validate_verb(self, value: str) -> str:
        if value not in _api_verbs:
            raise ValidationError(f"Unknown verb; one of: {', '.join(api_verbs())}.")
        return value


# -- views --------------------------------------------------------------------------------------
_HEALTHS = Health.values


@extend_schema(parameters=[
    OpenApiParameter("vendor", str, description="Only this vendor's connections."),
    OpenApiParameter("health", str, enum=_HEALTHS, description="Only connections in this health."),
    OpenApiParameter("team", str, description="Only this team's connections (its slug)."),
])
class ConnectionList(ListAPIView):
    """Every connection of the token user's teams, by vendor then name: health, data age, last error
    and the parts the last polls could not read. Never a secret."""

    serializer_class = ConnectionSerializer
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        vendor, health, team = params.get("vendor", ""), params.get("health", ""), params.get("team", "")
        if vendor and registry.find(vendor) is None:
            raise ValidationError({"vendor": [f"Unknown vendor; one of: {', '.join(s.name for s in registry.vendors())}."]})
        if health and health not in _HEALTHS:
            raise ValidationError({"health": [f"One of: {', '.join(_HEALTHS)}."]})
        rows = ConnectionRows(user=self.request.user, vendor=vendor, team=team)
        if health:  # health depends on the time: worked out in Python, as the connections page does
            return [row for row in rows[:] if row.health == health]
        return rows


class ConnectionDetail(RetrieveAPIView):
    serializer_class = ConnectionSerializer

    def get_object(self):
        return connection_get(user=self.request.user, vendor=self.kwargs["vendor"], pk=self.kwargs["pk"])


@extend_schema(parameters=[
    OpenApiParameter("status", str, enum=ActionStatus.values),
    OpenApiParameter("verb", str),
])
class ActionList(ListAPIView):
    """Actions of the token user's teams, newest first; POST starts one (the request is the confirmation)."""

    serializer_class = ActionSerializer
    filter_backends: list = []

    def get_queryset(self):
        actions = ActionRun.objects.filter(team__in=teams_for_user(user=self.request.user)) \
            .select_related("team", "actor").order_by("-created_at", "-pk")
        params = self.request.query_params
        if params.get("status"):
            if params["status"] not in ActionStatus.values:
                raise ValidationError({"status": [f"One of: {', '.join(ActionStatus.values)}."]})
            actions = actions.filter(status=params["status"])
        if params.get("verb"):
            actions = actions.filter(verb=params["verb"])
        return actions

    @extend_schema(request=ActionRequestSerializer, responses={202: ActionSerializer},
                   description=lazy(lambda: action_docs(), str)())  # every registered verb (defined below)
    def post(self, request):
        body = ActionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        verb = _api_verbs[body.validated_data["verb"]]
        target = verb.target(request.user, body.validated_data["target"])
        require_role(user=request.user, team=verb.team(target), role=verb.role)
        try:
            action = verb.start(target, body.validated_data["params"], request.user)
        except ValidationError as exc:
            raise ValidationError({"params": exc.detail}) from None
        data = ActionSerializer(action, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


class ActionDetail(RetrieveAPIView):
    """One action: its state and the vendor's words. Poll it until `status` is succeeded, failed or unconfirmed."""

    serializer_class = ActionSerializer

    def get_object(self):
        return action_get(user=self.request.user, pk=self.kwargs["pk"])


def action_docs() -> str:
    lines = ["Start an action. The same verbs, validation and roles as the pages; the request is the "
             "confirmation. Answers 202 with the action (its `url` and the `Location` header); follow it "
             "with GET until its status is succeeded, failed or unconfirmed.\n\nVerbs:\n"]
    for name, verb in api_verbs().items():
        lines.append(f"- `{name}` ({verb.role}): {verb.doc}")
    return "\n".join(lines)


urlpatterns = [
    path("connections/", ConnectionList.as_view(), name="connection-list"),
    path("connections/<slug:vendor>/<int:pk>/", ConnectionDetail.as_view(), name="connection-detail"),
    path("actions/", ActionList.as_view(), name="action-list"),
    path("actions/<int:pk>/", ActionDetail.as_view(), name="action-detail"),
]
