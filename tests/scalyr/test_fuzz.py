"""No input makes a Scalyr page answer 500: every URL of the matrix, fuzzed (tests/harness/fuzz.py),
against the simulator the permission matrix reads, with the matrix's saved query and config file."""

import pytest
from django.urls import reverse

from console.teams.models import Role
from tests.harness.fuzz import fuzz_matrix, report
from tests.scalyr.test_permissions import MATRIX, saved, urls  # noqa: F401 - the matrix's fixtures


def test_no_input_breaks_a_scalyr_page(web, urls, members):  # noqa: F811
    fuzzer = fuzz_matrix(web, MATRIX, urls, user=members[Role.ADMIN])
    assert not fuzzer.failures, report(fuzzer.failures)
    assert {"start", "end", "range", "filter"} <= fuzzer.asked[urls["scalyr:explorer"]]  # found, not listed


@pytest.mark.parametrize("start", ["9" * 30, "9" * 5000, "99999-01-01T00:00", "0001-01-01T00:00"])
def test_a_start_no_datetime_holds_is_said_beside_its_input(web, members, scalyr_connection, start):
    """A huge `start` was a 500 (datetime.fromtimestamp out of range)."""
    web.force_login(members[Role.ADMIN])
    answer = web.get(reverse("scalyr:explorer", args=[scalyr_connection.pk]), {"start": start})
    assert answer.status_code == 200
    assert "Not a date and time (e.g. 2026-05-01T10:00:00Z)." in answer.content.decode()


@pytest.mark.parametrize(("name", "query", "drawn"), [
    ("scalyr:histogram", {"ws": "1", "we": "9" * 25}, '<figure id="histogram"'),
    ("scalyr:facets", {"ws": "1", "we": "9" * 25}, '<aside id="facets"'),
    ("scalyr:chart", {"saved": "9" * 5000}, '<section id="chart"'),
])
def test_a_window_or_saved_chart_out_of_range_is_ignored(web, members, scalyr_connection, name, query, drawn):
    """Found by the fuzz: each was a 500 (a datetime past year 9999, int() of 5000 digits); now the
    query's own range is drawn, as when the parameter is absent."""
    web.force_login(members[Role.ADMIN])
    answer = web.get(reverse(name, args=[scalyr_connection.pk]), query, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert drawn in page and "unavailable" not in page
