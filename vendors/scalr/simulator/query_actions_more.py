"""Query API 2.3.0 actions beyond the inventory: images and bundle tasks, DNS zones, Apache
virtual hosts, deployments (Dm*), statistics (scalr.md B7)."""

from __future__ import annotations

import base64
import binascii
import re
import time

from vendors.scalr.simulator import model as m
from vendors.scalr.simulator.query_actions import RESULT, running_servers
from vendors.scalr.simulator.query_common import Call, QueryError, action, deprecated_on_5x, mysql_time

DNS_TYPES = ("A", "MX", "CNAME", "NS", "TXT", "SRV")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$", re.I)
DM_DEPRECATED = "Deployments feature was deprecated and no longer available."


@action("ServerImageCreate", "ServerID", "RoleName")
def server_image_create(sim, call: Call) -> dict:
    world = sim.world
    server = world.server(call.env_id, call.get("ServerID"))
    if server.status != "Running":
        raise QueryError(f"Server ID#{server.id} is not running")
    if any(role.name == call.get("RoleName") for role in world.roles.values()):
        raise QueryError("Specified role name is already used by another role")
    task = m.BundleTask(world.next_id("bundle_task"), call.env_id, server.id, call.get("RoleName"))
    world.bundle_tasks[task.id] = task
    return {"BundleTaskID": task.id}


@action("BundleTaskGetStatus", "BundleTaskID")
def bundle_task_get_status(sim, call: Call) -> dict:
    task = sim.world.bundle_tasks.get(call.int("BundleTaskID"))
    if task is None or task.env_id != call.env_id:
        raise QueryError(f"BundleTask ID#{call.get('BundleTaskID')} not found")
    fields = {"BundleTaskStatus": task.status}
    if task.status == "failed":
        fields["FailureReason"] = task.failure_reason
    return fields


@action("DNSZonesList")
def dns_zones_list(sim, call: Call) -> dict:
    world = sim.world
    items = []
    for zone in sorted((z for z in world.zones.values() if z.env_id == call.env_id), key=lambda z: z.name):
        ips = []
        if zone.status == "Active":
            servers = (running_servers(world, zone.farm_role_id) if zone.farm_role_id
                       else [s for s in world.servers_of(farm_id=zone.farm_id) if s.status == "Running"])
            ips = [{"IPAddress": s.public_ip} for s in servers]
        items.append({"ZoneName": zone.name, "FarmID": zone.farm_id, "FarmRoleID": zone.farm_role_id,
                      "Status": zone.status, "LastModifiedAt": mysql_time(zone.modified), "IPSet": ips})
    return {"DNSZoneSet": items}


@action("DNSZoneCreate", "DomainName")
def dns_zone_create(sim, call: Call) -> dict:
    from vendors.scalr.simulator.populate import system_records

    world = sim.world
    name = call.get("DomainName").strip().lower()
    if not DOMAIN.match(name):
        raise QueryError(f"Invalid domain name '{name}'")
    if name in world.zones:
        raise QueryError(f"Domain name '{name}' is already used by another DNS zone")
    farm_id = world.farm(call.env_id, call.int("FarmID")).id if call.int("FarmID") else 0
    role_id = world.farm_role(call.env_id, call.int("FarmRoleID")).id if call.int("FarmRoleID") else 0
    world.zones[name] = m.DnsZone(name, call.env_id, farm_id, role_id, "Pending create", time.time(),
                                  system_records(world, name))
    return RESULT


@action("DNSZoneRecordsList", "ZoneName")
def dns_zone_records_list(sim, call: Call) -> dict:
    zone = sim.world.zone(call.env_id, call.get("ZoneName"))
    return {"ZoneRecordSet": [{"ID": r.id, "Type": r.type, "TTL": r.ttl, "Priority": r.priority, "Name": r.name,
                               "Value": r.value, "Weight": r.weight, "Port": r.port, "IsSystem": int(r.is_system)}
                              for r in zone.records]}


@action("DNSZoneRecordAdd", "ZoneName", "Type", "TTL", "Name", "Value")
def dns_zone_record_add(sim, call: Call) -> dict:
    zone = sim.world.zone(call.env_id, call.get("ZoneName"))
    if call.get("Type") not in DNS_TYPES:
        raise QueryError(f"Invalid record type '{call.get('Type')}'. Valid types are: {', '.join(DNS_TYPES)}")
    record = m.DnsRecord(sim.world.next_id("dns_record"), call.get("Type"), call.int("TTL"), call.get("Name"),
                         call.get("Value"), call.int("Priority"), call.int("Weight"), call.int("Port"))
    zone.records.append(record)
    zone.status, zone.modified = "Pending update", time.time()
    return RESULT


@action("DNSZoneRecordRemove", "ZoneName", "RecordID")
def dns_zone_record_remove(sim, call: Call) -> dict:
    zone = sim.world.zone(call.env_id, call.get("ZoneName"))
    record = next((r for r in zone.records if r.id == call.int("RecordID")), None)
    if record is None:
        raise QueryError(f"Record ID#{call.get('RecordID')} not found in zone '{zone.name}'")
    if record.is_system:
        raise QueryError("System records cannot be removed")
    zone.records.remove(record)
    zone.status, zone.modified = "Pending update", time.time()
    return RESULT


@action("ApacheVhostsList", since="2.1.0")
def apache_vhosts_list(sim, call: Call) -> dict:
    vhosts = sorted((v for v in sim.world.vhosts.values() if v.env_id == call.env_id), key=lambda v: v.name)
    return {"ApacheVhostSet": [{"Name": v.name, "FarmID": v.farm_id, "FarmRoleID": v.farm_role_id,
                                "IsSSLEnabled": int(v.ssl), "LastModifiedAt": mysql_time(v.modified)}
                               for v in vhosts]}


