"""Scalr APIv2 client (REST + JSON, `X-Scalr-*` HMAC headers; scalr.md part A).

User-scope calls go to `/api/v1beta0/user/{envId}/...`, the environment list to the account
scope. Lists follow `pagination.next` until it is null, each page signed afresh.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
from urllib.parse import urlsplit

import httpx

from vendors.core import errors
from vendors.core.answers import vendor_words
from vendors.scalr.client import apiv2_json as j
from vendors.scalr.client import records as r
from vendors.scalr.client import signing
from vendors.scalr.client.base import NotAvailable, ScalrClient
from vendors.scalr.client.v2_inventory import InventoryReads, page_links

logger = logging.getLogger("vendors.scalr")
PREFIX = "/api/v1beta0"
JSON_TYPE = "application/json; charset=utf-8"
_ENV_PATH = re.compile(r"^/api/[^/]+/user/(\d+)/")
_CONFIG_VARIABLE = re.compile(r"%([A-Za-z0-9_]+)%")
ACTIVE = (r.ServerStatus.PENDING_LAUNCH, r.ServerStatus.PENDING, r.ServerStatus.INITIALIZING,
          r.ServerStatus.RUNNING, r.ServerStatus.IMPORTING, r.ServerStatus.TEMPORARY,
          r.ServerStatus.PENDING_SUSPEND, r.ServerStatus.SUSPENDED, r.ServerStatus.RESUMING)


class ScalrV2Client(InventoryReads, ScalrClient):
    """`account_id` selects the 7.x `/account/{accountId}/` form; `page_size` is maxResults (1-100)."""

    api = "v2"
    #: set by a poll: a pool that reads a listing's further pages at once (their numbers are in its links)
    pager = None

    def __init__(self, base_url: str, key_id: str, secret_key: str, *, env_ids=None, account_id: int | None = None,
                 page_size: int = 100, **http_options):
        super().__init__(base_url, key_id, secret_key, env_ids=env_ids, **http_options)
        self.account_id = account_id
        self.page_size = page_size
        self._role_names: dict[int, dict[int, str]] = {}

    # -- transport ------------------------------------------------------------------------------
    def prepare(self, request: httpx.Request) -> None:
        """Sign the request exactly as it goes out: path as sent, canonical query, raw body bytes."""
        path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
        headers = signing.apiv2_headers(self.key_id, self._secret, request.method, path,
                                        request.url.query.decode("ascii"), request.content)
        request.headers.update(headers)
        request.headers.setdefault("Content-Type", JSON_TYPE)  # scalr-ctl sends it on every request
        match = _ENV_PATH.match(path)
        self.count_request(int(match.group(1)) if match else None)

    def raise_for_error(self, response: httpx.Response) -> None:
        if response.is_success:
            return
        try:
            body = response.json()
            # the documented envelope (scalr.md A2): anything else is described by the base, never relayed
            problems = [e for e in body.get("errors") or [] if isinstance(e, dict)
                        and isinstance(e.get("message") or e.get("code"), str)]
            request_id = (body.get("meta") or {}).get("requestId")
        except (ValueError, AttributeError, TypeError, RecursionError):
            problems, request_id = [], None
        if not problems:
            super().raise_for_error(response)
            return
        code = vendor_words(problems[0].get("code") or "", 80)
        message = vendor_words("; ".join(str(p.get("message") or p.get("code")) for p in problems))
        details = {vendor_words(p.get("code"), 80): vendor_words(p.get("message")) for p in problems}
        request_id = vendor_words(request_id, 80) if isinstance(request_id, str) else None
        status = response.status_code
        kwargs = {"status": status, "code": code, "request_id": request_id, "details": details}
        if code == "LimitExceeded" and status == 403:
            raise errors.RateLimited(message, retry_after=60 - time.gmtime().tm_sec, **kwargs)
        if code == "EndpointNotFound":  # an older installation without this endpoint, not a missing object
            request = response.request
            raise NotAvailable(f"{request.method} {request.url.path} is not available on this Scalr installation: "
                               f"{message}", **kwargs)
        error_type = j.ERROR_TYPES.get(code)
        if error_type is None:
            raise self.error_for_status(status, message, **kwargs)
        raise error_type(message, **kwargs)

    def _user(self, env_id: int, rest: str) -> str:
        return f"{PREFIX}/user/{int(env_id)}{rest}"

    def _account(self, rest: str) -> str:
        return f"{PREFIX}/account/{self.account_id}{rest}" if self.account_id else f"{PREFIX}/account{rest}"

    def _envelope(self, response: httpx.Response) -> dict:
        body = self.json(response)
        if not isinstance(body, dict):
            raise errors.ProtocolError(f"Scalr answered {response.request.url.path} without an envelope")
        for warning in body.get("warnings") or []:
            logger.info("Scalr warning on %s: %s %s", response.request.url.path, warning.get("code"),
                        warning.get("message"))
        return body

    def _get(self, path: str, params: dict | None = None) -> dict:
        return self._envelope(self.request("GET", path, params=params))

    def _send(self, method: str, path: str, body: dict | None = None):
        """POST/PATCH/DELETE with a JSON body; like scalr-ctl, `{}` when there is nothing to say."""
        content = json.dumps(body or {}).encode()
        response = self.request(method, path, content=content, headers={"Content-Type": JSON_TYPE},
                                idempotent=method != "POST")
        return self._envelope(response).get("data")

    def _pages(self, links: list[str]) -> list[dict]:
        get = lambda link: self._get(link)  # noqa: E731 (links carry their query)
        return list(self.pager.map(get, links)) if self.pager is not None else [get(link) for link in links]

    def _list(self, path: str, params: dict | None = None) -> list[dict]:
        """Every item of a listing, following `pagination.next`; with a `pager`, the pages after the first
        at once (the first names the last)."""
        page = self._get(path, {**(params or {}), "maxResults": self.page_size})
        items = list(page.get("data") or [])
        links = page.get("pagination") or {}
        if self.pager is not None and links.get("next") and links.get("last"):
            rest = page_links(links["next"], links["last"])
            if rest:
                for later in self._pages(rest):
                    items += later.get("data") or []
                return items
        while (page.get("pagination") or {}).get("next"):
            link = urlsplit(page["pagination"]["next"])
            page = self._get(f"{link.path}?{link.query}" if link.query else link.path)
            items += page.get("data") or []
        return items

    # -- connection -----------------------------------------------------------------------------
    def check(self) -> None:
        if self.env_ids:
            self._get(self._user(self.env_ids[0], "/farms/"), {"maxResults": 1})
        else:
            self._get(self._account("/environments/"), {"maxResults": 1})

    def list_environments(self) -> list[r.Environment]:
        try:
            found = [r.Environment(int(e["id"]), e["name"]) for e in self._list(self._account("/environments/"))]
        except errors.VendorForbids:
            if not self.env_ids:
                raise
            # a key without account scope: the configured environments are all we can name
            return [r.Environment(env_id, f"Environment {env_id}") for env_id in self.env_ids]
        return [e for e in found if not self.env_ids or e.id in self.env_ids]

    # -- inventory ------------------------------------------------------------------------------
    def list_farms(self, *, env_id: int) -> list[r.Farm]:
        return [j.farm(env_id, f) for f in self._list(self._user(env_id, "/farms/"))]

    def role_names(self, env_id: int) -> dict[int, str]:
        """Role id -> name, for naming farm roles; none when the key may not list roles (or the Scalr
        has no such endpoint): a farm's details do not depend on them."""
        if env_id not in self._role_names:
            try:
                roles = self._list(self._user(env_id, "/roles/"))
            except (errors.VendorForbids, NotAvailable):
                roles = []
            self._role_names[env_id] = {int(x["id"]): x["name"] for x in roles}
        return self._role_names[env_id]

    def farm_details(self, *, env_id: int, farm_id: int, known: str | None = None) -> r.FarmDetails:
        farm = j.farm(env_id, self._get(self._user(env_id, f"/farms/{int(farm_id)}/"))["data"])
        listed = self._list(self._user(env_id, f"/farms/{int(farm_id)}/servers/"))
        servers = tuple(sorted((j.server(s) for s in listed), key=r.Server.order))
        roles = [j.farm_role(data, farm_id=farm_id, role_names=self.role_names(env_id), servers=servers)
                 for data in self._list(self._user(env_id, f"/farms/{int(farm_id)}/farm-roles/"))]
        return r.FarmDetails(farm_id=farm.id, env_id=env_id, name=farm.name, status=farm.status,
                             locked=bool(farm.locked), lock_comment=farm.lock_comment, locked_by=farm.locked_by,
                             roles=tuple(roles), servers=servers)

    def list_roles(self, *, env_id: int) -> list[r.Role]:
        images = self.list_images(env_id=env_id)
        return [dataclasses.replace(role, images=self.role_images(env_id=env_id, role_id=role.id, images=images))
                for role in self.list_role_records(env_id=env_id)]

    def list_scripts(self, *, env_id: int) -> list[r.Script]:
        return [dataclasses.replace(script, latest_revision=self.script_latest_revision(env_id=env_id,
                                                                                        script_id=script.id))
                for script in self.list_script_records(env_id=env_id)]

    def script_details(self, *, env_id: int, script_id: int, show_content: bool = False,
                       revision: int | None = None) -> r.ScriptDetails:
        base = self._user(env_id, f"/scripts/{int(script_id)}/script-versions/")
        versions = self._list(base)
        if revision is not None:
            versions_shown = [self._get(f"{base}{int(revision)}/")["data"]]
        else:
            versions_shown = sorted(versions, key=lambda v: int(v["version"]), reverse=True)
        return r.ScriptDetails(id=int(script_id), revision_count=len(versions), revisions=tuple(
            r.ScriptRevision(revision=int(v["version"]), date=j.parse_time(v.get("added")),
                             variables=tuple(dict.fromkeys(_CONFIG_VARIABLE.findall(v.get("body") or ""))),
                             content=v.get("body") if show_content else None) for v in versions_shown))

    def list_events(self, *, env_id: int, farm_id: int, start: int = 0, limit: int = 20) -> r.Page:
        """APIv2 pages by number: `start` must be a multiple of `limit`."""
        if limit < 1 or limit > 100 or start % limit:
            raise errors.InvalidRequest("APIv2 pages events by page number: limit must be 1-100 and start a "
                                        "multiple of limit")
        page = self._get(self._user(env_id, "/event-logs/"),
                         {"farm": int(farm_id), "maxResults": limit, "pageNum": start // limit + 1})
        items = tuple(j.event(e) for e in page.get("data") or [])
        more = bool((page.get("pagination") or {}).get("next"))
        return r.Page(items=items, start=start, limit=limit, total=None if more else start + len(items), has_more=more)

    def list_logs(self, *, env_id: int, farm_id: int, server_id: str | None = None, start: int = 0,
                  limit: int = 20) -> r.Page:
        raise self._not_available("The farm system log", "LogsList has no APIv2 endpoint")

    # -- farm actions ---------------------------------------------------------------------------
    def launch_farm(self, *, env_id: int, farm_id: int) -> None:
        self._send("POST", self._user(env_id, f"/farms/{int(farm_id)}/actions/launch/"))

    def terminate_farm(self, *, env_id: int, farm_id: int, keep_ebs: bool = False, keep_eip: bool = False,
                       keep_dns_zone: bool = False, force: bool = False) -> None:
        self._send("POST", self._user(env_id, f"/farms/{int(farm_id)}/actions/terminate/"), {"force": bool(force)})

    def clone_farm(self, *, env_id: int, farm_id: int, name: str | None = None) -> int:
        if name is None:
            name = self._get(self._user(env_id, f"/farms/{int(farm_id)}/"))["data"]["name"] + " (clone)"
        clone = self._send("POST", self._user(env_id, f"/farms/{int(farm_id)}/actions/clone/"), {"name": name})
        return int(clone["id"])

    def lock_farm(self, *, env_id: int, farm_id: int, comment: str, unlock_permission: str = "owner") -> None:
        self._send("POST", self._user(env_id, f"/farms/{int(farm_id)}/actions/lock/"),
                   {"lockComment": comment, "unlockPermission": unlock_permission})

    def unlock_farm(self, *, env_id: int, farm_id: int) -> None:
        self._send("POST", self._user(env_id, f"/farms/{int(farm_id)}/actions/unlock/"))

    # -- server actions -------------------------------------------------------------------------
    def _scaling(self, env_id: int, farm_role_id: int, **changes) -> dict:
        path = self._user(env_id, f"/farm-roles/{int(farm_role_id)}/scaling/")
        return self._send("PATCH", path, changes) if changes else self._get(path)["data"]

    def launch_server(self, *, env_id: int, farm_role_id: int, increase_max_instances: bool = False) -> str:
        """With increase_max_instances, raise the role's max first when it is reached (as the Query API does)."""
        servers_path = self._user(env_id, f"/farm-roles/{int(farm_role_id)}/servers/")
        if increase_max_instances:
            scaling = self._scaling(env_id, farm_role_id)
            active = [s for s in self._list(servers_path) if r.server_status(s.get("status")) in ACTIVE]
            if len(active) >= int(scaling.get("maxInstances") or 0):
                self._scaling(env_id, farm_role_id, maxInstances=len(active) + 1)
        return self._send("POST", servers_path)["id"]

    def _server_action(self, env_id: int, server_id: str, action: str, body: dict | None = None) -> None:
        self._send("POST", self._user(env_id, f"/servers/{server_id}/actions/{action}/"), body)

    def reboot_server(self, *, env_id: int, server_id: str, hard: bool = False) -> None:
        self._server_action(env_id, server_id, "reboot", {"hard": bool(hard)})

    def terminate_server(self, *, env_id: int, server_id: str, decrease_min_instances: bool = False,
                         force: bool = False) -> None:
        if decrease_min_instances:
            server = self._get(self._user(env_id, f"/servers/{server_id}/"))["data"]
            farm_role_id = int(j.ref_id(server.get("farmRole")))
            low = int(self._scaling(env_id, farm_role_id).get("minInstances") or 0)
            if low > 0:
                self._scaling(env_id, farm_role_id, minInstances=low - 1)
        self._server_action(env_id, server_id, "terminate", {"force": bool(force)})

    def suspend_server(self, *, env_id: int, server_id: str) -> None:
        self._server_action(env_id, server_id, "suspend")

    def resume_server(self, *, env_id: int, server_id: str) -> None:
        self._server_action(env_id, server_id, "resume")

    def create_image(self, *, env_id: int, server_id: str, role_name: str) -> int:
        raise self._not_available("Creating an image from a server", "use the Query API (ServerImageCreate)")

    def bundle_task_status(self, *, env_id: int, bundle_task_id: int) -> r.BundleTask:
        raise self._not_available("Bundle task status", "use the Query API (BundleTaskGetStatus)")

    # -- scripts and variables ------------------------------------------------------------------
    def execute_script(self, *, env_id: int, script_id: int, farm_id: int, farm_role_id: int | None = None,
                       server_id: str | None = None, revision: int | None = None, timeout: int = 180,
                       blocking: bool = False, config_variables: dict[str, str] | None = None
                       ) -> r.ScriptExecution:
        """APIv2 executes on one server per request, so a farm or farm role target fans out."""
        if config_variables:
            raise self._not_available("Script configuration variables", "APIv2 script execution takes none")
        if server_id:
            targets = [server_id]
        else:
            scope = f"/farm-roles/{int(farm_role_id)}/servers/" if farm_role_id else f"/farms/{int(farm_id)}/servers/"
            targets = [s["id"] for s in self._list(self._user(env_id, scope))
                       if r.server_status(s.get("status")) in (r.ServerStatus.RUNNING, r.ServerStatus.INITIALIZING)]
        version = f"/script-versions/{int(revision)}" if revision else ""
        path = self._user(env_id, f"/scripts/{int(script_id)}{version}/actions/execute/")
        started = [self._send("POST", path, {"server": {"id": target}, "blocking": bool(blocking),
                                             "timeout": int(timeout)})["id"] for target in targets]
        return r.ScriptExecution(tuple(started))

    def _variables_path(self, env_id: int, **scope) -> str:
        kind, value = self.variable_scope(**scope)
        parent = {"environment": "", "farm": f"/farms/{value}", "farmrole": f"/farm-roles/{value}",
                  "role": f"/roles/{value}", "server": f"/servers/{value}"}[kind]
        return self._user(env_id, f"{parent}/global-variables/")

    def list_global_variables(self, *, env_id: int, farm_id: int | None = None, farm_role_id: int | None = None,
                              role_id: int | None = None, server_id: str | None = None) -> list[r.GlobalVariable]:
        path = self._variables_path(env_id, farm_id=farm_id, farm_role_id=farm_role_id, role_id=role_id,
                                    server_id=server_id)
        return [r.GlobalVariable(name=v["name"], private=bool(v.get("hidden")),
                                 value=str(v["computedValue"] if v.get("computedValue") is not None
                                           else v.get("value") or ""))
                for v in self._list(path)]

    def set_global_variable(self, *, env_id: int, name: str, value: str, farm_id: int | None = None,
                            farm_role_id: int | None = None, role_id: int | None = None,
                            server_id: str | None = None, private: bool = False) -> None:
        """Change the value at this scope, declaring the variable there if no scope above has it. A variable
        is made private (`hidden`), never public again: an unticked box leaves the flag as it is."""
        path = self._variables_path(env_id, farm_id=farm_id, farm_role_id=farm_role_id, role_id=role_id,
                                    server_id=server_id)
        hidden = {"hidden": True} if private else {}
        try:
            self._send("PATCH", f"{path}{name}/", {"value": value, **hidden})
        except errors.NotFound:
            self._send("POST", path, {"name": name, "value": value, **hidden})

    # -- what APIv2 has no endpoint for ---------------------------------------------------------
    def list_dns_zones(self, *, env_id: int) -> list[r.DnsZone]:
        raise self._not_available("DNS zones")

    def list_dns_records(self, *, env_id: int, zone_name: str) -> list[r.DnsRecord]:
        raise self._not_available("DNS zone records")

    def create_dns_zone(self, *, env_id: int, domain_name: str, farm_id: int | None = None,
                        farm_role_id: int | None = None) -> None:
        raise self._not_available("Creating a DNS zone")

    def add_dns_record(self, *, env_id: int, zone_name: str, type: str, ttl: int, name: str, value: str,
                       priority: int = 0, weight: int = 0, port: int = 0) -> None:
        raise self._not_available("Adding a DNS record")

    def remove_dns_record(self, *, env_id: int, zone_name: str, record_id: int) -> None:
        raise self._not_available("Removing a DNS record")

    def list_apache_vhosts(self, *, env_id: int) -> list[r.ApacheVhost]:
        raise self._not_available("Apache virtual hosts")

    def create_apache_vhost(self, *, env_id: int, domain_name: str, farm_id: int, farm_role_id: int,
                            document_root: str, ssl: bool = False, ssl_private_key: str | None = None,
                            ssl_certificate: str | None = None) -> None:
        raise self._not_available("Creating an Apache virtual host")

    def list_dm_sources(self, *, env_id: int) -> list[r.DmSource]:
        raise self._not_available("Deployments (Dm sources)")

    def list_dm_applications(self, *, env_id: int) -> list[r.DmApplication]:
        raise self._not_available("Deployments (Dm applications)")

    def deploy_dm_application(self, *, env_id: int, application_id: int, farm_role_id: int,
                              remote_path: str) -> list[r.DeploymentTask]:
        raise self._not_available("Deployments (Dm deploy)")

    def farm_stats(self, *, env_id: int, farm_id: int, month: int | None = None,
                   year: int | None = None) -> list[r.FarmStatistic]:
        raise self._not_available("Farm usage statistics (FarmGetStats)")

    def statistics_graph_url(self, *, env_id: int, object_type: str, object_id: str | int, watcher: str,
                             graph_type: str) -> str:
        raise self._not_available("Monitoring graph URLs (StatisticsGetGraphURL)")
