"""The bulk seeder the overview bench and the query-count test use: pages render over it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from console.teams.models import Role
from tests.scalr.seeding import seed_scalr
from vendors.scalr import models

pytestmark = pytest.mark.django_db


def statements(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_pages_take_the_same_statements_at_1x_and_5x(web, members, team):
    web.force_login(members[Role.VIEWER])
    seed_scalr(teams=[team], scale=1, prefix="a")
    assert models.Farm.objects.count() == 20
    urls = [reverse("scalr:farm-list"), reverse("scalr:farm-list") + "?status=running&sort=-servers",
            reverse("scalr:server-list"), reverse("overview:home")]
    small = [statements(web, url) for url in urls]
    seed_scalr(teams=[team], scale=4, prefix="b")
    assert models.Farm.objects.count() == 100
    assert [statements(web, url) for url in urls] == small
