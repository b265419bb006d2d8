"""Requests the console never sends (its client has no method for them), for the tests that set
up the simulator through its API or hold it to Scalingo's recorded behaviour. Each goes through
the client's own request machinery (bearer, error mapping, records), as the client's methods do."""

from __future__ import annotations

from urllib.parse import quote

from tests.harness.waiting import wait_for

from vendors.scalingo.client import records, records_activity, records_resources


def send(client, method: str, path: str, *, app: str | None = None, **kwargs):
    """`path` under the regional API, or under the app's when `app` is given."""
    return client._send(method, client._app(app, path) if app else client._api(path), **kwargs)


def one(client, root: str, record, method: str, path: str, **kwargs):
    return client._one(send(client, method, path, **kwargs), root, record)


def _id(value: str) -> str:
    return quote(value, safe="")


# -- apps, containers, operations ------------------------------------------------------------------
def create_app(client, name: str, *, dry_run: bool = False) -> records.App:
    headers = {"X-Dry-Run": "true"} if dry_run else None
    return one(client, "app", records.App, "POST", "/apps", json={"app": {"name": name}}, headers=headers)


def update_app(client, app: str, **settings) -> records.App:
    return one(client, "app", records.App, "PATCH", "", app=app, json={"app": settings})


def rename_app(client, app: str, new_name: str, *, current_name: str) -> records.App:
    return one(client, "app", records.App, "POST", "/rename", app=app,
               json={"current_name": current_name, "new_name": new_name})


def delete_app(client, app: str, *, current_name: str) -> None:
    send(client, "DELETE", "", app=app, params={"current_name": current_name})


def container_sizes(client) -> list[records.ContainerSize]:
    return client._many(send(client, "GET", "/features/container_sizes"), "container_sizes", records.ContainerSize)


def finished_operation(client, location: str, *, timeout: float = 5.0) -> records.Operation:
    """The operation at `location` once it is done or failed."""
    return wait_for(lambda: (operation := client.operation_at(location)).finished and operation, timeout=timeout)


# -- events and deployments ----------------------------------------------------------------------
def every_page(read_page):
    """Every item across pages, `read_page(page)` reading one; stops when `next_page` does not
    grow (Go services clamp it to the last page instead of null)."""
    page = 1
    while True:
        result = read_page(page)
        yield from result.items
        following, total = result.pagination.next_page, result.pagination.total_pages
        if not result.items or following is None or following <= page or (total and page >= total):
            return
        page = following


def every_event(client, app: str | None = None, *, per_page: int | None = None):
    return every_page(lambda page: client.events(app, page=page, per_page=per_page))


def every_deployment(client, app: str, *, per_page: int | None = None):
    return every_page(lambda page: client.deployments(app, page=page, per_page=per_page))


def deploy(client, app: str, source_url: str, *, git_ref: str | None = None) -> records_activity.Deployment:
    spec = {"source_url": source_url, **({"git_ref": git_ref} if git_ref else {})}
    return one(client, "deployment", records_activity.Deployment, "POST", "/deployments", app=app,
               json={"deployment": spec})


def deployment(client, app: str, deployment_id: str) -> records_activity.Deployment:
    return one(client, "deployment", records_activity.Deployment, "GET", f"/deployments/{_id(deployment_id)}",
               app=app)


# -- variables, addons, domains, collaborators --------------------------------------------------------
def create_variable(client, app: str, name: str, value: str) -> records_resources.Variable:
    return one(client, "variable", records_resources.Variable, "POST", "/variables", app=app,
               json={"variable": {"name": name, "value": value}})


def update_variable(client, app: str, variable_id: str, value: str) -> records_resources.Variable:
    return one(client, "variable", records_resources.Variable, "PATCH", f"/variables/{_id(variable_id)}", app=app,
               json={"variable": {"value": value}})


def delete_variables(client, app: str, variable_ids) -> None:
    """Bulk delete; ids in the query as the recorded client sent them."""
    send(client, "DELETE", "/variables", app=app, params={"variable_ids[]": list(variable_ids)})


def addon_providers(client) -> list[records_resources.AddonProvider]:
    return client._many(send(client, "GET", "/addon_providers"), "addon_providers", records_resources.AddonProvider)


def provision_addon(client, app: str, provider_id: str, plan_id: str) -> records_resources.Addon:
    spec = {"addon_provider_id": provider_id, **({"plan_id": plan_id} if plan_id else {})}
    return one(client, "addon", records_resources.Addon, "POST", "/addons", app=app, json={"addon": spec})


def addon(client, app: str, addon_id: str) -> records_resources.Addon:
    return one(client, "addon", records_resources.Addon, "GET", f"/addons/{_id(addon_id)}", app=app)


def upgrade_addon(client, app: str, addon_id: str, plan_id: str) -> records_resources.Addon:
    return one(client, "addon", records_resources.Addon, "PATCH", f"/addons/{_id(addon_id)}", app=app,
               json={"addon": {"plan_id": plan_id}})


def delete_addon(client, app: str, addon_id: str) -> None:
    send(client, "DELETE", f"/addons/{_id(addon_id)}", app=app)


def add_domain(client, app: str, name: str, *, canonical: bool | None = None) -> records_resources.Domain:
    spec = {"name": name, **({"canonical": canonical} if canonical is not None else {})}
    return one(client, "domain", records_resources.Domain, "POST", "/domains", app=app, json={"domain": spec})


def delete_domain(client, app: str, domain_id: str) -> None:
    send(client, "DELETE", f"/domains/{_id(domain_id)}", app=app)


def invite_collaborator(client, app: str, email: str) -> records_resources.Collaborator:
    return one(client, "collaborator", records_resources.Collaborator, "POST", "/collaborators", app=app,
               json={"collaborator": {"email": email}})


def delete_collaborator(client, app: str, collaborator_id: str) -> None:
    send(client, "DELETE", f"/collaborators/{_id(collaborator_id)}", app=app)
