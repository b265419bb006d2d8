"""The API's permission matrix (tests/harness/api.py) over the console's own endpoints, and the
check that every /api/ URL of the project has a row here or in its vendor's API matrix."""

import importlib

import pytest
from django.urls import reverse

from console.teams.models import Role
from tests.harness.api import ApiMatrix, ApiRow, api_scope, api_url_names
from tests.harness.factories import ActionRunFactory, AlertFactory
from tests.testvendor.models import Widget
from vendors.core import registry

VENDOR_APIS = [spec.name for spec in registry.vendors() if spec.api_urls]
MATRIX = ApiMatrix([
    ApiRow("api:connection-list"),
    ApiRow("api:connection-detail", team_object=True),
    ApiRow("api:action-list"),
    ApiRow("api:action-list", "post", Role.OPERATOR, team_object=True, allowed=(202,)),
    ApiRow("api:action-detail", team_object=True),
    ApiRow("api:timeline"),
    ApiRow("api:attention"),
    ApiRow("api:audit", minimum=Role.ADMIN),
    ApiRow("api:schema", data={"format": "json"}),
    ApiRow("api:alert-list", data={"state": "all"}),
    ApiRow("api:alert-detail", team_object=True),
    ApiRow("api:alert-acknowledge", "post", Role.OPERATOR, team_object=True),
    ApiRow("api:alert-silence", "post", Role.OPERATOR, team_object=True, data={"duration": "4h"}),
    ApiRow("api:alert-unsilence", "post", Role.OPERATOR, team_object=True, allowed=(200, 409)),
    ApiRow("api:alert-note", "post", Role.OPERATOR, team_object=True, data={"text": "On it."}),
], scope=lambda name: name.startswith("api:") and not api_scope(*(f"api:{v}" for v in VENDOR_APIS))(name),
    open={"api:docs"})  # the docs page is for people: it signs in like every page (tests/api/test_schema.py)


def test_every_api_url_has_a_row():
    MATRIX.assert_covers_resolver()


@pytest.mark.parametrize("vendor", VENDOR_APIS)
def test_every_vendor_api_url_goes_through_a_matrix(vendor):
    matrix = importlib.import_module(f"tests.{vendor}.test_api_permissions").MATRIX
    assert all(row.name.startswith(f"api:{vendor}:") for row in matrix)
    matrix.assert_covers_resolver()


def test_no_api_url_is_left_out():
    covered = set(MATRIX.names) | set(MATRIX.open)
    for vendor in VENDOR_APIS:
        covered |= importlib.import_module(f"tests.{vendor}.test_api_permissions").MATRIX.names
    assert api_url_names() - covered == set()


@pytest.fixture
def api_urls(connection, members):
    widget = Widget.objects.create(connection=connection, external_id="w-1", name="front", status="running")
    action = ActionRunFactory(connection=connection, actor=members[Role.OPERATOR], verb="widgets.poke")
    alert = AlertFactory(connection=connection)
    kwargs = {"api:connection-detail": {"vendor": "widgets", "pk": connection.pk},
              "api:action-detail": {"pk": action.pk},
              **{name: {"pk": alert.pk} for name in ("api:alert-detail", "api:alert-acknowledge", "api:alert-silence",
                                                     "api:alert-unsilence", "api:alert-note")}}
    urls = {name: reverse(name, kwargs=kwargs.get(name)) for name in MATRIX.names}
    urls["widget"] = str(widget.pk)
    return urls


@pytest.mark.parametrize(("row", "who"), MATRIX.cells())
def test_api_permission_matrix(client, api_urls, api_tokens, row, who):
    if row.name == "api:action-list" and row.method == "post":
        row = ApiRow(row.name, row.method, row.minimum, row.team_object, allowed=row.allowed,
                     data={"verb": "widgets.restart", "target": api_urls["widget"], "params": {"reason": "stuck"}})
    MATRIX.check(client, row, who, urls=api_urls, tokens=api_tokens)
