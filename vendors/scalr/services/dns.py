"""DNS zones and their records (Query API only)."""

from __future__ import annotations

from django.core.cache import cache
from django.urls import reverse

from vendors.scalr import models
from vendors.scalr.client import budgeted_client
from vendors.scalr.client import records as r
from vendors.scalr.selectors.live import records_cache_key
from vendors.scalr.services.common import catalog_refresh, env_params, performer, start


def scalr_dns_zone_create(*, environment: models.Environment, actor, domain_name: str,
                          farm: models.Farm | None):
    linked = f", serving farm {farm.name}" if farm else ""
    return start(connection=environment.connection, actor=actor, verb="scalr.dns.zone_create", target=environment,
                 summary=f"Create DNS zone {domain_name} in {environment.name}{linked}: Scalr starts answering for it.",
                 params=env_params(environment, domain_name=domain_name,
                                    farm_id=farm.external_id if farm else None),
                 target_url=reverse("scalr:dns-list"))


@performer("scalr.dns.zone_create")
def perform_dns_zone_create(action, connection) -> str:
    p = action.params
    with budgeted_client(connection, p["env_id"]) as client:
        client.create_dns_zone(env_id=p["env_id"], domain_name=p["domain_name"], farm_id=p.get("farm_id"))
    catalog_refresh(connection, p["env_id"], "dns_zones")
    return f"Zone {p['domain_name']} created."


def scalr_dns_record_add(*, zone: models.DnsZone, actor, record: dict):
    return start(connection=zone.environment.connection, actor=actor, verb="scalr.dns.record_add", target=zone,
                 summary=f"Add {record['type']} record {record['name']} → {record['value']} (TTL {record['ttl']}) "
                         f"to {zone.name}.",
                 params=env_params(zone.environment, zone=zone.name, zone_pk=zone.pk, record=record),
                 target_url=reverse("scalr:dns-zone", args=[zone.pk]))


@performer("scalr.dns.record_add")
def perform_dns_record_add(action, connection) -> str:
    p = action.params
    rec = p["record"]
    with budgeted_client(connection, p["env_id"]) as client:
        client.add_dns_record(env_id=p["env_id"], zone_name=p["zone"], type=rec["type"], ttl=rec["ttl"],
                              name=rec["name"], value=rec["value"], priority=rec.get("priority") or 0,
                              weight=rec.get("weight") or 0, port=rec.get("port") or 0)
    cache.delete(records_cache_key(connection.environments.get(external_id=p["env_id"]).pk, p["zone"]))
    return "Record added."


def scalr_dns_record_remove(*, zone: models.DnsZone, actor, record: r.DnsRecord):
    return start(connection=zone.environment.connection, actor=actor, verb="scalr.dns.record_remove", target=zone,
                 summary=f"Remove {record.type} record {record.name} → {record.value} from {zone.name}: resolvers "
                         f"stop seeing it within its TTL ({record.ttl} s).",
                 params=env_params(zone.environment, zone=zone.name, record_id=record.id),
                 target_url=reverse("scalr:dns-zone", args=[zone.pk]))


@performer("scalr.dns.record_remove")
def perform_dns_record_remove(action, connection) -> str:
    p = action.params
    with budgeted_client(connection, p["env_id"]) as client:
        client.remove_dns_record(env_id=p["env_id"], zone_name=p["zone"], record_id=p["record_id"])
    cache.delete(records_cache_key(connection.environments.get(external_id=p["env_id"]).pk, p["zone"]))
    return "Record removed."
