"""The permission matrix over every URL: anonymous, another team's member, viewer, operator, admin.

Every URL of the project must appear in CASES (a test checks it), so a new page cannot
ship without its row.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from console.teams.models import Role
from vendors.core import registry
from vendors.core.models import ActionRun

OPEN = {"login", "health", "metrics"}
# name -> (method, minimum role for success, needs a connection/team object)
CASES = {
    "overview:home": ("get", Role.VIEWER),
    "overview:timeline": ("get", Role.VIEWER),
    "overview:search": ("get", Role.VIEWER),
    "logout": ("post", None),
    "core:connection-list": ("get", Role.VIEWER),
    "core:connection-detail": ("get", Role.VIEWER),
    "core:connection-create": ("get", Role.ADMIN),
    "core:connection-edit": ("get", Role.ADMIN),
    "core:connection-delete": ("post", Role.ADMIN),
    "core:connection-toggle": ("post", Role.ADMIN),
    "core:connection-poll": ("post", Role.ADMIN),
    "core:connection-test": ("post", Role.ADMIN),
    "teams:list": ("get", Role.VIEWER),
    "teams:detail": ("get", Role.VIEWER),
    "teams:member-role": ("post", Role.ADMIN),
    "teams:member-remove": ("post", Role.ADMIN),
    "audit:list": ("get", Role.ADMIN),
    "core:action-status": ("get", Role.VIEWER),
}
IGNORED_PREFIXES = ("admin:",)  # Django's admin site: staff only, its own permission system


def all_url_names(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from all_url_names(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name


def test_every_url_has_a_row_in_the_matrix():
    # Vendor apps keep their own matrices (tests/<vendor>/test_permissions.py).
    vendor_prefixes = tuple(f"{spec.name}:" for spec in registry.vendors())
    names = {n for n in all_url_names() if not n.startswith(IGNORED_PREFIXES + vendor_prefixes)}
    missing = names - set(CASES) - OPEN
    assert not missing, f"add these URLs to the permission matrix: {sorted(missing)}"


@pytest.fixture
def urls(connection, members, team):
    viewer_membership = team.memberships.get(user=members[Role.VIEWER])
    action = ActionRun.objects.create(vendor="widgets", connection_id=connection.pk, team=team,
                                      actor=members[Role.OPERATOR], verb="widgets.poke", target_label="alpha",
                                      summary="Poke alpha")
    kwargs = {
        "core:connection-detail": {"vendor": "widgets", "pk": connection.pk},
        "core:connection-edit": {"vendor": "widgets", "pk": connection.pk},
        "core:connection-delete": {"vendor": "widgets", "pk": connection.pk},
        "core:connection-toggle": {"vendor": "widgets", "pk": connection.pk},
        "core:connection-poll": {"vendor": "widgets", "pk": connection.pk},
        "core:connection-test": {"vendor": "widgets", "pk": connection.pk},
        "core:connection-create": {"vendor": "widgets"},
        "teams:detail": {"slug": team.slug},
        "core:action-status": {"pk": action.pk},
        "teams:member-role": {"slug": team.slug, "pk": viewer_membership.pk},
        "teams:member-remove": {"slug": team.slug, "pk": viewer_membership.pk},
    }
    return {name: reverse(name, kwargs=kwargs.get(name)) for name in CASES}


POST_DATA = {"teams:member-role": {"role": "operator"}}
OBJECT_URLS = {"core:action-status", "core:connection-detail", "core:connection-edit", "core:connection-delete", "core:connection-toggle",
               "core:connection-poll", "core:connection-test", "teams:detail", "teams:member-role",
               "teams:member-remove"}


def request(client, name, url):
    method, _ = CASES[name]
    return getattr(client, method)(url, POST_DATA.get(name, {}))


@pytest.mark.parametrize("name", sorted(CASES))
def test_anonymous_is_sent_to_login(client, urls, name):
    response = request(client, name, urls[name])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_another_teams_member_gets_404(client, urls, members, name):
    client.force_login(members["outsider"])
    assert request(client, name, urls[name]).status_code == 404


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.ADMIN])
@pytest.mark.parametrize("name", sorted(set(CASES) - {"logout"}))
def test_each_role_gets_what_it_may(client, urls, members, role, name):
    client.force_login(members[role])
    _, minimum = CASES[name]
    response = request(client, name, urls[name])
    if Role.rank(role) >= Role.rank(minimum):
        assert response.status_code in (200, 302), response.status_code
    else:
        assert response.status_code == 403


def test_another_teams_connection_is_absent_from_lists(client, members, connection, other_connection):
    client.force_login(members[Role.VIEWER])
    page = client.get(reverse("core:connection-list")).content.decode()
    assert connection.name in page and other_connection.name not in page
    home = client.get(reverse("overview:home")).content.decode()
    assert other_connection.name not in home


def test_health_and_metrics_are_reachable_without_login(client, db):
    assert client.get(reverse("metrics")).status_code == 200
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:  # an async view: keep it away from a running event loop
        health = pool.submit(client.get, reverse("health"), HTTP_ACCEPT="application/json").result()
    assert health.status_code in (200, 500)  # 500 names the failing check; never a login redirect
