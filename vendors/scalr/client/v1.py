"""Scalr legacy Query API client (Action=..., XML answers, AuthVersion 3; scalr.md part B).

Every call is a signed form POST to `/api/api.php` with Version 2.3.0 and the EnvID. An
`<Error>` answer (HTTP 200) becomes a typed error carrying Scalr's message and its
TransactionID as `request_id`. Scalr limits each environment to 10,000 requests an hour
and then answers a bare 429: `request_counts` lets the poller budget, and a 429 is not
retried within the call (the limit lasts until the hour turns).
"""

from __future__ import annotations

import base64
from dataclasses import replace
from urllib.parse import parse_qs, quote_plus, urlencode
from xml.etree.ElementTree import Element

import httpx

from console import redaction
from vendors.core import errors
from vendors.scalr.client import query_xml as x
from vendors.scalr.client import records as r
from vendors.scalr.client import signing
from vendors.scalr.client.base import ScalrClient

#: every Query API action this client sends -> the method that sends it
ACTIONS = {
    "ApacheVhostCreate": "create_apache_vhost", "ApacheVhostsList": "list_apache_vhosts",
    "BundleTaskGetStatus": "bundle_task_status", "DmApplicationDeploy": "deploy_dm_application",
    "DmApplicationsList": "list_dm_applications", "DmSourcesList": "list_dm_sources",
    "DNSZoneCreate": "create_dns_zone", "DNSZoneRecordAdd": "add_dns_record",
    "DNSZoneRecordRemove": "remove_dns_record", "DNSZoneRecordsList": "list_dns_records",
    "DNSZonesList": "list_dns_zones", "EnvironmentsList": "list_environments", "EventsList": "list_events",
    "FarmClone": "clone_farm", "FarmGetDetails": "farm_details", "FarmGetStats": "farm_stats",
    "FarmLaunch": "launch_farm", "FarmsList": "list_farms", "FarmTerminate": "terminate_farm",
    "GlobalVariableSet": "set_global_variable", "GlobalVariablesList": "list_global_variables",
    "LogsList": "list_logs", "RolesList": "list_roles", "ScriptExecute": "execute_script",
    "ScriptGetDetails": "script_details", "ScriptsList": "list_scripts", "ServerImageCreate": "create_image",
    "ServerLaunch": "launch_server", "ServerReboot": "reboot_server", "ServerTerminate": "terminate_server",
    "StatisticsGetGraphURL": "statistics_graph_url",
}
#: actions that change nothing at Scalr, so a failed attempt may be sent again
READ_ACTIONS = {name for name in ACTIONS if name.endswith(("List", "GetDetails", "GetStatus", "GetStats",
                                                             "GetGraphURL"))}


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _form_value(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _naming_action(message: str, action: str, params: dict) -> str:
    """`message` about POST /api/api.php, naming the action (and the farm or server it was about)."""
    about = "".join(f" {name}={params[name]}" for name in ("FarmID", "ServerID") if params.get(name) is not None)
    return f"{message.rstrip('.')} (Action={action}{about})"


class ScalrV1Client(ScalrClient):
    """`endpoint` is the Query API path on the Scalr host (`/api/api.php`; `/` for api.scalr.net)."""

    api = "v1"
    version = "2.3.0"

    def __init__(self, base_url: str, key_id: str, secret_key: str, *, env_ids=None, endpoint: str = "/api/api.php",
                 **http_options):
        super().__init__(base_url, key_id, secret_key, env_ids=env_ids, **http_options)
        self.endpoint = endpoint

    # -- transport ------------------------------------------------------------------------------
    def prepare(self, request: httpx.Request) -> None:
        """Count the request (each attempt) against its environment; the form is signed in `call`."""
        env = request.extensions.get("scalr_env")
        if env is None:  # a form sent by hand: read its EnvID
            found = parse_qs(request.content.decode("ascii", "replace")).get("EnvID", [None])[-1]
            env = int(found) if found and found.isdigit() else None
        self.count_request(env)

    def retry_after(self, response: httpx.Response) -> float | None:
        if response.status_code == 429:
            return None
        return super().retry_after(response)

    def garbled(self, response: httpx.Response) -> str | None:
        """Every answer is one document, `<{Action}Response>…</{Action}Response>` or `<Error>…</Error>` (B6):
        one that does not close its root was cut short. Checked on the bytes: parsing waits for the caller."""
        problem = super().garbled(response)
        if problem:
            return problem
        action = response.request.extensions.get("scalr_action")
        ending = response.content.rstrip()[-64:]
        if action and not (ending.endswith(f"</{action}Response>".encode()) or ending.endswith(b"</Error>")):
            return "a truncated or malformed XML document"
        return None

    def raise_for_error(self, response: httpx.Response) -> None:
        if response.status_code == 429:
            raise errors.RateLimited("Scalr's hourly Query API request limit for this environment is reached",
                                     status=429)
        if response.status_code == 400 and not response.content:
            raise errors.InvalidRequest(f"Scalr refused Query API version {self.version}", status=400)
        error = None if response.is_success else x.error_document(response.content)
        if error:  # Scalr's own words; any other body is described by the base, never relayed
            error.status = response.status_code
            raise error
        super().raise_for_error(response)

    def call(self, action: str, env_id: int | None = None, **params) -> Element:
        """Send one action and read its answer (see `send`)."""
        return x.parse(action, self.send(action, env_id, **params))

    def send(self, action: str, env_id: int | None = None, **params) -> bytes:
        """Send one action and return the answer's body; None parameters are left out, dicts become
        `Name[key]=value`.

        AuthVersion 3 signs only Action, KeyID and TimeStamp and never expires, so the form
        can be signed once here and sent again as is by the retry loop.
        """
        timestamp = signing.utc_timestamp()
        form = {"Action": action, "Version": self.version, "AuthVersion": "3", "KeyID": self.key_id,
                "TimeStamp": timestamp,
                "Signature": signing.query_api_signature_v3(self._secret, action, self.key_id, timestamp)}
        if env_id is not None:
            form["EnvID"] = str(int(env_id))
        for name, value in params.items():
            if isinstance(value, dict):
                form.update({f"{name}[{key}]": _form_value(item) for key, item in value.items()})
            elif value is not None:
                form[name] = _form_value(value)
        # a write that may have reached Scalr (timeout, 5xx) is reported, never sent twice
        try:
            response = self.request("POST", self.endpoint, content=urlencode(form).encode("ascii"), headers=FORM,
                                    idempotent=action in READ_ACTIONS,
                                    extensions={"scalr_env": int(env_id) if env_id is not None else None,
                                                "scalr_action": action})
        except errors.VendorUnavailable as exc:  # every action is POST /api/api.php: say which one failed
            raise type(exc)(_naming_action(exc.message, action, params), status=exc.status, code=exc.code,
                            request_id=exc.request_id, details=exc.details) from exc
        return response.content

    # -- connection -----------------------------------------------------------------------------
    def check(self) -> None:
        self.call("EnvironmentsList", self.env_ids[0] if self.env_ids else None)

    def list_environments(self) -> list[r.Environment]:
        root = self.call("EnvironmentsList", self.env_ids[0] if self.env_ids else None)
        found = [r.Environment(x.number(i, "ID"), x.text(i, "Name")) for i in x.items(root, "EnvironmentSet")]
        return [e for e in found if not self.env_ids or e.id in self.env_ids]

    # -- inventory ------------------------------------------------------------------------------
    def list_farms(self, *, env_id: int) -> list[r.Farm]:
        root = self.call("FarmsList", env_id)
        return [r.Farm(id=x.number(i, "ID"), env_id=int(env_id), name=x.text(i, "Name"),
                       status=r.farm_status(x.text(i, "Status")), description=x.text(i, "Comments"))
                for i in x.items(root, "FarmSet")]

    def farm_details(self, *, env_id: int, farm_id: int, known: str | None = None) -> r.FarmDetails | r.Unchanged:
        body = self.send("FarmGetDetails", env_id, FarmID=farm_id)
        fingerprint = x.answer_fingerprint(body)
        if known is not None and fingerprint == known:
            return r.Unchanged(farm_id=int(farm_id), env_id=int(env_id), fingerprint=fingerprint)
        return replace(x.farm_details(x.parse("FarmGetDetails", body), int(env_id)), fingerprint=fingerprint)

    def list_roles(self, *, env_id: int) -> list[r.Role]:
        root = self.call("RolesList", env_id)
        return [r.Role(id=x.number(i, "ID"), name=x.text(i, "Name"), os_id=x.text(i, "OsID") or None,
                       images=tuple(r.RoleImage(x.text(img, "ID"), x.text(img, "Platform"),
                                                x.text(img, "CloudLocation")) for img in x.items(i, "ImageSet")))
                for i in x.items(root, "RoleSet")]

    def list_scripts(self, *, env_id: int) -> list[r.Script]:
        root = self.call("ScriptsList", env_id)
        return [r.Script(id=x.number(i, "ID"), name=x.text(i, "Name"), description=x.text(i, "Description"),
                         latest_revision=x.number(i, "LatestRevision")) for i in x.items(root, "ScriptSet")]

    def script_details(self, *, env_id: int, script_id: int, show_content: bool = False,
                       revision: int | None = None) -> r.ScriptDetails:
        root = self.call("ScriptGetDetails", env_id, ScriptID=script_id, ShowContent=show_content or None,
                         Revision=revision)
        revisions = tuple(r.ScriptRevision(
            revision=x.number(i, "Revision"), date=x.mysql_time(x.text(i, "Date")),
            variables=tuple(x.text(v, "Name") for v in x.items(i, "ConfigVariables")),
            content=base64.b64decode(x.text(i, "Content")).decode("utf-8", "replace") if show_content else None)
            for i in x.items(root, "ScriptRevisionSet"))
        return r.ScriptDetails(id=x.number(root, "ScriptID"),
                               revision_count=x.number(root, "RevisionsNum") or len(revisions), revisions=revisions)

    def _page(self, root: Element, set_name: str, parse) -> r.Page:
        start, limit = x.number(root, "StartFrom"), x.number(root, "RecordsLimit")
        total = x.number(root, "TotalRecords")
        found = tuple(parse(i) for i in x.items(root, set_name))
        return r.Page(items=found, start=start, limit=limit, total=total, has_more=start + len(found) < total)

    def list_events(self, *, env_id: int, farm_id: int, start: int = 0, limit: int = 20) -> r.Page:
        root = self.call("EventsList", env_id, FarmID=farm_id, StartFrom=start, RecordsLimit=limit)
        return self._page(root, "EventSet", lambda i: r.Event(
            id=x.text(i, "ID"), farm_id=int(farm_id), type=x.text(i, "Type"),
            timestamp=x.unix_time(x.text(i, "Timestamp")), message=x.text(i, "Message")))

    def list_logs(self, *, env_id: int, farm_id: int, server_id: str | None = None, start: int = 0,
                  limit: int = 20) -> r.Page:
        root = self.call("LogsList", env_id, FarmID=farm_id, ServerID=server_id, StartFrom=start, RecordsLimit=limit)
        return self._page(root, "LogSet", lambda i: r.LogEntry(
            farm_id=int(farm_id), server_id=x.text(i, "ServerID"), message=x.text(i, "Message"),
            severity=x.SEVERITIES.get(x.text(i, "Severity").strip(), x.text(i, "Severity")),
            timestamp=x.unix_time(x.text(i, "Timestamp")), source=x.text(i, "Source"),
            count=x.number(i, "Count", 1)))

    # -- farm actions ---------------------------------------------------------------------------
    def launch_farm(self, *, env_id: int, farm_id: int) -> None:
        self.call("FarmLaunch", env_id, FarmID=farm_id)

    def terminate_farm(self, *, env_id: int, farm_id: int, keep_ebs: bool = False, keep_eip: bool = False,
                       keep_dns_zone: bool = False, force: bool = False) -> None:
        self.call("FarmTerminate", env_id, FarmID=farm_id, KeepEBS=keep_ebs, KeepEIP=keep_eip,
                  KeepDNSZone=keep_dns_zone)

    def clone_farm(self, *, env_id: int, farm_id: int, name: str | None = None) -> int:
        if name is not None:
            raise self._not_available("Naming a farm clone", "FarmClone names it '<farm> (clone #n)'")
        return x.number(self.call("FarmClone", env_id, FarmID=farm_id), "FarmID")

    def lock_farm(self, *, env_id: int, farm_id: int, comment: str, unlock_permission: str = "owner") -> None:
        raise self._not_available("Farm lock")

    def unlock_farm(self, *, env_id: int, farm_id: int) -> None:
        raise self._not_available("Farm unlock")

    # -- server actions -------------------------------------------------------------------------
    def launch_server(self, *, env_id: int, farm_role_id: int, increase_max_instances: bool = False) -> str:
        root = self.call("ServerLaunch", env_id, FarmRoleID=farm_role_id,
                         IncreaseMaxInstances=increase_max_instances)
        return x.text(root, "ServerID")

    def reboot_server(self, *, env_id: int, server_id: str, hard: bool = False) -> None:
        if hard:
            raise self._not_available("Hard reboot", "ServerReboot only reboots softly")
        self.call("ServerReboot", env_id, ServerID=server_id)

    def terminate_server(self, *, env_id: int, server_id: str, decrease_min_instances: bool = False,
                         force: bool = False) -> None:
        self.call("ServerTerminate", env_id, ServerID=server_id, DecreaseMinInstancesSetting=decrease_min_instances)

    def suspend_server(self, *, env_id: int, server_id: str) -> None:
        raise self._not_available("Server suspend")

    def resume_server(self, *, env_id: int, server_id: str) -> None:
        raise self._not_available("Server resume")

    def create_image(self, *, env_id: int, server_id: str, role_name: str) -> int:
        return x.number(self.call("ServerImageCreate", env_id, ServerID=server_id, RoleName=role_name),
                        "BundleTaskID")

    def bundle_task_status(self, *, env_id: int, bundle_task_id: int) -> r.BundleTask:
        root = self.call("BundleTaskGetStatus", env_id, BundleTaskID=bundle_task_id)
        return r.BundleTask(int(bundle_task_id), x.text(root, "BundleTaskStatus"),
                            x.text(root, "FailureReason") or None)

    # -- scripts and variables ------------------------------------------------------------------
    def execute_script(self, *, env_id: int, script_id: int, farm_id: int, farm_role_id: int | None = None,
                       server_id: str | None = None, revision: int | None = None, timeout: int = 180,
                       blocking: bool = False, config_variables: dict[str, str] | None = None
                       ) -> r.ScriptExecution:
        self.call("ScriptExecute", env_id, ScriptID=script_id, Timeout=timeout, Async=not blocking, FarmID=farm_id,
                  FarmRoleID=farm_role_id, ServerID=server_id, Revision=revision,
                  ConfigVariables=config_variables or None)
        return r.ScriptExecution(())

    def list_global_variables(self, *, env_id: int, farm_id: int | None = None, farm_role_id: int | None = None,
                              role_id: int | None = None, server_id: str | None = None) -> list[r.GlobalVariable]:
        root = self.call("GlobalVariablesList", env_id, ServerID=server_id, FarmID=farm_id,
                         FarmRoleID=farm_role_id, RoleID=role_id)
        return [r.GlobalVariable(x.text(i, "Name"), x.text(i, "Value"), x.flag(i, "Private"))
                for i in x.items(root, "VariableSet")]

    def set_global_variable(self, *, env_id: int, name: str, value: str, farm_id: int | None = None,
                            farm_role_id: int | None = None, role_id: int | None = None,
                            server_id: str | None = None, private: bool = False) -> None:
        if private:
            raise self._not_available("A private global variable", "GlobalVariableSet has no private flag")
        self.call("GlobalVariableSet", env_id, ParamName=name, ParamValue=value, ServerID=server_id,
                  FarmID=farm_id, FarmRoleID=farm_role_id, RoleID=role_id)

    # -- DNS ------------------------------------------------------------------------------------
    def list_dns_zones(self, *, env_id: int) -> list[r.DnsZone]:
        return [r.DnsZone(name=x.text(i, "ZoneName"), farm_id=x.optional_id(i, "FarmID"),
                          farm_role_id=x.optional_id(i, "FarmRoleID"), status=x.text(i, "Status"),
                          modified_at=x.mysql_time(x.text(i, "LastModifiedAt")),
                          ips=tuple(x.text(ip, "IPAddress") for ip in x.items(i, "IPSet")))
                for i in x.items(self.call("DNSZonesList", env_id), "DNSZoneSet")]

    def list_dns_records(self, *, env_id: int, zone_name: str) -> list[r.DnsRecord]:
        root = self.call("DNSZoneRecordsList", env_id, ZoneName=zone_name)
        return [r.DnsRecord(id=x.number(i, "ID"), type=x.text(i, "Type"), ttl=x.number(i, "TTL"),
                            name=x.text(i, "Name"), value=x.text(i, "Value"), priority=x.number(i, "Priority"),
                            weight=x.number(i, "Weight"), port=x.number(i, "Port"), is_system=x.flag(i, "IsSystem"))
                for i in x.items(root, "ZoneRecordSet")]

    def create_dns_zone(self, *, env_id: int, domain_name: str, farm_id: int | None = None,
                        farm_role_id: int | None = None) -> None:
        self.call("DNSZoneCreate", env_id, DomainName=domain_name, FarmID=farm_id, FarmRoleID=farm_role_id)

    def add_dns_record(self, *, env_id: int, zone_name: str, type: str, ttl: int, name: str, value: str,
                       priority: int = 0, weight: int = 0, port: int = 0) -> None:
        self.call("DNSZoneRecordAdd", env_id, ZoneName=zone_name, Type=type, TTL=ttl, Name=name, Value=value,
                  Priority=priority, Weight=weight, Port=port)

    def remove_dns_record(self, *, env_id: int, zone_name: str, record_id: int) -> None:
        self.call("DNSZoneRecordRemove", env_id, ZoneName=zone_name, RecordID=record_id)

    # -- Apache virtual hosts -------------------------------------------------------------------
    def list_apache_vhosts(self, *, env_id: int) -> list[r.ApacheVhost]:
        return [r.ApacheVhost(name=x.text(i, "Name"), farm_id=x.number(i, "FarmID"),
                              farm_role_id=x.number(i, "FarmRoleID"), ssl_enabled=x.flag(i, "IsSSLEnabled"),
                              modified_at=x.mysql_time(x.text(i, "LastModifiedAt")))
                for i in x.items(self.call("ApacheVhostsList", env_id), "ApacheVhostSet")]

    def create_apache_vhost(self, *, env_id: int, domain_name: str, farm_id: int, farm_role_id: int,
                            document_root: str, ssl: bool = False, ssl_private_key: str | None = None,
                            ssl_certificate: str | None = None) -> None:
        """The key and certificate travel base64-encoded; every form of them is registered as a secret."""
        encoded = {}
        for name, pem in (("SSLPrivateKey", ssl_private_key), ("SSLCertificate", ssl_certificate)):
            if pem:
                encoded[name] = base64.b64encode(pem.encode()).decode()
                redaction.register(pem, encoded[name], quote_plus(encoded[name]))
        self.call("ApacheVhostCreate", env_id, DomainName=domain_name, FarmID=farm_id, FarmRoleID=farm_role_id,
                  DocumentRootDir=document_root, EnableSSL=ssl, **encoded)

    # -- deployments and statistics -------------------------------------------------------------
    def list_dm_sources(self, *, env_id: int) -> list[r.DmSource]:
        return [r.DmSource(x.number(i, "ID"), x.text(i, "Type"), x.text(i, "URL"), x.text(i, "AuthType"))
                for i in x.items(self.call("DmSourcesList", env_id), "SourceSet")]

    def list_dm_applications(self, *, env_id: int) -> list[r.DmApplication]:
        return [r.DmApplication(x.number(i, "ID"), x.number(i, "SourceID"), x.text(i, "Name"))
                for i in x.items(self.call("DmApplicationsList", env_id), "ApplicationSet")]

    def deploy_dm_application(self, *, env_id: int, application_id: int, farm_role_id: int,
                              remote_path: str) -> list[r.DeploymentTask]:
        root = self.call("DmApplicationDeploy", env_id, ApplicationID=application_id, FarmRoleID=farm_role_id,
                         RemotePath=remote_path)
        return [r.DeploymentTask(server_id=x.text(i, "ServerID"), task_id=x.text(i, "DeploymentTaskID") or None,
                                 farm_role_id=x.optional_id(i, "FarmRoleID"),
                                 remote_path=x.text(i, "RemotePath") or None, status=x.text(i, "Status") or None,
                                 error=x.text(i, "ErrorMessage") or None)
                for i in x.items(root, "DeploymentTasksSet")]

    def farm_stats(self, *, env_id: int, farm_id: int, month: int | None = None,
                   year: int | None = None) -> list[r.FarmStatistic]:
        date = f"{int(month):02d}-{int(year)}" if month and year else None
        root = self.call("FarmGetStats", env_id, FarmID=farm_id, Date=date)
        return [r.FarmStatistic(month=x.number(i, "Month"), year=x.number(i, "Year"),
                                hours=x.decimal(i, "Statistics/Hours"),
                                instance_type=x.text(i, "Statistics/InstanceType"),
                                location=x.text(i, "Statistics/CloudLocation"))
                for i in x.items(root, "StatisticsSet")]

    def statistics_graph_url(self, *, env_id: int, object_type: str, object_id: str | int, watcher: str,
                             graph_type: str) -> str:
        root = self.call("StatisticsGetGraphURL", env_id, ObjectType=object_type, ObjectID=object_id,
                         WatcherName=watcher, GraphType=graph_type)
        return x.text(root, "GraphURL")
