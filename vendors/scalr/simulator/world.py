"""The simulated Scalr installation: environments, farms, servers... and how they change.

Both API handlers read and mutate one `World`, always under the simulator's lock. Rules
that both generations share (a locked farm cannot be launched, a server cannot be
rebooted unless running, max instances) live here and raise `WorldError`; each handler
turns it into its own wire shape.
"""

from __future__ import annotations

import random
import re
import time
import uuid

from vendors.scalr.simulator import model as m

ACTIVE_SERVER_STATUSES = ("Pending launch", "Pending", "Initializing", "Running", "Importing",
                          "Temporary", "Pending suspend", "Suspended", "Resuming")
#: ticks a server spends in a status before the next tick moves it on
STATUS_TICKS = {"Pending launch": 1, "Pending": 1, "Initializing": 2, "Pending terminate": 1,
                "Pending suspend": 1, "Resuming": 1}
TERMINATED_KEPT_TICKS = 3
MAX_EVENTS_PER_FARM = 2000
CONFIG_VARIABLE = re.compile(r"%([A-Za-z0-9_]+)%")


class WorldError(Exception):
    """A refused operation. kind: not_found, state, locked, invalid, unique, limit."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


class World:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.ticks = 0
        self._ids: dict[str, int] = {}
        self._seq = 0
        self.users: dict[int, m.User] = {}
        self.envs: dict[int, m.Environment] = {}
        self.farms: dict[int, m.Farm] = {}
        self.farm_roles: dict[int, m.FarmRole] = {}
        self.servers: dict[str, m.Server] = {}
        self.roles: dict[int, m.Role] = {}
        self.images: dict[str, m.Image] = {}
        self.scripts: dict[int, m.Script] = {}
        self.executions: dict[str, m.ScriptExecution] = {}
        self.events: dict[int, list[m.Event]] = {}
        self.logs: dict[int, list[m.LogEntry]] = {}
        self.zones: dict[str, m.DnsZone] = {}
        self.variables: list[m.GlobalVariable] = []
        self.vhosts: dict[str, m.ApacheVhost] = {}
        self.bundle_tasks: dict[int, m.BundleTask] = {}
        self.dm_sources: dict[int, m.DmSource] = {}
        self.dm_apps: dict[int, m.DmApplication] = {}
        self.deployments: dict[str, m.DeploymentTask] = {}
        self._terminated_at: dict[str, int] = {}

    # -- ids -----------------------------------------------------------------------------
    def next_id(self, kind: str, start: int = 1) -> int:
        self._ids[kind] = self._ids.get(kind, start - 1) + 1
        return self._ids[kind]

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    # -- lookups (each raises not_found with the generation-neutral message) --------------
    def env(self, env_id: int) -> m.Environment:
        if env_id not in self.envs:
            raise WorldError("not_found", f"Environment ID#{env_id} not found")
        return self.envs[env_id]

    def farm(self, env_id: int, farm_id: int) -> m.Farm:
        farm = self.farms.get(farm_id)
        if farm is None or farm.env_id != env_id:
            raise WorldError("not_found", f"Farm ID#{farm_id} not found")
        return farm

    def farm_role(self, env_id: int, farm_role_id: int) -> m.FarmRole:
        role = self.farm_roles.get(farm_role_id)
        if role is None or self.farms[role.farm_id].env_id != env_id:
            raise WorldError("not_found", f"Farm role ID#{farm_role_id} not found")
        return role

    def server(self, env_id: int, server_id: str) -> m.Server:
        server = self.servers.get(server_id)
        if server is None or server.env_id != env_id:
            raise WorldError("not_found", f"Server ID#{server_id} not found in database")
        return server

    def script(self, env_id: int, script_id: int) -> m.Script:
        script = self.scripts.get(script_id)
        if script is None or script.env_id not in (0, env_id):
            raise WorldError("not_found", f"Script ID#{script_id} not found")
        return script

    def role(self, role_id: int) -> m.Role:
        if role_id not in self.roles:
            raise WorldError("not_found", f"Role ID#{role_id} not found")
        return self.roles[role_id]

    def zone(self, env_id: int, name: str) -> m.DnsZone:
        zone = self.zones.get(name)
        if zone is None or zone.env_id != env_id:
            raise WorldError("not_found", f"DNS zone '{name}' not found in database")
        return zone

    def farms_of(self, env_id: int) -> list[m.Farm]:
        return sorted((f for f in self.farms.values() if f.env_id == env_id), key=lambda f: f.id)

    def roles_of_farm(self, farm_id: int) -> list[m.FarmRole]:
        return sorted((r for r in self.farm_roles.values() if r.farm_id == farm_id), key=lambda r: r.id)

    def servers_of(self, *, farm_id: int | None = None, farm_role_id: int | None = None,
                   env_id: int | None = None) -> list[m.Server]:
        found = [s for s in self.servers.values()
                 if (farm_id is None or s.farm_id == farm_id)
                 and (farm_role_id is None or s.farm_role_id == farm_role_id)
                 and (env_id is None or s.env_id == env_id)]
        return sorted(found, key=lambda s: (s.added, s.farm_role_id, s.index))

    def active_servers(self, farm_role_id: int) -> list[m.Server]:
        return [s for s in self.servers_of(farm_role_id=farm_role_id) if s.status in ACTIVE_SERVER_STATUSES]

    def user(self, user_id: int) -> m.User:
        return self.users.get(user_id) or m.User(user_id, f"user{user_id}@example.com")

    # -- events and logs -------------------------------------------------------------------
    def add_event(self, farm: m.Farm, type_: str, message: str, server: m.Server | None = None,
                  when: float | None = None) -> m.Event:
        event = m.Event(self.uuid(), farm.env_id, farm.id, type_, when or time.time(), message,
                        server.id if server else None, self._next_seq())
        events = self.events.setdefault(farm.id, [])
        events.append(event)
        del events[:-MAX_EVENTS_PER_FARM]
        return event

    def add_log(self, farm: m.Farm, server: m.Server | None, message: str, severity: int = 2,
                source: str = "Scalr", when: float | None = None) -> m.LogEntry:
        entry = m.LogEntry(farm.env_id, farm.id, server.id if server else "", message, severity,
                           when or time.time(), source, 1, self._next_seq())
        logs = self.logs.setdefault(farm.id, [])
        logs.append(entry)
        del logs[:-MAX_EVENTS_PER_FARM]
        return entry

    def newest_first(self, items: list) -> list:
        return sorted(items, key=lambda item: (item.timestamp, item.seq), reverse=True)

    # -- farms -----------------------------------------------------------------------------
    def _refuse_if_locked(self, farm: m.Farm) -> None:
        if farm.lock:
            raise WorldError("locked", f"Farm '{farm.name}' is locked by {self.user(farm.lock.user_id).email} "
                                       f"with comment: '{farm.lock.comment}'")

    def launch_farm(self, farm: m.Farm) -> None:
        self._refuse_if_locked(farm)
        if farm.status == m.FARM_RUNNING:
            raise WorldError("state", "Farm already running")
        if farm.status == m.FARM_TERMINATING:
            raise WorldError("state", "Farm is being terminated")
        farm.status = m.FARM_RUNNING
        self.add_event(farm, "FarmLaunched", f"Farm '{farm.name}' launched")
        for role in self.roles_of_farm(farm.id):
            for _ in range(max(0, role.min_instances - len(self.active_servers(role.id)))):
                self.new_server(role, reason="Farm launched")

    def terminate_farm(self, farm: m.Farm, *, keep_ebs: bool = False, keep_eip: bool = False,
                       keep_dns_zone: bool = False) -> None:
        self._refuse_if_locked(farm)
        if farm.status != m.FARM_RUNNING:
            raise WorldError("state", "Farm already terminated")
        self.add_event(farm, "FarmTerminated", f"Farm '{farm.name}' terminated"
                       f" (keep EBS: {int(keep_ebs)}, keep EIP: {int(keep_eip)}, keep DNS zone: {int(keep_dns_zone)})")
        active = [s for s in self.servers_of(farm_id=farm.id) if s.status in ACTIVE_SERVER_STATUSES]
        for server in active:
            self.set_status(server, "Pending terminate")
            self.add_event(farm, "BeforeHostTerminate", f"Server {server.id} is going to be terminated", server)
        farm.status = m.FARM_TERMINATING if active else m.FARM_TERMINATED
        if not keep_dns_zone:
            for zone in self.zones.values():
                if zone.farm_id == farm.id:
                    zone.status, zone.modified = "Pending update", time.time()

    def clone_farm(self, farm: m.Farm, name: str | None = None) -> m.Farm:
        if name is None:
            number = 1
            while any(f.name == f"{farm.name} (clone #{number})" for f in self.farms_of(farm.env_id)):
                number += 1
            name = f"{farm.name} (clone #{number})"
        elif any(f.name == name for f in self.farms_of(farm.env_id)):
            raise WorldError("unique", f"Farm with name '{name}' already exists")
        clone = self.add_farm(farm.env_id, name, description=farm.description, owner_id=farm.owner_id,
                              project_id=farm.project_id)
        for role in self.roles_of_farm(farm.id):
            self.add_farm_role(clone, role.role_id, role.alias, platform=role.platform, location=role.location,
                               zone=role.zone, instance_type=role.instance_type, min_instances=role.min_instances,
                               max_instances=role.max_instances, scaling_enabled=role.scaling_enabled)
        return clone

    def lock_farm(self, farm: m.Farm, user_id: int, comment: str, unlock_permission: str = "owner") -> None:
        if farm.lock:
            raise WorldError("state", f"Farm '{farm.name}' is already locked")
        farm.lock = m.Lock(comment, user_id, unlock_permission)

    def unlock_farm(self, farm: m.Farm) -> None:
        if not farm.lock:
            raise WorldError("state", f"Farm '{farm.name}' is not locked")
        farm.lock = None

    def add_farm(self, env_id: int, name: str, *, description: str = "", owner_id: int = 1,
                 project_id: str | None = None, status: int = m.FARM_TERMINATED) -> m.Farm:
        env = self.env(env_id)
        farm = m.Farm(self.next_id("farm"), env_id, name, description, owner_id,
                      project_id or env.project_id, status)
        self.farms[farm.id] = farm
        return farm

    def add_farm_role(self, farm: m.Farm, role_id: int, alias: str, *, platform: str = "ec2",
                      location: str = "us-east-1", zone: str = "us-east-1a", instance_type: str = "m3.medium",
                      min_instances: int = 1, max_instances: int = 2, scaling_enabled: bool = True) -> m.FarmRole:
        role = m.FarmRole(self.next_id("farm_role"), farm.id, role_id, alias, platform, location, zone,
                          instance_type, min_instances, max_instances, scaling_enabled)
        self.farm_roles[role.id] = role
        return role

    # -- what vanishes at Scalr (someone else removes it; the console must follow) -------------
    def remove_farm(self, farm: m.Farm) -> None:
        """The farm is deleted with its farm roles, servers, events and log. DNS zones outlive it (their
        farm link is cleared); its Apache vhosts and farm-scoped variables go with it."""
        for role in self.roles_of_farm(farm.id):
            self.remove_farm_role(role)
        del self.farms[farm.id]
        self.events.pop(farm.id, None)
        self.logs.pop(farm.id, None)
        for zone in self.zones.values():
            if zone.farm_id == farm.id:
                zone.farm_id, zone.farm_role_id, zone.modified = 0, 0, time.time()
        for name in [name for name, vhost in self.vhosts.items() if vhost.farm_id == farm.id]:
            del self.vhosts[name]
        self.variables = [v for v in self.variables if (v.scope, v.scope_id) != ("farm", str(farm.id))]

    def remove_farm_role(self, role: m.FarmRole) -> None:
        """The farm role is deleted and its servers with it (Scalr terminates them)."""
        for server in self.servers_of(farm_role_id=role.id):
            self._forget_server(server)
        del self.farm_roles[role.id]
        for zone in self.zones.values():
            if zone.farm_role_id == role.id:
                zone.farm_role_id, zone.modified = 0, time.time()
        for name in [name for name, vhost in self.vhosts.items() if vhost.farm_role_id == role.id]:
            del self.vhosts[name]
        self.variables = [v for v in self.variables if (v.scope, v.scope_id) != ("farmrole", str(role.id))]

    def _forget_server(self, server: m.Server) -> None:
        del self.servers[server.id]
        self._terminated_at.pop(server.id, None)
        self.variables = [v for v in self.variables if (v.scope, v.scope_id) != ("server", server.id)]

    def remove_environment(self, env_id: int) -> None:
        """The environment is deleted with everything in it (roles and images are the account's: they stay)."""
        env = self.env(env_id)
        for farm in self.farms_of(env.id):
            self.remove_farm(farm)
        self.clear_catalog("scripts", env.id)
        for kind in ("dns_zones", "vhosts", "deployments"):
            self.clear_catalog(kind, env.id)
        self.variables = [v for v in self.variables if (v.scope, v.scope_id) != ("environment", str(env.id))]
        del self.envs[env.id]

    def move_server(self, server: m.Server, role: m.FarmRole) -> None:
        """The server now belongs to another farm role of the same environment, with a free index there.

        Not a Scalr action: what a sync must survive anyway (a server id found in another farm)."""
        farm = self.farms[role.farm_id]
        if farm.env_id != server.env_id:
            raise WorldError("invalid", f"Server '{server.id}' cannot move to another environment")
        used = {s.index for s in self.active_servers(role.id) if s.id != server.id}
        server.index = next(i for i in range(1, len(used) + 2) if i not in used)
        server.farm_id, server.farm_role_id = farm.id, role.id
        server.since_tick = self.ticks

    #: catalog kind -> the world's dictionary of it (scripts, zones... are per environment)
    CATALOG_KINDS = ("roles", "images", "scripts", "dns_zones", "vhosts", "deployments")

    def clear_catalog(self, kind: str, env_id: int | None = None) -> int:
        """Empty a catalog (of one environment, or all); returns how many items went.

        Roles and images belong to the account (every environment sees them): `env_id` does not
        narrow them. Farm roles keep their role id when their role goes, as at Scalr."""
        if kind not in self.CATALOG_KINDS:
            raise WorldError("invalid", f"Unknown catalog {kind!r}: one of {', '.join(self.CATALOG_KINDS)}")

        def mine(item) -> bool:
            return env_id is None or item.env_id == env_id

        if kind == "roles":
            gone = len(self.roles)
            self.roles.clear()
        elif kind == "images":
            gone = len(self.images)
            self.images.clear()
            for role in self.roles.values():
                role.image_ids.clear()
        elif kind == "scripts":
            doomed = [i for i, script in self.scripts.items() if mine(script)]
            for script_id in doomed:
                del self.scripts[script_id]
            gone = len(doomed)
        else:
            table = {"dns_zones": self.zones, "vhosts": self.vhosts, "deployments": self.dm_sources}[kind]
            doomed = [key for key, item in table.items() if mine(item)]
            for key in doomed:
                del table[key]
            gone = len(doomed)
            if kind == "deployments":
                for app_id in [i for i, app in self.dm_apps.items() if mine(app)]:
                    del self.dm_apps[app_id]
        return gone

    # -- servers ---------------------------------------------------------------------------
    def new_server(self, role: m.FarmRole, *, status: str = "Pending launch", reason: str = "Scaling up",
                   added: float | None = None) -> m.Server:
        farm = self.farms[role.farm_id]
        used = {s.index for s in self.active_servers(role.id)}
        index = next(i for i in range(1, len(used) + 2) if i not in used)
        server = m.Server(self.uuid(), farm.env_id, farm.id, role.id, index, status, added or time.time(),
                          role.platform, role.location, role.zone, role.instance_type,
                          since_tick=self.ticks, launch_reason=reason)
        self.servers[server.id] = server
        if status not in ("Pending launch", "Pending"):
            self._provision(server)
        if status == "Running":
            server.agent_version = "5.11.12"
        self.add_log(farm, server, f"Launching new server (index {index}): {reason}", source="Scalr",
                     when=server.added)
        return server

    def _provision(self, server: m.Server) -> None:
        """Give a server what the cloud assigns when the instance exists: ids, addresses, hostname."""
        if server.private_ip:
            return
        r = self.rng
        server.private_ip = f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 254)}"
        if server.platform == "ec2":
            server.public_ip = f"54.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 254)}"
            server.cloud_server_id = f"i-{r.getrandbits(32):08x}"
            server.hostname = "ip-" + server.private_ip.replace(".", "-") + ".ec2.internal"
        else:
            server.public_ip = f"172.24.{r.randint(0, 255)}.{r.randint(2, 254)}"
            server.cloud_server_id = self.uuid()
            server.hostname = f"{self.farms[server.farm_id].name}-{server.index}".replace(" ", "-").lower()

    def set_status(self, server: m.Server, status: str) -> None:
        server.status = status
        server.since_tick = self.ticks
        if status == "Terminated":
            self._terminated_at[server.id] = self.ticks
        elif status not in ("Pending launch", "Pending"):
            self._provision(server)

    def launch_server(self, role: m.FarmRole, *, increase_max: bool = False) -> m.Server:
        farm = self.farms[role.farm_id]
        if farm.status != m.FARM_RUNNING:
            raise WorldError("state", f"Farm ID #{farm.id} is not running")
        if len(self.active_servers(role.id)) >= role.max_instances:
            if not increase_max:
                raise WorldError("limit", "Max instances limit reached. Use 'IncreaseMaxInstances' parameter "
                                          "or increase max instances settings in UI")
            role.max_instances += 1
        return self.new_server(role, reason="Manually launched using API")

    def terminate_server(self, server: m.Server, *, decrease_min: bool = False) -> None:
        if server.status in ("Importing", "Temporary", "Terminated", "Pending terminate"):
            raise WorldError("state", f"Server '{server.id}' has an unacceptable status for this "
                                      f"operation: {server.status}")
        role = self.farm_roles[server.farm_role_id]
        if decrease_min and role.min_instances > 0:
            role.min_instances -= 1
        farm = self.farms[server.farm_id]
        self.set_status(server, "Pending terminate")
        self.add_event(farm, "BeforeHostTerminate", f"Server {server.id} is going to be terminated", server)

    def reboot_server(self, server: m.Server, *, hard: bool = False) -> None:
        if server.status != "Running":
            raise WorldError("state", f"Server '{server.id}' cannot be rebooted: its status is {server.status}")
        server.is_rebooting = True
        server.since_tick = self.ticks
        farm = self.farms[server.farm_id]
        self.add_event(farm, "RebootBegin", f"{'Hard' if hard else 'Soft'} reboot of server {server.id}", server)

    def suspend_server(self, server: m.Server) -> None:
        if server.status != "Running":
            raise WorldError("state", f"Only running servers can be suspended, server '{server.id}' "
                                      f"is {server.status}")
        self.set_status(server, "Pending suspend")

    def resume_server(self, server: m.Server) -> None:
        if server.status != "Suspended":
            raise WorldError("state", f"Only suspended servers can be resumed, server '{server.id}' "
                                      f"is {server.status}")
        self.set_status(server, "Resuming")

    def fail_server(self, server: m.Server, reason: str = "Server failed to initialize") -> None:
        farm = self.farms[server.farm_id]
        server.is_init_failed = True
        self.set_status(server, "Terminated")
        self.add_event(farm, "HostDown", f"Server {server.id} is down: {reason}", server)
        self.add_log(farm, server, reason, severity=4, source="Scalr")

    # -- scripts ---------------------------------------------------------------------------
    def script_version(self, script: m.Script, version: int | None) -> m.ScriptVersion:
        if version is None:
            return script.latest
        for candidate in script.versions:
            if candidate.version == version:
                return candidate
        raise WorldError("not_found", f"Revision {version} of script ID#{script.id} not found")

    def execute_script(self, script: m.Script, version: m.ScriptVersion, servers: list[m.Server], *,
                       blocking: bool, timeout: int, variables: dict[str, str] | None = None
                       ) -> list[m.ScriptExecution]:
        started = []
        for server in servers:
            execution = m.ScriptExecution(self.uuid(), server.env_id, script.id, version.version, server.id,
                                          blocking, timeout, time.time())
            self.executions[execution.id] = execution
            started.append(execution)
            farm = self.farms[server.farm_id]
            shown = ", ".join(f"{k}={v}" for k, v in sorted((variables or {}).items()))
            self.add_log(farm, server, f"Executing script '{script.name}' (revision {version.version})"
                                       + (f" with {shown}" if shown else ""), source="ScriptExecution")
        return started

    # -- global variables ------------------------------------------------------------------
    def variable_chain(self, scope: str, scope_id: str, env_id: int) -> list[tuple[str, str]]:
        """The scopes a target inherits from, highest first (environment ... server)."""
        chain = [("environment", str(env_id))]
        if scope == "environment":
            return chain
        if scope == "role":
            return chain + [("role", scope_id)]
        if scope == "farm":
            return chain + [("farm", scope_id)]
        if scope == "farmrole":
            role = self.farm_roles[int(scope_id)]
            return chain + [("role", str(role.role_id)), ("farm", str(role.farm_id)), ("farmrole", scope_id)]
        server = self.servers[scope_id]
        role = self.farm_roles[server.farm_role_id]
        return chain + [("role", str(role.role_id)), ("farm", str(server.farm_id)),
                        ("farmrole", str(role.id)), ("server", scope_id)]

    def list_variables(self, scope: str, scope_id: str, env_id: int) -> list[dict]:
        chain = self.variable_chain(scope, scope_id, env_id)
        rank = {link: position for position, link in enumerate(chain)}
        merged: dict[str, dict] = {}
        for var in sorted(self.variables, key=lambda v: rank.get((v.scope, v.scope_id), -1)):
            if (var.scope, var.scope_id) not in rank:
                continue
            entry = merged.setdefault(var.name, {"name": var.name, "declared_in": var.scope, "value": None,
                                                 "category": var.category, "description": var.description,
                                                 "hidden": var.hidden, "locked": var.locked})
            entry["computed_value"] = var.value
            entry["computed_in"] = var.scope
            if (var.scope, var.scope_id) == (scope, scope_id):
                entry["value"] = var.value
        return sorted(merged.values(), key=lambda e: e["name"])

    def set_variable(self, scope: str, scope_id: str, name: str, value: str, **attributes) -> m.GlobalVariable:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name or ""):
            raise WorldError("invalid", f"Name of the Global Variable '{name}' is invalid")
        for var in self.variables:
            if (var.scope, var.scope_id, var.name) == (scope, scope_id, name):
                var.value = value
                return var
        var = m.GlobalVariable(scope, scope_id, name, value, **attributes)
        self.variables.append(var)
        return var

    def find_variable(self, scope: str, scope_id: str, name: str) -> m.GlobalVariable | None:
        return next((v for v in self.variables if (v.scope, v.scope_id, v.name) == (scope, scope_id, name)), None)

    # -- the clock ------------------------------------------------------------------------
    def tick(self) -> None:
        self.ticks += 1
        for server in list(self.servers.values()):
            self._advance_server(server)
        for farm in self.farms.values():
            self._advance_farm(farm)
        self._advance_tasks()

    def _due(self, server: m.Server) -> bool:
        if server.stuck:
            return False
        return self.ticks - server.since_tick >= STATUS_TICKS.get(server.status, 1)

    def _advance_server(self, server: m.Server) -> None:
        farm = self.farms[server.farm_id]
        if server.status == "Terminated":
            if self.ticks - self._terminated_at.get(server.id, self.ticks) >= TERMINATED_KEPT_TICKS:
                del self.servers[server.id]
                self._terminated_at.pop(server.id, None)
            return
        if not self._due(server):
            return
        if server.is_rebooting:
            server.is_rebooting = False
            self.add_event(farm, "RebootComplete", f"Server {server.id} rebooted", server)
        nxt = {"Pending launch": "Initializing", "Pending": "Initializing", "Initializing": "Running",
               "Pending terminate": "Terminated", "Pending suspend": "Suspended", "Resuming": "Running"}
        status = nxt.get(server.status)
        if status is None:
            return
        self.set_status(server, status)
        if status == "Initializing":
            self.add_event(farm, "HostInit", f"Server {server.id} is initializing", server)
            self.add_log(farm, server, "Scalarizr started, initializing", source="Scalarizr")
        elif status == "Running":
            server.agent_version = "5.11.12"
            self.add_event(farm, "HostUp", f"Server {server.id} is up and running", server)
        elif status == "Terminated":
            self.add_event(farm, "HostDown", f"Server {server.id} terminated", server)
        elif status == "Suspended":
            self.add_event(farm, "HostDown", f"Server {server.id} suspended", server)

    def _advance_farm(self, farm: m.Farm) -> None:
        if farm.status == m.FARM_TERMINATING:
            if not any(s.status != "Terminated" for s in self.servers_of(farm_id=farm.id)):
                farm.status = m.FARM_TERMINATED
                self.add_log(farm, None, f"Farm '{farm.name}' terminated", source="Scalr")
        elif farm.status == m.FARM_RUNNING:
            for role in self.roles_of_farm(farm.id):
                if role.scaling_enabled and len(self.active_servers(role.id)) < role.min_instances:
                    self.new_server(role, reason="Scaling up: minimum instances not reached")

    def _advance_tasks(self) -> None:
        steps = ["pending", "preparing", "in-progress", "creating-role", "success"]
        for task in self.bundle_tasks.values():
            if task.status in steps[:-1]:
                task.status = steps[steps.index(task.status) + 1]
                if task.status == "success":
                    self._finish_bundle(task)
        for zone in self.zones.values():
            if zone.status in ("Pending create", "Pending update"):
                zone.status, zone.modified = "Active", time.time()
        for deployment in self.deployments.values():
            if deployment.status in ("pending", "deploying"):
                deployment.status = "deploying" if deployment.status == "pending" else "deployed"
        for execution in self.executions.values():
            if execution.status == "running":
                execution.status, execution.exit_code = "finished", 0

    def _finish_bundle(self, task: m.BundleTask) -> None:
        server = self.servers.get(task.server_id)
        if server is None:
            task.status, task.failure_reason = "failed", "Server was terminated before the image was created"
            return
        farm_role = self.farm_roles.get(server.farm_role_id)
        base = self.roles.get(farm_role.role_id) if farm_role else None
        if base is None:
            task.status = "failed"
            task.failure_reason = "The role of the server was removed before the image was created"
            return
        image = m.Image(self.uuid(), task.role_name, server.platform, server.location,
                        f"ami-{self.rng.getrandbits(32):08x}", base.architecture, base.os_id, time.time(),
                        source="BundleTask")
        self.images[image.id] = image
        role = m.Role(self.next_id("role"), task.role_name, base.os_id, base.os_family, base.os_version,
                      base.architecture, base.category_id, time.time(), image_ids=[image.id])
        self.roles[role.id] = role
