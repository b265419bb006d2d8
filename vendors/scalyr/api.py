"""/api/v1/scalyr/: the teams' saved queries, and a log query run exactly as the explorer runs it (the
same query right, the same filter and time range, the same Scalyr call). Configuration file writes
are actions: POST /api/v1/actions/ with the verbs of api_verbs.py."""

from __future__ import annotations

import math

from django.urls import path, reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse as api_reverse
from rest_framework.views import APIView

from console.api import page_url
from console.params import MAX_ID
from vendors.core import errors
from vendors.scalyr import selectors
from vendors.scalyr.client import READ_LOGS, missing_token_reason
from vendors.scalyr.models import SavedQuery
from vendors.scalyr.state import DEFAULT_RANGE, MAX_FILTER, ExplorerState, from_ms

#: the most lines one query returns (the explorer reads 100 a page)
MAX_LIMIT = 1000
_ERROR = {"$ref": "#/components/schemas/Error"}


class ScalyrAnswered(APIException):
    """Scalyr refused or failed the query: its words, under the status that says whose turn it is
    (400 the filter, 429 slow down with Scalyr's Retry-After, 502 a refusal of the connection's token or
    an answer we cannot read, 503 Scalyr unreachable)."""

    def __init__(self, exc: errors.VendorError):
        self.status_code = (status.HTTP_429_TOO_MANY_REQUESTS if isinstance(exc, errors.RateLimited) else
                            status.HTTP_400_BAD_REQUEST if isinstance(exc, errors.InvalidRequest) else
                            status.HTTP_503_SERVICE_UNAVAILABLE if isinstance(exc, errors.VendorUnavailable) else
                            status.HTTP_502_BAD_GATEWAY)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            self.wait = max(1, math.ceil(retry_after))  # DRF's handler sends it as Retry-After
        super().__init__(f"Scalyr: {exc}")


class CannotQuery(APIException):
    status_code = status.HTTP_409_CONFLICT


# -- saved queries ------------------------------------------------------------------------------
class ScalyrSavedQuerySerializer(serializers.ModelSerializer):
    connection = serializers.CharField(source="connection.name")
    team = serializers.CharField(source="connection.team.name")
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    # plain strings, not enums: the document's enum components are named by field, shared by every vendor
    kind = serializers.CharField(help_text="explorer (a log view) or chart.")
    threshold_direction = serializers.CharField(help_text="Charts: above, below, or empty without a threshold.")
    state = serializers.DictField(help_text="The page's state: filter, range or start/end, order, columns; "
                                            "charts: function, buckets.")
    values = serializers.ListField(child=serializers.FloatField(allow_null=True),
                                   help_text="Charts: the series of the last refresh, one value a bucket.")
    window_start = serializers.SerializerMethodField()
    window_end = serializers.SerializerMethodField()
    is_over = serializers.BooleanField(help_text="Charts: the latest value is past the threshold.")
    url = serializers.SerializerMethodField()
    query_url = serializers.SerializerMethodField(help_text="Where to POST its filter to run it now.")
    page_url = serializers.SerializerMethodField(help_text="The saved query's page in the console.")

    class Meta:
        model = SavedQuery
        fields = ["id", "name", "kind", "connection", "connection_id", "team", "state", "pinned", "headline",
                  "created_by", "created_at", "updated_at", "values", "window_start", "window_end", "refreshed_at",
                  "refresh_error", "latest_value", "threshold_direction", "threshold", "crossed_at", "is_over",
                  "url", "query_url", "page_url"]

    def _ms(self, value):
        return serializers.DateTimeField().to_representation(from_ms(value)) if value is not None else None

    def get_window_start(self, saved) -> str | None:
        return self._ms(saved.window_start_ms)

    def get_window_end(self, saved) -> str | None:
        return self._ms(saved.window_end_ms)

    def get_url(self, saved) -> str:
        return api_reverse("api:scalyr:saved-query-detail", args=[saved.pk], request=self.context.get("request"))

    def get_query_url(self, saved) -> str:
        return api_reverse("api:scalyr:query", args=[saved.connection_id], request=self.context.get("request"))

    def get_page_url(self, saved) -> str:
        return page_url(self, reverse("scalyr:saved-detail", args=[saved.pk]))


class ScalyrSavedQueryFilters(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SavedQuery.Kind.values, required=False, allow_blank=True)
    connection = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


@extend_schema(parameters=[
    OpenApiParameter("kind", str, enum=SavedQuery.Kind.values, description="Only log views, or only charts."),
    OpenApiParameter("connection", int, description="Only those of this Scalyr connection (its id)."),
])
class SavedQueryList(ListAPIView):
    """The saved log views and charts of the token user's teams, by name (every member reads them)."""

    serializer_class = ScalyrSavedQuerySerializer
    filter_backends: list = []

    def get_queryset(self):
        filters = ScalyrSavedQueryFilters(data=self.request.query_params)
        if not filters.is_valid():
            raise ValidationError(filters.errors)
        return selectors.saved_queries_listed(user=self.request.user, kind=filters.validated_data.get("kind", ""),
                                              connection_id=filters.validated_data.get("connection"))


