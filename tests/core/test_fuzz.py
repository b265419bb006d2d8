"""No input makes a page answer 500: every URL of the permission matrix, fuzzed (tests/harness/fuzz.py).

Each vendor fuzzes its own matrix in tests/<vendor>/test_fuzz.py (its seeded objects live in its
fixtures); this module fuzzes the project's and the core's URLs and the pages open without a login.
"""

import importlib

import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.test import Client, override_settings
from django.urls import path, reverse

from console.teams.models import Role
from tests.core.test_permissions import MATRIX, OPEN, urls  # noqa: F401 - `urls`: the matrix's objects
from tests.harness.fuzz import Fuzzer, fuzz_matrix, report
from tests.harness.threads import off_the_event_loop
from vendors.core import registry


def test_every_vendor_fuzzes_its_matrix():
    for spec in registry.vendors():
        if spec.urls:
            module = importlib.import_module(f"tests.{spec.name}.test_fuzz")
            assert module.MATRIX is importlib.import_module(f"tests.{spec.name}.test_permissions").MATRIX


def test_no_input_breaks_a_core_page(client, urls, members):  # noqa: F811
    fuzzer = fuzz_matrix(client, MATRIX, urls, user=members[Role.ADMIN])
    assert not fuzzer.failures, report(fuzzer.failures)
    assert {"team", "since", "per_page", "page"} <= fuzzer.asked[urls["audit:list"]]  # found, not listed


def test_no_input_breaks_a_page_open_without_login(client, db):
    fuzzer = Fuzzer(client)
    for name in sorted(OPEN - {"health"}):
        for method in ("get", "post"):
            fuzzer.url(reverse(name), method, {})
    assert not fuzzer.failures, report(fuzzer.failures)


def test_no_input_changes_what_health_answers(db):
    """/health/ answers 500 (503) when a check fails, whatever the input: only that status is tolerated."""
    url = reverse("health")

    def fuzz():  # an async view: kept away from an event loop another test may leave running
        client = Client()
        verdict = client.get(url, {"format": "json"}).status_code
        fuzzer = Fuzzer(client, tolerated={verdict} if verdict >= 500 else (), rollback=False)
        fuzzer.url(url, "get", {})
        return fuzzer.failures

    failures = off_the_event_loop(fuzz)
    assert not failures, report(failures)


@pytest.mark.parametrize("query", [{"since": "2024-13-45T25:61"}, {"before": "2024-13-45T25:61", "skip": "9" * 5000}])
def test_the_timeline_ignores_a_time_out_of_range_and_says_so(client, members, query):
    """Found by the fuzz: each was a 500 (parse_datetime's ValueError, int() of 5000 digits)."""
    client.force_login(members[Role.VIEWER])
    answer = client.get(reverse("overview:timeline"), query)
    assert answer.status_code == 200
    name = next(iter(query)).capitalize()
    assert f"{name} is not a date and time (2024-05-01T12:00): ignored." in answer.content.decode()


@pytest.mark.parametrize("how", ["query", "form"])
def test_a_nul_character_is_refused_before_any_view_reads_it(client, members, how):
    """PostgreSQL refuses a NUL in text: list filters, search, the timeline and callbacks were 500s there
    (tests/scalingo/test_fuzz.py shows it in a path)."""
    client.force_login(members[Role.ADMIN])
    if how == "query":
        answer = client.get(reverse("overview:search"), {"q": "disk\x00full"})
    else:
        answer = client.post(reverse("teams:detail", args=["platform"]), {"username": "a\x00b", "role": "viewer"})
    assert answer.status_code == 400
    assert answer.content.decode() == "This request carries a NUL character (\\0), which no field accepts.\n"


def test_a_user_name_longer_than_any_is_refused_by_the_login_form(client, db):
    """Django never checked the field's max_length, and django-axes then wrote the failed attempt
    into its 255-character column: a 500 on PostgreSQL."""
    from axes.models import AccessAttempt

    answer = client.post(reverse("login"), {"username": "x" * 300, "password": "wrong"})
    assert answer.status_code == 200
    assert "Please enter a correct username and password." in answer.content.decode()
    assert not AccessAttempt.objects.exists()


def _careless(request, pk):
    """A view as the fuzz must catch it: trusts its input and refuses without a word."""
    if request.GET.get("sort") == "":
        return HttpResponseBadRequest()
    return HttpResponse(f"page {int(request.GET.get('page') or 1)}")


urlpatterns = [path("careless/<int:pk>/", login_not_required(_careless), name="careless")]


@override_settings(ROOT_URLCONF=__name__)
def test_the_fuzz_finds_a_500_and_a_silent_refusal(client, db):
    fuzzer = Fuzzer(client, examples=3)
    fuzzer.url(reverse("careless", args=[1]), "get", {})
    failures = fuzzer.failures
    assert any(f.params == {"page": "abc"} and f.what.startswith("raised ValueError") for f in failures)
    assert any(f.params.get("sort") == "" and f.what == "answered 400 with no message" for f in failures)
    assert all(f.url.startswith("/careless/1/") for f in failures)  # a path parameter out of range: a 404
