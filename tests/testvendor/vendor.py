from django.db import transaction
from django.urls import reverse

from vendors.core import registry
from vendors.core.forms import BASE_FIELDS, ConnectionForm
from vendors.core.parts import MISSING, PollParts
from tests.testvendor.client import WidgetClient
from tests.testvendor.models import Widget, WidgetConnection


class WidgetConnectionForm(ConnectionForm):
    secret_fields = {"token": "API token"}
    required_secrets = frozenset({"token"})

    class Meta:
        model = WidgetConnection
        fields = BASE_FIELDS


def client_for(connection) -> WidgetClient:
    return WidgetClient(connection.base_url, connection.secrets.get("token"), backoff_initial=0.01,
                        backoff_max=0.05, max_attempts=2)


def poll(connection, parts=None):
    """The widget list is the root; each widget's owner is a part (kept as stored when it fails)."""
    parts = parts or PollParts(connection)
    with client_for(connection) as client:
        records = client.widgets()
        owners = {record["id"]: parts.read(f"owner:{record['id']}", f"owner of widget {record['name']}",
                                           lambda record=record: client.owner(record["id"]))
                  for record in records}
    with transaction.atomic():
        seen = set()
        for record in records:
            values = {"name": record["name"], "status": record["status"]}
            if owners[record["id"]] is not MISSING:
                values["owner"] = owners[record["id"]]
            Widget.objects.update_or_create(connection=connection, external_id=record["id"], defaults=values)
            seen.add(record["id"])
        Widget.objects.filter(connection=connection).exclude(external_id__in=seen).delete()
    return [f"{len(records)} widgets"]


def check(connection) -> str:
    with client_for(connection) as client:
        return f"Authenticated as account {client.whoami()}."


def attention(teams, connection=None) -> list[registry.AttentionItem]:
    """A widget the vendor says is broken (the alerts' tests break one at the simulator)."""
    widgets = Widget.objects.filter(connection__team__in=teams, connection__enabled=True, status="broken")
    if connection is not None:
        widgets = widgets.filter(connection=connection)
    return [registry.AttentionItem(
        severity=0, vendor="widgets", title=f"Widget {widget.name} is broken", detail=f"On {widget.connection.name}.",
        url=reverse("core:connection-detail", args=["widgets", widget.connection_id]),
        key=f"widgets.broken:{widget.pk}", connection_id=widget.connection_id)
        for widget in widgets.select_related("connection").order_by("name")]


def register():
    registry.register(registry.VendorSpec(
        name="widgets", label="Widgets", connection_model=WidgetConnection, form_class=WidgetConnectionForm,
        secret_fields=WidgetConnectionForm.secret_fields, required_secrets=WidgetConnectionForm.required_secrets,
        poll=poll, check=check, attention=attention,
        summary=lambda teams: [registry.SummaryItem(
            "Widgets", Widget.objects.filter(connection__team__in=teams).count())],
    ))
