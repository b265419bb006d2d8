"""The permission matrix over every `scalyr:` URL.

Anonymous users go to the login page; another team's member gets 404 for anything that
names an object; within the team each role gets what the issue gives it. Querying logs is
its own right: operators and admins by default, viewers only once a team admin grants it.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from console.teams.models import Role
from vendors.scalyr.models import SavedQuery, TeamQueryPolicy

from .helpers import make_client

QUERY = "query"  # operators and admins; viewers when the team grants it
# name -> (method, who may, URL kwargs builder)
CASES = {
    "scalyr:home": ("get", Role.VIEWER),
    "scalyr:policy": ("post", Role.ADMIN),
    "scalyr:explorer": ("get", QUERY),
    "scalyr:histogram": ("get", QUERY),
    "scalyr:facets": ("get", QUERY),
    "scalyr:tail": ("get", QUERY),
    "scalyr:chart": ("get", QUERY),
    "scalyr:saved-create": ("post", Role.OPERATOR),
    "scalyr:saved-open": ("get", QUERY),
    "scalyr:saved-detail": ("get", Role.VIEWER),
    "scalyr:saved-edit": ("get", Role.OPERATOR),
    "scalyr:saved-pin": ("post", Role.OPERATOR),
    "scalyr:saved-delete": ("post", Role.OPERATOR),
    "scalyr:files": ("get", Role.VIEWER),
    "scalyr:file": ("get", Role.VIEWER),
    "scalyr:file-edit": ("get", Role.ADMIN),
    "scalyr:file-delete": ("post", Role.ADMIN),
}
OPEN = {"scalyr:home"}  # names no object: nothing to hide from other teams
QUERY_STRING = {
    "scalyr:histogram": "?ws=1&we=2",
    "scalyr:facets": "?ws=1&we=2",
    "scalyr:tail": "?since=1&started=99999999999999",
    "scalyr:file": "?path=/alerts",
    "scalyr:file-edit": "?path=/alerts",
}


def post_data(name, saved):
    return {
        "scalyr:policy": {"viewers_may_query": "1"},
        "scalyr:saved-create": {"name": "errors", "kind": "explorer", "state": "filter=error"},
        "scalyr:saved-pin": {"pinned": "1"},
        "scalyr:file-delete": {"path": "/alerts", "expected_version": "1"},
    }.get(name, {})


def all_url_names(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from all_url_names(entry, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name


def test_every_scalyr_url_has_a_row():
    names = {n for n in all_url_names() if n.startswith("scalyr:")}
    assert names == set(CASES)


@pytest.fixture
def saved(scalyr_connection):
    return SavedQuery.objects.create(connection=scalyr_connection, name="5xx", kind=SavedQuery.Kind.CHART,
                                     state={"filter": "status >= 500"})


@pytest.fixture
def urls(scalyr_connection, saved, team, live_sim):
    with make_client(live_sim) as scalyr:
        scalyr.put_file("/alerts", '{"alerts": []}')
    kwargs = {name: {"pk": scalyr_connection.pk} for name in CASES}
    kwargs["scalyr:home"] = {}
    kwargs["scalyr:policy"] = {"slug": team.slug}
    for name in ("scalyr:saved-open", "scalyr:saved-detail", "scalyr:saved-edit", "scalyr:saved-pin",
                 "scalyr:saved-delete"):
        kwargs[name] = {"pk": saved.pk}
    return {name: reverse(name, kwargs=kwargs[name]) + QUERY_STRING.get(name, "") for name in CASES}


def request(web, name, url, saved=None):
    method, _ = CASES[name]
    if method == "get":
        return web.get(url)
    return web.post(url, post_data(name, saved))


def allowed(role: str, who: str, viewers_may_query: bool) -> bool:
    if who == QUERY:
        return Role.rank(role) >= Role.rank(Role.OPERATOR) or viewers_may_query
    return Role.rank(role) >= Role.rank(who)


@pytest.mark.parametrize("name", sorted(CASES))
def test_anonymous_is_sent_to_login(web, urls, name):
    response = request(web, name, urls[name])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(set(CASES) - OPEN))
def test_another_teams_admin_gets_404(web, urls, members, name):
    web.force_login(members["outsider"])
    assert request(web, name, urls[name]).status_code == 404


@pytest.mark.parametrize("viewers_may_query", [False, True], ids=["default", "viewers-granted"])
@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.ADMIN])
@pytest.mark.parametrize("name", sorted(CASES))
def test_each_role_gets_what_it_may(web, urls, members, team, role, name, viewers_may_query):
    if viewers_may_query:
        TeamQueryPolicy.objects.create(team=team, viewers_may_query=True)
    web.force_login(members[role])
    response = request(web, name, urls[name])
    if allowed(role, CASES[name][1], viewers_may_query):
        assert response.status_code in (200, 302), (response.status_code, response.content[:300])
    else:
        assert response.status_code == 403


def test_the_home_page_lists_only_the_teams_connections(web, members, scalyr_connection, other_scalyr_connection):
    web.force_login(members[Role.VIEWER])
    page = web.get(reverse("scalyr:home")).content.decode()
    assert scalyr_connection.name in page and other_scalyr_connection.name not in page
    assert "Querying logs needs the operator role" in page
