"""What needs attention on the overview names the connection it was seen through, so one app
reached through two connections (two tokens, two regions) can be told apart."""

import pytest

from tests.harness.factories import AppFactory, DeploymentFactory, ScalingoConnectionFactory
from vendors.core import registry

pytestmark = pytest.mark.django_db


def test_every_scalingo_attention_item_names_its_connection(team):
    for name in ("scalingo-paris", "scalingo-secnum"):
        connection = ScalingoConnectionFactory(team=team, name=name)
        AppFactory(connection=connection, name="shop", status="crashed")
        failed = AppFactory(connection=connection, name="billing", last_deployment_id=f"dep-{name}")
        DeploymentFactory(app=failed, external_id=f"dep-{name}", status="build-error", pusher="ops")
    items = registry.get("scalingo").attention(team.__class__.objects.filter(pk=team.pk))

    assert sorted(item.title for item in items) == sorted(["shop crashed"] * 2 + [
        "Deployment of billing failed (build-error)"] * 2)
    for item in items:
        assert ("scalingo-paris" in item.detail) != ("scalingo-secnum" in item.detail), item
    assert {item.detail for item in items if item.title.startswith("Deployment")} == {
        "Scalingo app on scalingo-paris: 0123abc pushed by ops.",
        "Scalingo app on scalingo-secnum: 0123abc pushed by ops."}
