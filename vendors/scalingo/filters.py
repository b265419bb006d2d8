"""The query string of the apps list, and what it makes of it.

Every parameter is taken as typed (neither stripped nor refused by a validator): a value the
list does not know (a status or a region nobody has) simply matches no app, and an unknown
sort is sorted by name.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from vendors.scalingo import models

SORTS = {"name": "name", "-name": "-name", "status": "status", "-status": "-status",
         "deployed": "last_deployed_at", "-deployed": "-last_deployed_at", "connection": "connection__name"}


class AsTyped(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(strip=False, **kwargs)
        self.validators = []


class Typed(django_filters.CharFilter):
    field_class = AsTyped


class Sort(django_filters.Filter):
    """Always orders, by name when the sort is absent or unknown (pk last, so pages never overlap)."""

    field_class = AsTyped

    def filter(self, qs, value):
        return qs.order_by(SORTS.get(value, "name"), "pk")


class AppFilter(django_filters.FilterSet):
    status = Typed(method="filter_status")
    region = Typed(field_name="region")
    connection = Typed(field_name="connection__name")
    team = Typed(field_name="connection__team__slug")
    q = Typed(method="filter_search")
    sort = Sort()

    class Meta:
        model = models.App
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data if data is not None else {}, queryset, **kwargs)  # bound: the sort always applies

    def filter_status(self, apps, name, value):
        """"crashed" is an app Scalingo calls crashed, or one with a crashed container."""
        if value == models.AppStatus.CRASHED:
            return apps.filter(Q(status=models.AppStatus.CRASHED) | Q(containers_crashed__gt=0))
        return apps.filter(status=value)

    def filter_search(self, apps, name, value):
        term = value.strip()
        return apps.filter(Q(name__icontains=term) | Q(domains__icontains=term) | Q(owner__icontains=term))
