"""The navigation highlights exactly one section on every page (issue 12, item 4)."""

import pytest

from dashboard.context_processors import _nav_current


@pytest.mark.parametrize(("path", "section"), [
    ("/", "/"),
    ("/search/", "/"),  # a page of no section belongs to the overview
    ("/timeline/", "/timeline/"),
    ("/connections/scalyr/1/", "/connections/"),  # not Logs, although the path names scalyr
    ("/connections/new/scalr/", "/connections/"),
    ("/scalr/farms/3/", "/scalr/farms/"),
    ("/scalr/servers/21/", "/scalr/farms/"),  # a vendor's other pages count as its first section
    ("/scalr/scripts/3/execute/", "/scalr/scripts/"),
    ("/scalingo/apps/5/", "/scalingo/apps/"),
    ("/scalyr/1/files/", "/scalyr/"),
    ("/teams/platform/", "/teams/"),
    ("/audit/", "/audit/"),
    ("/account/tokens/", "/account/tokens/"),
    ("/incidents/", "/timeline/"),  # a window of the timeline
])
def test_a_page_belongs_to_one_section(path, section):
    assert _nav_current(path) == section
