"""Every paged list: 25 rows by default, 50 or 100 on request, the choice kept in the URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from console.teams.models import Role
from tests.scalr.seeding import seed_scalr

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client, members, team):
    seed_scalr(teams=[team], scale=2)  # 40 farms, 800 servers
    client.force_login(members[Role.VIEWER])
    return client


def rows(response) -> int:
    assert response.status_code == 200
    return response.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr>")


def test_lists_show_25_rows_and_offer_50_and_100(viewer):
    url = reverse("scalr:farm-list")
    first = viewer.get(url)
    assert rows(first) == 25
    html = first.content.decode()
    assert "Page 1 of 2 · 40 entries" in html
    assert re.search(r'<strong aria-current="true">25</strong> <a href="\?per_page=50"', html)
    assert rows(viewer.get(url, {"per_page": "50"})) == 40
    assert rows(viewer.get(url, {"per_page": "100", "page": "1"})) == 40
    servers = viewer.get(reverse("scalr:server-list"), {"per_page": "100"})
    assert rows(servers) == 100 and re.search(r"Page 1 of \d+ · \d+ entries", servers.content.decode())


def test_the_choice_keeps_the_filters_and_leads_back_to_the_first_page(viewer):
    html = viewer.get(reverse("scalr:farm-list"), {"status": "running", "sort": "-name", "page": "2"}).content.decode()
    links = dict((size, query) for query, size in re.findall(r'<a href="\?([^"]*)" aria-label="[^"]*">(\d+)</a>', html))
    assert set(links) == {"50", "100"}
    assert parse_qs(links["50"].replace("&amp;", "&")) == {"status": ["running"], "sort": ["-name"], "per_page": ["50"]}
    # paging on keeps the chosen size
    paged = viewer.get(reverse("scalr:farm-list"), {"per_page": "25", "page": "1"}).content.decode()
    assert re.search(r'href="\?per_page=25&amp;page=2" rel="next"|href="\?per_page=25&page=2" rel="next"', paged)


@pytest.mark.parametrize("asked", ["7", "abc", "-1", "100000", "²", "9" * 5000])  # the last two: a 500 once
def test_a_size_not_offered_falls_back_to_25(viewer, asked):
    assert rows(viewer.get(reverse("scalr:farm-list"), {"per_page": asked})) == 25


def test_filter_options_are_escaped_and_the_chosen_one_selected():
    from django.template import Context, Template

    html = Template("{% load console %}{% options choices chosen %}").render(Context({
        "choices": [(1, "prod & <staging>"), (12, 'say "hi"')], "chosen": "12"}))
    assert html == ('<option value="1">prod &amp; &lt;staging&gt;</option>'
                    '<option value="12" selected>say &quot;hi&quot;</option>')