@action("ApacheVhostCreate", "DomainName", "FarmID", "FarmRoleID", "DocumentRootDir", "EnableSSL", since="2.1.0")
def apache_vhost_create(sim, call: Call) -> dict:
    world = sim.world
    farm = world.farm(call.env_id, call.int("FarmID"))
    role = world.farm_role(call.env_id, call.int("FarmRoleID"))
    if role.farm_id != farm.id:
        raise QueryError(f"Farm role ID#{role.id} is not a part of farm ID#{farm.id}")
    name = call.get("DomainName").strip().lower()
    if not DOMAIN.match(name):
        raise QueryError(f"Invalid domain name '{name}'")
    if name in world.vhosts:
        raise QueryError(f"Virtual host '{name}' already exists")
    ssl = call.flag("EnableSSL")
    key, cert = call.get("SSLPrivateKey"), call.get("SSLCertificate")
    if ssl:
        if not key or not cert:
            raise QueryError("SSL private key and certificate are required when EnableSSL is set")
        try:
            base64.b64decode(key, validate=True), base64.b64decode(cert, validate=True)
        except binascii.Error:
            raise QueryError("SSL private key and certificate must be base64 encoded") from None
    world.vhosts[name] = m.ApacheVhost(name, call.env_id, farm.id, role.id, call.get("DocumentRootDir"), ssl,
                                       time.time(), key if ssl else "", cert if ssl else "")
    return RESULT


@action("DmSourcesList", since="2.3.0")
def dm_sources_list(sim, call: Call) -> dict:
    deprecated_on_5x(sim, DM_DEPRECATED)
    sources = [s for s in sim.world.dm_sources.values() if s.env_id == call.env_id]
    return {"SourceSet": [{"ID": s.id, "Type": s.type, "URL": s.url, "AuthType": s.auth_type} for s in sources]}


@action("DmApplicationsList", since="2.3.0")
def dm_applications_list(sim, call: Call) -> dict:
    deprecated_on_5x(sim, DM_DEPRECATED)
    apps = [a for a in sim.world.dm_apps.values() if a.env_id == call.env_id]
    return {"ApplicationSet": [{"ID": a.id, "SourceID": a.source_id, "Name": a.name} for a in apps]}


@action("DmApplicationDeploy", "ApplicationID", "FarmRoleID", "RemotePath", since="2.3.0")
def dm_application_deploy(sim, call: Call) -> dict:
    deprecated_on_5x(sim, DM_DEPRECATED)
    world = sim.world
    application = world.dm_apps.get(call.int("ApplicationID"))
    if application is None or application.env_id != call.env_id:
        raise QueryError(f"Application ID#{call.get('ApplicationID')} not found")
    role = world.farm_role(call.env_id, call.int("FarmRoleID"))
    servers = running_servers(world, role.id)
    if not servers:
        raise QueryError("There is no running servers on selected farm/role")
    items = []
    for server in servers:
        task = m.DeploymentTask(world.uuid().replace("-", "")[:12], call.env_id, application.id, server.id, role.id,
                                call.get("RemotePath"))
        world.deployments[task.id] = task
        items.append({"ServerID": server.id, "DeploymentTaskID": task.id, "FarmRoleID": role.id,
                      "RemotePath": task.remote_path, "Status": task.status})
    return {"DeploymentTasksSet": items}


@action("FarmGetStats", "FarmID")
def farm_get_stats(sim, call: Call) -> dict:
    deprecated_on_5x(sim, "FarmGetStats method is deprecated and no longer supported")
    world = sim.world
    farm = world.farm(call.env_id, call.int("FarmID"))
    month, year = time.gmtime().tm_mon, time.gmtime().tm_year
    if call.get("Date"):
        match = re.fullmatch(r"(\d{1,2})-(\d{4})", call.get("Date"))
        if not match:
            raise QueryError("Date should be in MM-YYYY format")
        month, year = int(match.group(1)), int(match.group(2))
    items = []
    for role in world.roles_of_farm(farm.id):
        servers = world.servers_of(farm_role_id=role.id)
        hours = round(sum((time.time() - s.added) / 3600 for s in servers) % 744, 2)
        items.append({"Month": month, "Year": year,
                      "Statistics": {"Hours": hours, "InstanceType": role.instance_type.replace(".", "_"),
                                     "CloudLocation": role.location}})
    return {"StatisticsSet": items}


@action("StatisticsGetGraphURL", "ObjectType", "ObjectID", "WatcherName", "GraphType")
def statistics_get_graph_url(sim, call: Call) -> dict:
    for name, valid in (("ObjectType", ("role", "server", "farm")), ("WatcherName", ("CPU", "MEM", "LA", "NET")),
                        ("GraphType", ("daily", "weekly", "monthly", "yearly"))):
        if call.get(name) not in valid:
            raise QueryError(f"Invalid {name}: '{call.get(name)}'. Valid values are: {', '.join(valid)}")
    if call.get("ObjectType") == "farm":
        sim.world.farm(call.env_id, call.int("ObjectID"))
    elif call.get("ObjectType") == "role":
        sim.world.farm_role(call.env_id, call.int("ObjectID"))
    else:
        sim.world.server(call.env_id, call.get("ObjectID"))
    url = (f"http://{call.host}/graphics/{call.get('ObjectType')}/{call.get('ObjectID')}/"
           f"{call.get('WatcherName')}.{call.get('GraphType')}.png")
    return {"GraphURL": url}
