"""The query string of the alerts list (page and API), and what it makes of it.

Every parameter is taken as typed: a value the list does not know (a team or a vendor nobody has, a
severity that is none) matches no alert. Without `state` the list shows what is active (firing,
acknowledged, silenced) and what resolved in the last 24 hours.
"""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from vendors.core.alerts.models import ACTIVE_STATES, Alert, AlertState, Severity

RECENTLY = timedelta(hours=24)
STATES = ["active", *AlertState.values, "all"]


class AsTyped(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(strip=False, **kwargs)
        self.validators = []


class Typed(django_filters.CharFilter):
    field_class = AsTyped


class AlertFilter(django_filters.FilterSet):
    team = Typed(field_name="team__slug")
    vendor = Typed(field_name="vendor")
    connection = Typed(field_name="connection_name")
    severity = Typed(method="filter_severity")
    state = Typed(method="filter_state")

    class Meta:
        model = Alert
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data if data is not None else {}, queryset, **kwargs)  # bound: the default state applies

    def filter_queryset(self, queryset):
        alerts = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("state"):
            alerts = self.filter_state(alerts, "state", "")
        return alerts

    def filter_severity(self, alerts, name, value):
        severity = Severity.from_name(value)
        return alerts.none() if severity is None else alerts.filter(severity=severity)

    def filter_state(self, alerts, name, value):
        if value == "all":
            return alerts
        if value == "active":
            return alerts.filter(state__in=ACTIVE_STATES)
        if value == AlertState.RESOLVED:
            return alerts.filter(state=AlertState.RESOLVED)
        if value in AlertState.values:
            return alerts.filter(state=value)
        if value:
            return alerts.none()
        return alerts.filter(Q(state__in=ACTIVE_STATES) | Q(resolved_at__gte=timezone.now() - RECENTLY))
