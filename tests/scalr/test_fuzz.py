"""No input makes a Scalr page answer 500: every URL of the matrix, fuzzed (tests/harness/fuzz.py),
against the demo simulator the permission matrix polls, with the matrix's farms, servers and zone;
and the callback Scalr calls without a login."""

from django.urls import resolve, reverse

from console.teams.models import Role
from tests.harness.fuzz import Fuzzer, fuzz_matrix, report
from tests.scalr.test_permissions import MATRIX, urls  # noqa: F401 - the matrix's fixture


def test_no_input_breaks_a_scalr_page(web, urls, members):  # noqa: F811
    fuzzer = fuzz_matrix(web, MATRIX, urls, user=members[Role.ADMIN])
    assert not fuzzer.failures, report(fuzzer.failures)
    assert {"environment", "status", "sort"} <= fuzzer.asked[urls["scalr:farm-list"]]  # found, not listed


def test_no_input_breaks_the_callback(web, urls, team):  # noqa: F811
    connection = resolve(urls["scalr:connection"]).kwargs["pk"]
    url = reverse("scalr:callback", args=[connection, f"token-v1-{team.slug}"])
    fuzzer = Fuzzer(web)
    fuzzer.url(url, "post", {"event": "HostUp"})
    assert not fuzzer.failures, report(fuzzer.failures)
    assert {"event", "message", "farm_id", "event_id"} <= fuzzer.asked[url]
