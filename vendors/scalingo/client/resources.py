"""What an app has besides its containers: variables (read live, written by actions), addons,
domains and collaborators."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from vendors.scalingo.client.base import ScalingoBase
from vendors.scalingo.client.records_resources import Addon, Collaborator, Domain, Variable


class ResourcesAPI(ScalingoBase):
    def variables(self, app: str, *, aliases: bool = True) -> list[Variable]:
        """With `aliases=False`, values like `$OTHER` come back resolved."""
        response = self._send("GET", self._app(app, "/variables"), params={"aliases": str(aliases).lower()})
        return self._many(response, "variables", Variable)

    def delete_variable(self, app: str, variable_id: str) -> None:
        self._send("DELETE", self._app(app, f"/variables/{quote(variable_id, safe='')}"))

    def set_variables(self, app: str, variables: Mapping[str, str]) -> list[Variable]:
        """Bulk create-or-update (PUT). Changing variables does not restart the app."""
        body = {"variables": [{"name": name, "value": value} for name, value in variables.items()]}
        return self._many(self._send("PUT", self._app(app, "/variables"), json=body), "variables", Variable)

    def addons(self, app: str) -> list[Addon]:
        return self._many(self._send("GET", self._app(app, "/addons")), "addons", Addon)

    def domains(self, app: str) -> list[Domain]:
        return self._many(self._send("GET", self._app(app, "/domains")), "domains", Domain)

    def collaborators(self, app: str) -> list[Collaborator]:
        """People invited on the app (the owner is not listed)."""
        return self._many(self._send("GET", self._app(app, "/collaborators")), "collaborators", Collaborator)
