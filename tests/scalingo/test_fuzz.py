"""No input makes a Scalingo page answer 500: every URL of the matrix, fuzzed (tests/harness/fuzz.py),
against the simulator the permission matrix reads, with the matrix's seeded app."""

import pytest
from django.urls import resolve, reverse

from console.teams.models import Role
from tests.harness.fuzz import fuzz_matrix, report
from tests.scalingo.test_permissions import MATRIX, matrix_sim, urls, web  # noqa: F401 - the matrix's fixtures


def test_no_input_breaks_a_scalingo_page(web, urls, members):  # noqa: F811
    fuzzer = fuzz_matrix(web, MATRIX, urls, user=members[Role.ADMIN])
    assert not fuzzer.failures, report(fuzzer.failures)
    assert "hours" in fuzzer.asked[urls["scalingo:app-series"]] and "lines" in fuzzer.asked[urls["scalingo:app-logs"]]


@pytest.mark.parametrize("hours", ["abc", "9" * 5000, "1e309", "1.5"])
def test_hours_that_are_no_number_are_refused_with_a_message(web, urls, members, hours):  # noqa: F811
    """It was a 500 (int() of the raw parameter)."""
    web.force_login(members[Role.VIEWER])
    answer = web.get(urls["scalingo:app-series"], {"hours": hours})
    assert answer.status_code == 400
    assert answer.json() == {"series": {}, "hours": 3, "error": "Hours: a whole number from 1 to 24 (showing 3)."}


def test_hours_out_of_range_are_clamped(web, urls, members):  # noqa: F811
    web.force_login(members[Role.VIEWER])
    assert web.get(urls["scalingo:app-series"], {"hours": "-5"}).json()["hours"] == 1
    assert web.get(urls["scalingo:app-series"], {"hours": "99999999999999999999"}).json()["hours"] == 24


@pytest.mark.parametrize("lines", ["abc", "9" * 5000, "1.5"])
def test_lines_that_are_no_number_show_the_default_and_say_so(web, urls, members, lines):  # noqa: F811
    """It was a 500 (int() of the raw parameter); now the last 200 lines, and why."""
    web.force_login(members[Role.VIEWER])
    answer = web.get(urls["scalingo:app-logs"], {"lines": lines})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Lines: a whole number from 10 to 1000 (showing 200)." in page
    assert 'class="log-line"' in page  # the lines are still there


@pytest.mark.parametrize(("url", "data", "message"), [
    ("scalingo:app-variables", {"name": "1NAME", "value": "x"}, "Letters, digits and underscores, not starting"),
    ("scalingo:variables-bulk", {"text": "no equals sign"}, "Line 1 is not NAME=value."),
])
def test_a_refused_variable_without_htmx_redraws_the_app_page(web, urls, members, url, data, message):  # noqa: F811
    """Found by the fuzz: without htmx the whole page was drawn without its team, a 500."""
    web.force_login(members[Role.ADMIN])
    answer = web.post(urls[url], data)
    assert answer.status_code == 422
    page = answer.content.decode()
    assert message in page and 'aria-current="page"' in page  # the page, its navigation, the refusal


def test_a_nul_character_in_a_path_is_refused(web, urls, members):  # noqa: F811
    """A deployment id is looked up as text: PostgreSQL refused the NUL with a 500."""
    web.force_login(members[Role.VIEWER])
    app = resolve(urls["scalingo:deployment-output"]).kwargs["pk"]
    answer = web.get(reverse("scalingo:deployment-output", args=[app, "deployment\x000"]))
    assert answer.status_code == 400
    assert "NUL character" in answer.content.decode()
