"""The permission matrix: every URL of the project, checked for each kind of visitor.

In the manner of NetBox's utilities/testing/views.py: a test module declares one row per URL
(name, method, the least role that may use it, whether it names an object of a team, what to
post, what an allowed user gets), and one parametrized test checks every cell:

- anonymous: sent to the login page (302 to `login`);
- a member (admin) of another team: 404 for a row that names an object of the team;
- viewer, operator, admin of the team: the row's `allowed` statuses from the minimum role up,
  403 below it.

    MATRIX = Matrix([Row("scalr:farm-list"), Row("scalr:farm-launch", "post", Role.OPERATOR, team_object=True)],
                    scope=namespace("scalr"), open={"scalr:callback"})

    def test_every_scalr_url_has_a_row():
        MATRIX.assert_covers_resolver()

    @pytest.mark.parametrize(("row", "who"), MATRIX.cells())
    def test_permission_matrix(web, urls, members, row, who):
        MATRIX.check(web, row, who, urls=urls, members=members)

`urls` maps each row's URL name to a reversed URL (a fixture of the module: the objects differ per
vendor); `members` is tests/conftest.py's fixture (one user per role in `team`, and "outsider",
an admin of another team). `assert_covers_resolver` fails on a URL of the matrix's scope that
has no row (or is declared open), and on a row whose URL no longer exists.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from console.teams.models import Role

ANONYMOUS = "anonymous"
OUTSIDER = "outsider"  # an admin of another team (tests/conftest.py `members`)
ROLES = (Role.VIEWER, Role.OPERATOR, Role.ADMIN)
VISITORS = (ANONYMOUS, OUTSIDER, *ROLES)


@dataclass(frozen=True)
class Row:
    """One URL (and method) of the matrix."""

    name: str
    method: str = "get"
    #: the least role that may use it; None: only anonymous visitors are checked (logout)
    minimum: str | None = Role.VIEWER
    #: names an object of a team: another team's member gets 404
    team_object: bool = False
    #: what is posted (or sent as the query of a GET)
    data: dict = field(default_factory=dict, compare=False)
    #: what a user holding the role gets
    allowed: tuple[int, ...] = (200, 302)
    #: appended to the reversed URL
    query: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}" if self.method == "get" else f"{self.name}[{self.method}]"

    def visitors(self) -> list[str]:
        who = [ANONYMOUS]
        if self.team_object:
            who.append(OUTSIDER)
        if self.minimum is not None:
            who.extend(ROLES)
        return who


def namespace(*names: str) -> Callable[[str], bool]:
    """A matrix scope: the URL names in these namespaces."""
    prefixes = tuple(f"{name}:" for name in names)
    return lambda url_name: url_name.startswith(prefixes)


def all_url_names(resolver=None, prefix: str = ""):
    """Every named URL of the project, namespaced ("scalr:farm-list")."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from all_url_names(entry, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name


class Matrix:
    """The rows of one part of the project (`scope`: which URL names it answers for)."""

    def __init__(self, rows: Iterable[Row], *, scope: Callable[[str], bool], open: Iterable[str] = ()):
        self.rows = list(rows)
        self.scope = scope
        self.open = frozenset(open)  # URLs with no login (their own permission), tested elsewhere
        ids = [row.id for row in self.rows]
        assert len(ids) == len(set(ids)), f"a row is declared twice: {sorted(i for i in ids if ids.count(i) > 1)}"

    def __iter__(self):
        return iter(self.rows)

    @property
    def names(self) -> set[str]:
        return {row.name for row in self.rows}

    def lowered(self, names: Iterable[str], minimum: str) -> Matrix:
        """The same matrix with `names` open to `minimum` (a right a team admin may grant lower)."""
        names = set(names)
        assert names <= self.names, names - self.names
        rows = [dataclasses.replace(row, minimum=minimum) if row.name in names else row for row in self.rows]
        return Matrix(rows, scope=self.scope, open=self.open)

    def assert_covers_resolver(self) -> None:
        resolved = {name for name in all_url_names() if self.scope(name)}
        undeclared = resolved - self.names - self.open
        assert not undeclared, f"add these URLs to the permission matrix: {sorted(undeclared)}"
        gone = (self.names | self.open) - resolved
        assert not gone, f"these rows name no URL any more: {sorted(gone)}"

    def cells(self, visitors: Iterable[str] = VISITORS) -> list:
        """pytest parameters (row, who) for every cell to check, with readable ids."""
        wanted = set(visitors)
        return [pytest.param(row, who, id=f"{row.id}-{who}") for row in self.rows for who in row.visitors()
                if who in wanted]

    def check(self, client, row: Row, who: str, *, urls: dict[str, str], members: dict, data: dict | None = None):
        """Request the row's URL as `who` and assert what that visitor gets; returns the response."""
        url = urls[row.name] + row.query
        if who != ANONYMOUS:
            client.force_login(members[who])
        response = getattr(client, row.method)(url, row.data if data is None else data)
        status = response.status_code
        where = f"{who} {row.method.upper()} {url} answered {status}"
        if who == ANONYMOUS:
            assert status == 302 and response["Location"].startswith(reverse("login")), \
                f"{where} (to {response.get('Location')}), not a redirect to the login page"
        elif who == OUTSIDER:
            assert status == 404, f"{where}, not 404: another team's object must not be found"
        elif Role.rank(who) >= Role.rank(row.minimum):
            assert status in row.allowed, f"{where}, expected {row.allowed}: {_excerpt(response)}"
        else:
            assert status == 403, f"{where}, not 403 (the minimum is {row.minimum})"
        return response


def _excerpt(response) -> str:
    if getattr(response, "streaming", False):
        return "(streaming)"
    return response.content[:300].decode(errors="replace")
