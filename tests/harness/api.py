"""The permission matrix of the API: every /api/ URL, checked for each kind of caller.

Like tests/harness/permissions.py, with bearer tokens instead of sessions:

- no token: 401 with a JSON message and `WWW-Authenticate: Bearer`;
- a token of another team's admin: 404 for a row that names an object of the team;
- a read-only token of the team's admin: 403 for a row that writes;
- viewer, operator and admin tokens (read-write): the row's `allowed` statuses from the minimum
  role up, 403 below it.

    MATRIX = ApiMatrix([ApiRow("api:scalingo:app-list"),
                        ApiRow("api:action-list", "post", Role.OPERATOR, data={...}, allowed=(202,))],
                       scope=namespace("api:scalingo"))

    @pytest.mark.parametrize(("row", "who"), MATRIX.cells())
    def test_api_permission_matrix(client, api_urls, api_tokens, row, who):
        MATRIX.check(client, row, who, urls=api_urls, tokens=api_tokens)

`api_tokens` (tests/conftest.py) maps each caller to a token of the `members` fixture's users.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pytest

from console.teams.models import Role
from tests.harness.permissions import OUTSIDER, ROLES, Matrix, all_url_names

NO_TOKEN = "no-token"
READ_TOKEN = "read-token"  # a read-only token of the team's admin
CALLERS = (NO_TOKEN, OUTSIDER, READ_TOKEN, *ROLES)


@dataclass(frozen=True)
class ApiRow:
    name: str
    method: str = "get"
    minimum: str = Role.VIEWER
    team_object: bool = False
    #: the JSON body of a write, or the query of a GET
    data: dict = field(default_factory=dict, compare=False)
    allowed: tuple[int, ...] = (200,)
    #: a POST that only reads (a log query): read tokens may send it
    reads: bool = False
    query: str = ""  # what tests/harness/fuzz.py reads of a row

    @property
    def id(self) -> str:
        return self.name if self.method == "get" else f"{self.name}[{self.method}]"

    @property
    def writes(self) -> bool:
        return self.method != "get" and not self.reads

    def callers(self) -> list[str]:
        who = [NO_TOKEN]
        if self.team_object:
            who.append(OUTSIDER)
        if self.writes:
            who.append(READ_TOKEN)
        return [*who, *ROLES]


class ApiMatrix(Matrix):
    def cells(self, visitors: Iterable[str] = CALLERS) -> list:
        wanted = set(visitors)
        return [pytest.param(row, who, id=f"{row.id}-{who}") for row in self.rows for who in row.callers()
                if who in wanted]

    def check(self, client, row: ApiRow, who: str, *, urls: dict[str, str], tokens: dict[str, str]):
        url = urls[row.name]
        headers = {} if who == NO_TOKEN else {"HTTP_AUTHORIZATION": f"Bearer {tokens[who]}"}
        if row.method == "get":
            response = client.get(url, row.data, **headers)
        else:
            response = getattr(client, row.method)(url, json.dumps(row.data), content_type="application/json",
                                                   **headers)
        status = response.status_code
        where = f"{who} {row.method.upper()} {url} answered {status}"
        assert "json" in response["Content-Type"].split(";")[0], f"{where} with {response['Content-Type']}"
        body = response.json()
        if status >= 400:
            assert isinstance(body.get("message"), str) and body["message"], f"{where} without a message: {body}"
        if who == NO_TOKEN:
            assert status == 401 and response["WWW-Authenticate"].startswith("Bearer"), where
        elif who == OUTSIDER:
            assert status == 404, f"{where}, not 404: another team's object must not be found"
        elif who == READ_TOKEN:
            assert status == 403, f"{where}, not 403: a read-only token wrote"
        elif Role.rank(who) >= Role.rank(row.minimum):
            assert status in row.allowed, f"{where}, expected {row.allowed}: {body}"
        else:
            assert status == 403, f"{where}, not 403 (the minimum is {row.minimum})"
        return response


def api_scope(*prefixes: str) -> Callable[[str], bool]:
    """URL names of the API under these namespaces, e.g. api_scope("api:scalingo")."""
    wanted = tuple(f"{prefix}:" for prefix in prefixes)
    return lambda name: name.startswith(wanted)


def api_url_names() -> set[str]:
    return {name for name in all_url_names() if name.startswith("api:")}
