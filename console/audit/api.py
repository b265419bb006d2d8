"""/api/v1/audit/: the audit log of the teams the token user administers, with the page's filters."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView

from console.api.errors import form_errors
from console.audit.forms import AuditFilterForm
from console.audit.models import AuditEvent, Outcome
from console.audit.selectors import audit_events, audit_teams


class AuditEventSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    actor = serializers.CharField(source="actor_label")
    via = serializers.CharField(help_text="How the actor acted when not through the pages, e.g. 'API token deploy-bot'.")

    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor", "via", "verb", "target_type", "target_id", "target_label", "team",
                  "outcome", "message", "detail"]


@extend_schema(parameters=[
    OpenApiParameter("team", str, description="A team's slug."),
    OpenApiParameter("actor", str, description="Actors whose name contains this."),
    OpenApiParameter("verb", str, description="Verbs that start with this, e.g. `scalingo.app`."),
    OpenApiParameter("outcome", str, enum=Outcome.values),
    OpenApiParameter("since", str, description="A date, YYYY-MM-DD."),
    OpenApiParameter("until", str, description="A date, YYYY-MM-DD."),
])
class AuditList(ListAPIView):
    """Newest first. For team admins (403 for who administers no team); superusers read every entry."""

    serializer_class = AuditEventSerializer
    filter_backends: list = []

    def get_queryset(self):
        teams = audit_teams(user=self.request.user)
        form = AuditFilterForm(self.request.query_params, teams=teams)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        return audit_events(user=self.request.user, teams=teams, filters=form.cleaned_data).order_by("-created_at", "-pk")
