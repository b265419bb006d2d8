"""The interface both Scalr clients implement, so the sync layer and the views need not care
which API generation a connection speaks (APIv2: `v2`, Query API: `v1`).

Every method takes keyword arguments only and returns records from `records`. A feature
one generation lacks raises `NotAvailable` with the reason; an action Scalr retired
(Dm*, FarmGetStats on 5.x) raises `Deprecated`.
"""

from __future__ import annotations

import abc
import threading
from collections import Counter
from collections.abc import Iterable

from vendors.core import errors
from vendors.core.http import VendorClient
from vendors.scalr.client import records as r


class NotAvailable(errors.VendorError):
    """This API generation has no such feature (e.g. farm lock on the Query API)."""

    kind = "not_available"


class Deprecated(errors.VendorError):
    """Scalr answered that the action is deprecated and no longer supported."""

    kind = "deprecated"


class ScalrClient(VendorClient, abc.ABC):
    vendor = "scalr"
    #: "v2" (APIv2) or "v1" (Query API)
    api = ""

    def __init__(self, base_url: str, key_id: str, secret_key: str, *, env_ids: Iterable[int] | None = None,
                 **http_options):
        super().__init__(base_url, secrets=[secret_key], **http_options)
        self.key_id = key_id
        self._secret = secret_key
        self.env_ids = [int(e) for e in env_ids] if env_ids else None
        #: requests sent per environment id (None: not environment-scoped), retries included
        self.request_counts: Counter = Counter()
        self._count_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.base_url} key={self.key_id}>"

    @property
    def budgeted_requests(self) -> int:
        """Requests sent so far, retries included (what `vendors.core.budget.budgeted` spends)."""
        return sum(self.request_counts.values())

    #: set by a poll: a semaphore bounding the requests in flight, whichever thread sends them
    gate: threading.Semaphore | None = None

    def _attempt(self, *args, **kwargs):
        """One attempt, within the poll's bound when it set one (held for the request only, never while
        backing off, so threads waiting on the gate never hold it)."""
        if self.gate is None:
            return super()._attempt(*args, **kwargs)
        with self.gate:
            return super()._attempt(*args, **kwargs)

    def count_request(self, env_id: int | None) -> None:
        """Count one request against its environment (polls fetch farms from several threads)."""
        with self._count_lock:
            self.request_counts[env_id] += 1

    def _not_available(self, feature: str, why: str = "") -> NotAvailable:
        name = "APIv2" if self.api == "v2" else "the Query API"
        return NotAvailable(f"{feature} is not available on {name}" + (f": {why}" if why else ""))

    # -- connection -----------------------------------------------------------------------------
    @abc.abstractmethod
    def check(self) -> None:
        """One cheap authenticated request; raises a VendorError if the connection is unusable."""

    @abc.abstractmethod
    def list_environments(self) -> list[r.Environment]:
        """Environments the key sees (restricted to `env_ids` when given)."""

    # -- inventory ------------------------------------------------------------------------------
    @abc.abstractmethod
    def list_farms(self, *, env_id: int) -> list[r.Farm]: ...

    @abc.abstractmethod
    def farm_details(self, *, env_id: int, farm_id: int, known: str | None = None) -> r.FarmDetails | r.Unchanged:
        """The farm's roles and servers, with its lock state.

        `known` is the fingerprint of the details last written: a client that can tell Scalr
        answered the same again returns `Unchanged` without reading the answer (the Query API,
        by a digest of the XML); one that cannot always reads it (APIv2: three lists).
        """

    @abc.abstractmethod
    def list_roles(self, *, env_id: int) -> list[r.Role]: ...

    @abc.abstractmethod
    def list_scripts(self, *, env_id: int) -> list[r.Script]: ...

    @abc.abstractmethod
    def script_details(self, *, env_id: int, script_id: int, show_content: bool = False,
                       revision: int | None = None) -> r.ScriptDetails: ...

    @abc.abstractmethod
    def list_events(self, *, env_id: int, farm_id: int, start: int = 0, limit: int = 20) -> r.Page:
        """One page of the farm's events, newest first."""

    @abc.abstractmethod
    def list_logs(self, *, env_id: int, farm_id: int, server_id: str | None = None, start: int = 0,
                  limit: int = 20) -> r.Page:
        """One page of the farm's system log, newest first."""

    # -- farm actions ---------------------------------------------------------------------------
    @abc.abstractmethod
    def launch_farm(self, *, env_id: int, farm_id: int) -> None: ...

    @abc.abstractmethod
    def terminate_farm(self, *, env_id: int, farm_id: int, keep_ebs: bool = False, keep_eip: bool = False,
                       keep_dns_zone: bool = False, force: bool = False) -> None:
        """keep_* are Query API options, `force` an APIv2 one; the other generation ignores them."""

    @abc.abstractmethod
    def clone_farm(self, *, env_id: int, farm_id: int, name: str | None = None) -> int:
        """Returns the new farm's id."""

    @abc.abstractmethod
    def lock_farm(self, *, env_id: int, farm_id: int, comment: str, unlock_permission: str = "owner") -> None: ...

    @abc.abstractmethod
    def unlock_farm(self, *, env_id: int, farm_id: int) -> None: ...

    # -- server actions -------------------------------------------------------------------------
    @abc.abstractmethod
    def launch_server(self, *, env_id: int, farm_role_id: int, increase_max_instances: bool = False) -> str:
        """Returns the new server's id."""

    @abc.abstractmethod
    def reboot_server(self, *, env_id: int, server_id: str, hard: bool = False) -> None: ...

    @abc.abstractmethod
    def terminate_server(self, *, env_id: int, server_id: str, decrease_min_instances: bool = False,
                         force: bool = False) -> None: ...

    @abc.abstractmethod
    def suspend_server(self, *, env_id: int, server_id: str) -> None: ...

    @abc.abstractmethod
    def resume_server(self, *, env_id: int, server_id: str) -> None: ...

    @abc.abstractmethod
    def create_image(self, *, env_id: int, server_id: str, role_name: str) -> int:
        """Starts a bundle task from a running server; returns the bundle task id."""

    @abc.abstractmethod
    def bundle_task_status(self, *, env_id: int, bundle_task_id: int) -> r.BundleTask: ...

    # -- scripts and variables ------------------------------------------------------------------
    @abc.abstractmethod
    def execute_script(self, *, env_id: int, script_id: int, farm_id: int, farm_role_id: int | None = None,
                       server_id: str | None = None, revision: int | None = None, timeout: int = 180,
                       blocking: bool = False, config_variables: dict[str, str] | None = None
                       ) -> r.ScriptExecution:
        """Runs on the running/initializing servers of the farm, farm role or one server."""

    @abc.abstractmethod
    def list_global_variables(self, *, env_id: int, farm_id: int | None = None, farm_role_id: int | None = None,
                              role_id: int | None = None, server_id: str | None = None) -> list[r.GlobalVariable]:
        """Effective values at the most specific scope given (the environment if none)."""

    @abc.abstractmethod
    def set_global_variable(self, *, env_id: int, name: str, value: str, farm_id: int | None = None,
                            farm_role_id: int | None = None, role_id: int | None = None,
                            server_id: str | None = None, private: bool = False) -> None:
        """`private` hides the value from everyone reading the variables afterwards (APIv2's `hidden`)."""

    # -- DNS, Apache, deployments, statistics ---------------------------------------------------
    @abc.abstractmethod
    def list_dns_zones(self, *, env_id: int) -> list[r.DnsZone]: ...

    @abc.abstractmethod
    def list_dns_records(self, *, env_id: int, zone_name: str) -> list[r.DnsRecord]: ...

    @abc.abstractmethod
    def create_dns_zone(self, *, env_id: int, domain_name: str, farm_id: int | None = None,
                        farm_role_id: int | None = None) -> None: ...

    @abc.abstractmethod
    def add_dns_record(self, *, env_id: int, zone_name: str, type: str, ttl: int, name: str, value: str,
                       priority: int = 0, weight: int = 0, port: int = 0) -> None: ...

    @abc.abstractmethod
    def remove_dns_record(self, *, env_id: int, zone_name: str, record_id: int) -> None: ...

    @abc.abstractmethod
    def list_apache_vhosts(self, *, env_id: int) -> list[r.ApacheVhost]: ...

    @abc.abstractmethod
    def create_apache_vhost(self, *, env_id: int, domain_name: str, farm_id: int, farm_role_id: int,
                            document_root: str, ssl: bool = False, ssl_private_key: str | None = None,
                            ssl_certificate: str | None = None) -> None:
        """`ssl_private_key`/`ssl_certificate` are PEM text; they are registered as secrets."""

    @abc.abstractmethod
    def list_dm_sources(self, *, env_id: int) -> list[r.DmSource]: ...

    @abc.abstractmethod
    def list_dm_applications(self, *, env_id: int) -> list[r.DmApplication]: ...

    @abc.abstractmethod
    def deploy_dm_application(self, *, env_id: int, application_id: int, farm_role_id: int,
                              remote_path: str) -> list[r.DeploymentTask]: ...

    @abc.abstractmethod
    def farm_stats(self, *, env_id: int, farm_id: int, month: int | None = None,
                   year: int | None = None) -> list[r.FarmStatistic]: ...

    @abc.abstractmethod
    def statistics_graph_url(self, *, env_id: int, object_type: str, object_id: str | int, watcher: str,
                             graph_type: str) -> str:
        """object_type: farm, role, server; watcher: CPU, MEM, LA, NET; graph_type: daily ... yearly."""

    # -- shared helpers -------------------------------------------------------------------------
    @staticmethod
    def variable_scope(*, farm_id=None, farm_role_id=None, role_id=None, server_id=None) -> tuple[str, object]:
        """The scope that decides, in the Query API's order: server, farm, farm role, role, environment."""
        for scope, value in (("server", server_id), ("farm", farm_id), ("farmrole", farm_role_id), ("role", role_id)):
            if value:
                return scope, value
        return "environment", None
