"""One filter class per list page: the query string a list understands, and what it makes of it.

A value a list does not understand filters nothing (an unknown status, an environment that
is not a number): the page answers as if it were not there, never with an error. `values`
is what the page shows back in its filter form.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from console.params import digits
from vendors.scalr import models

# each ends with the primary key, so a page (or an API page) never shows a row twice or skips one
FARM_SORTS = {"name": ("name", "pk"), "-name": ("-name", "-pk"), "status": ("status", "name", "pk"),
              "-status": ("-status", "name", "pk"), "environment": ("environment__name", "name", "pk"),
              "-environment": ("-environment__name", "name", "pk"), "servers": ("servers_total", "name", "pk"),
              "-servers": ("-servers_total", "name", "pk"), "connection": ("connection__name", "name", "pk"),
              "-connection": ("-connection__name", "name", "pk")}
SERVER_SORTS = {"farm": ("farm__name", "farm_role__alias", "index", "pk"),
                "-farm": ("-farm__name", "farm_role__alias", "index", "pk"),
                "status": ("status", "farm__name", "index", "pk"), "-status": ("-status", "farm__name", "index", "pk"),
                "launched": ("launched_at", "pk"), "-launched": ("-launched_at", "-pk"),
                "id": ("pk",), "-id": ("-pk",)}
#: server status filters that stand for several statuses
SERVER_STATUS_GROUPS = {"starting": ("pending_launch", "pending", "initializing", "resuming", "importing", "temporary"),
                        "stopping": ("pending_terminate", "pending_suspend")}


# -- fields: never invalid, so a bad value is simply not used -----------------------------------
class Lenient(forms.CharField):
    """Text that no validator refuses (a list filters by what it understands and ignores the rest)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = []


class Text(Lenient):
    """Text as given (stripped unless `strip=False`), cut at `clip` characters."""

    def __init__(self, *, clip: int | None = None, **kwargs):
        self.clip = clip
        super().__init__(**kwargs)

    def to_python(self, value) -> str:
        return super().to_python(value)[:self.clip]


class Digits(Lenient):
    """A number written in digits; anything else is None."""

    def __init__(self, **kwargs):
        super().__init__(strip=False, **kwargs)

    def to_python(self, value) -> int | None:
        value = super().to_python(value)
        return digits(value)


class OneOf(Lenient):
    """One of `choices`; anything else is `default`."""

    def __init__(self, *, choices, default: str = "", **kwargs):
        self.known, self.default = set(choices), default
        super().__init__(strip=False, **kwargs)

    def to_python(self, value) -> str:
        value = super().to_python(value)
        return value if value in self.known else self.default


class Given(Lenient):
    """The text as given, `default` when the parameter is absent (the server list shows it back as is)."""

    def __init__(self, *, default: str = "", **kwargs):
        self.default = default
        super().__init__(strip=False, **kwargs)

    def clean(self, value) -> str:
        return self.default if value is None else str(value)


# -- filters -------------------------------------------------------------------------------------
class Filter(django_filters.Filter):
    """Filters `field_name` by the value when there is one (0 and "" filter nothing)."""

    def filter(self, qs, value):
        return qs.filter(**{self.field_name: value}) if value else qs


class TextFilter(Filter):
    field_class = Text


class IdFilter(Filter):
    field_class = Digits


class ChoiceFilter(Filter):
    field_class = OneOf


class Search(django_filters.Filter):
    """Rows where any of `fields` holds the text (`field__lookup` pairs)."""

    field_class = Text

    def __init__(self, *fields: str, **kwargs):
        self.lookups = fields
        super().__init__(clip=200, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        match = Q()
        for lookup in self.lookups:
            match |= Q(**{lookup: value})
        return qs.filter(match)


class Sort(django_filters.Filter):
    """Orders by the columns `sorts` names for the value (the default's for an unknown one)."""

    def __init__(self, sorts: dict[str, tuple[str, ...]], *, default: str, given: bool = False):
        """`given`: the page shows back the sort as given, not as understood."""
        self.sorts, self.default = sorts, default
        self.field_class = Given if given else OneOf
        super().__init__(default=default, **({} if given else {"choices": sorts}))

    def filter(self, qs, value):
        return qs.order_by(*self.sorts.get(value, self.sorts[self.default]))


class ListFilter(django_filters.FilterSet):
    """A list's filters, bound to its query string (absent parameters take their defaults); the rows
    it is given are filtered in `.qs`."""

    #: the filters that narrow the list (the page says "no match" rather than "none yet")
    narrowing: tuple[str, ...] = ()

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data if data is not None else {}, queryset, **kwargs)

    @property
    def values(self) -> dict:
        """Each filter's value as understood, for the page to show back."""
        self.form.is_valid()
        return dict(self.form.cleaned_data)

    @property
    def filtered(self) -> bool:
        values = self.values
        return any(values[name] for name in self.narrowing)


class FarmFilter(ListFilter):
    narrowing = ("status", "environment", "connection", "team", "q")

    q = Search("name__icontains", "description__icontains", "owner__icontains", "external_id__startswith")
    status = ChoiceFilter(choices=models.FarmStatus.values)
    environment = IdFilter(field_name="environment_id")
    connection = IdFilter(field_name="connection_id")
    team = TextFilter(field_name="connection__team__slug", clip=100, strip=False)
    sort = Sort(FARM_SORTS, default="name")


class ServerStatusFilter(django_filters.Filter):
    """A server status, or a group of them ("starting", "stopping")."""

    field_class = Given

    def filter(self, qs, value):
        if value in models.ServerStatus.values:
            qs = qs.filter(status=value)
        if value in SERVER_STATUS_GROUPS:
            qs = qs.filter(status__in=SERVER_STATUS_GROUPS[value])
        return qs


class ServerEnvironmentFilter(django_filters.Filter):
    field_class = Given

    def filter(self, qs, value):
        environment = digits(value)
        return qs.filter(farm__environment_id=environment) if environment else qs


class ServerFilter(ListFilter):
    """The server list shows back what it was given (status, environment, sort), understood or not."""

    narrowing = ("status", "environment", "farm", "q")

    status = ServerStatusFilter()
    environment = ServerEnvironmentFilter()
    farm = IdFilter(field_name="farm_id")
    q = Search("external_id__icontains", "hostname__icontains", "farm__name__icontains", "public_ips__icontains",
               "private_ips__icontains")
    sort = Sort(SERVER_SORTS, default="farm", given=True)


class EnvironmentListFilter(ListFilter):
    """A list of an environment's catalog: by environment, and a search."""

    narrowing = ("environment", "q")

    environment = IdFilter(field_name="environment_id")


class ScriptFilter(EnvironmentListFilter):
    q = Search("name__icontains", "description__icontains")


class ZoneFilter(EnvironmentListFilter):
    q = Search("name__icontains")

