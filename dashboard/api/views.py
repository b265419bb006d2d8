"""The overview's cross-vendor reads through the API: what needs attention, the merged timeline."""

from __future__ import annotations

from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from console.api import page_url
from console.teams.selectors import teams_for_user
from dashboard.overview import services
from vendors.core import registry

SEVERITIES = ["critical", "warning", "notice"]


class AttentionSerializer(serializers.Serializer):
    severity = serializers.SerializerMethodField()
    title = serializers.CharField()
    detail = serializers.CharField()
    vendor = serializers.CharField()
    since = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField(help_text="The console page of the object.")

    def get_severity(self, item) -> str:
        return SEVERITIES[min(item.severity, len(SEVERITIES) - 1)]

    def get_url(self, item) -> str:
        return page_url(self, item.url)


class AttentionList(ListAPIView):
    """The overview's needs-attention list: most severe first, then the most recent."""

    serializer_class = AttentionSerializer
    filter_backends: list = []

    def get_queryset(self):
        user = self.request.user
        return services.attention_items(user=user, teams=teams_for_user(user=user))


class TimelineEntrySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    vendor = serializers.CharField(help_text="A vendor's name, or `console` for the audit log.")
    type = serializers.CharField()
    text = serializers.CharField()
    severity = serializers.CharField()
    connection = serializers.CharField()
    team = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, entry) -> str:
        return page_url(self, entry.url)


class TimelinePages(LimitOffsetPagination):
    """The timeline merges several sources: its total is not counted (`count` is null); follow `next`."""

    default_limit = 50
    max_limit = 500
    max_offset = 10_000

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit, self.offset = self.get_limit(request), self.get_offset(request)
        if self.offset > self.max_offset:  # each source reads offset + limit rows: page deeper with `before`
            raise ValidationError({"offset": [f"At most {self.max_offset}; for older entries, narrow the time with "
                                              f"`before` (the `when` of the last entry seen)."]})
        rows = view.entries(limit=self.limit + 1, skip=self.offset)
        self.more = len(rows) > self.limit
        self.count = None
        return rows[:self.limit]

    def get_paginated_response(self, data):
        return Response({"count": None, "next": self.get_next_link() if self.more else None,
                         "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"] = {"type": "integer", "nullable": True, "example": None}
        return response


@extend_schema(parameters=[
    OpenApiParameter("vendor", str, description="A vendor's name, or `console` for the audit log."),
    OpenApiParameter("team", str, description="A team's slug."),
    OpenApiParameter("connection", str, description="A connection's name."),
    OpenApiParameter("type", str, description="An event type (the timeline page lists them)."),
    OpenApiParameter("since", str, description="ISO 8601 time with offset: entries at or after it."),
    OpenApiParameter("before", str, description="ISO 8601 time with offset: entries at or before it."),
])
class TimelineList(ListAPIView):
    """Every vendor's events and the console's audit entries, newest first (the timeline page)."""

    serializer_class = TimelineEntrySerializer
    pagination_class = TimelinePages
    filter_backends: list = []

    def get_queryset(self):
        return []

    def _moment(self, name: str):
        text = self.request.query_params.get(name, "")
        if not text:
            return None
        moment = parse_datetime(text)
        if moment is None or moment.tzinfo is None:
            raise ValidationError({name: ["An ISO 8601 time with its offset, e.g. 2026-12-07T14:02:00Z."]})
        return moment

    def entries(self, *, limit: int, skip: int) -> list[registry.TimelineEntry]:
        params = self.request.query_params
        vendors = {services.CONSOLE} | {spec.name for spec in registry.vendors()}
        if params.get("vendor") and params["vendor"] not in vendors:
            raise ValidationError({"vendor": [f"One of: {', '.join(sorted(vendors))}."]})
        query = registry.TimelineQuery(
            teams=teams_for_user(user=self.request.user), vendor=params.get("vendor", ""),
            team=params.get("team", ""), connection=params.get("connection", ""),
            event_type=params.get("type", ""), since=self._moment("since"), before=self._moment("before"),
            limit=limit + skip)
        return services.timeline_merged(query)[skip:skip + limit]