class SavedQueryDetail(RetrieveAPIView):
    serializer_class = ScalyrSavedQuerySerializer

    def get_object(self):
        return selectors.saved_query_get(user=self.request.user, pk=self.kwargs["pk"])


# -- the log query ------------------------------------------------------------------------------
class ScalyrLogQuerySerializer(serializers.Serializer):
    filter = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_FILTER,
                                   help_text="Scalyr's filter language, as in the explorer; empty: every line.")
    range = serializers.CharField(required=False, max_length=20,
                                  help_text=f"A range ending now: 15m, 1h, 24h, 7d (31 days at most); "
                                            f"default {DEFAULT_RANGE}. With `end` alone, the range before it.")
    start = serializers.CharField(required=False, max_length=40,
                                  help_text="ISO 8601 (without an offset: the console's time zone) or epoch "
                                            "seconds or milliseconds.")
    end = serializers.CharField(required=False, max_length=40, help_text="As `start`; default now.")
    order = serializers.CharField(required=False, help_text="newest (default) reads the end of the range; "
                                                            "oldest its start.")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=100)
    continuation_token = serializers.CharField(required=False, max_length=4000,
                                               help_text="The previous answer's, for the next lines: send it "
                                                         "with the same filter and that answer's start and end.")


class ScalyrLogMatchSerializer(serializers.Serializer):
    timestamp = serializers.DateTimeField(source="time", allow_null=True)
    timestamp_ns = serializers.IntegerField()
    severity = serializers.IntegerField(allow_null=True, help_text="Scalyr's 0 (finest) to 6 (fatal).")
    severity_name = serializers.CharField()
    host = serializers.CharField(help_text="The serverHost.")
    logfile = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(help_text="Every other field of the event: server fields and attributes.")


class ScalyrLogQueryAnswerSerializer(serializers.Serializer):
    connection_id = serializers.IntegerField()
    filter = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    order = serializers.CharField()
    matches = ScalyrLogMatchSerializer(many=True)
    continuation_token = serializers.CharField(allow_null=True, help_text="Null when these were the last lines.")
    execution_time_ms = serializers.FloatField(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())
    explorer_url = serializers.CharField(help_text="The same lines in the console's explorer.")


class LogQuery(APIView):
    """Run a log query as the explorer does: the same filter language, time range and order, read from
    Scalyr now. It needs the explorer's query right: operators and admins, and viewers of a team whose
    admin granted it (403 otherwise).

    A POST that only reads: a read-only token may send it (no TokenScope here), as it writes nothing, to
    the console or to Scalyr. Scalyr's refusals answer in its words: 400 for the filter, 429 (with its
    Retry-After) when it asks to slow down, 502/503 when the connection cannot be used now."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ScalyrLogQuerySerializer, responses={
        200: ScalyrLogQueryAnswerSerializer,
        409: OpenApiResponse(_ERROR, description="The connection has no Read Logs token."),
        502: OpenApiResponse(_ERROR, description="Scalyr refused the connection's token, or answered "
                                                 "something unreadable: its words."),
        503: OpenApiResponse(_ERROR, description="Scalyr could not be reached, or did not answer in time."),
        429: OpenApiResponse(_ERROR, description="Too many requests with this token, or Scalyr asked to slow "
                                                 "down: the Retry-After header says when to try again."),
    })
    def post(self, request, connection_id: int):
        connection = selectors.connection_for_query(user=request.user, pk=connection_id)
        body = ScalyrLogQuerySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wanted = body.validated_data
        state = ExplorerState.from_params({key: wanted[key] for key in ("filter", "range", "start", "end", "order")
                                           if key in wanted})
        if state.errors:
            raise ValidationError({field: [message] for field, message in state.errors.items()})
        token = wanted.get("continuation_token")
        if token and state.end is None:
            raise ValidationError({"continuation_token": ["Send it with the start and end of the answer it came "
                                                          "from, so the next lines are of the same range."]})
        reason = missing_token_reason(connection, READ_LOGS)
        if reason:
            raise CannotQuery(reason)
        window = state.window()
        try:
            page = selectors.events_page(connection=connection, state=state, window=window,
                                         continuation_token=token, max_count=wanted["limit"])
        except errors.VendorError as exc:
            raise ScalyrAnswered(exc) from None
        explorer = reverse("scalyr:explorer", args=[connection.pk])
        answer = {"connection_id": connection.pk, "filter": state.filter, "start": page.start, "end": page.end,
                  "order": state.order, "matches": page.lines, "continuation_token": page.continuation_token,
                  "execution_time_ms": page.execution_time_ms, "warnings": list(page.warnings),
                  "explorer_url": request.build_absolute_uri(f"{explorer}?{state.frozen(window[1]).query()}")}
        return Response(ScalyrLogQueryAnswerSerializer(answer).data)


app_name = "scalyr"
urlpatterns = [
    path("saved-queries/", SavedQueryList.as_view(), name="saved-query-list"),
    path("saved-queries/<int:pk>/", SavedQueryDetail.as_view(), name="saved-query-detail"),
    path("<int:connection_id>/query/", LogQuery.as_view(), name="query"),
]
