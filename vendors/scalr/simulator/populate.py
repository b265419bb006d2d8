"""Worlds to serve: the demo installation and generated ones for benchmarks."""

from __future__ import annotations

import base64
import time

from vendors.scalr.simulator import model as m
from vendors.scalr.simulator.world import World

HOUR = 3600.0

#: (name, os id, family, version, architecture, [(platform, location, cloud image id)])
CATALOG = [
    ("base-ubuntu1404", "ubuntu-14-04", "ubuntu", "14.04", "x86_64",
     [("ec2", "us-east-1", "ami-0a1b2c3d"), ("openstack", "RegionOne", "4f1c7a9e-ubuntu")]),
    ("nginx-ubuntu1404", "ubuntu-14-04", "ubuntu", "14.04", "x86_64", [("ec2", "us-east-1", "ami-1b2c3d4e")]),
    ("mysql5-centos6", "centos-6-x", "centos", "6.7", "x86_64", [("ec2", "us-east-1", "ami-2c3d4e5f")]),
    ("redis-ubuntu1404", "ubuntu-14-04", "ubuntu", "14.04", "x86_64",
     [("openstack", "RegionOne", "5a2d8b0f-redis")]),
    ("app-centos7", "centos-7-x", "centos", "7.2", "x86_64", [("ec2", "us-west-2", "ami-3d4e5f60")]),
]

SCRIPTS = [
    ("Deploy application", "Pulls a release and restarts the app",
     ["#!/bin/bash\ngit -C /srv/app pull\n",
      "#!/bin/bash\ngit -C /srv/app checkout %release%\nsystemctl restart app\n",
      "#!/bin/bash\ngit -C /srv/app checkout %release%\nsystemctl restart %service_name%\n"]),
    ("Rotate logs", "Forces logrotate", ["#!/bin/sh\nlogrotate -f /etc/logrotate.conf\n"]),
    ("Check disk", "Warns above a threshold <90%> & mails",
     ["#!/bin/sh\ndf -h | awk '$5+0 > %threshold%'\n", "#!/bin/sh\ndf -hP | awk '$5+0 > %threshold%'\n"]),
]


def catalog(world: World, now: float, *, roles: int | None = None) -> None:
    world.users[1] = m.User(1, "ops@example.com")
    world.users[2] = m.User(2, "dev@example.com")
    for name, os_id, family, version, arch, images in CATALOG[:roles]:
        role = m.Role(world.next_id("role", start=10), name, os_id, family, version, arch, 1, now - 400 * 24 * HOUR)
        for platform, location, cloud_id in images:
            image = m.Image(world.uuid(), f"{name}-{location}", platform, location, cloud_id, arch, os_id,
                            now - 300 * 24 * HOUR)
            world.images[image.id] = image
            role.image_ids.append(image.id)
        world.roles[role.id] = role


def add_env(world: World, env_id: int, name: str, now: float, *, scripts: int | None = None) -> m.Environment:
    env = m.Environment(env_id, name, now - 500 * 24 * HOUR, project_id=world.uuid())
    world.envs[env_id] = env
    for title, description, bodies in SCRIPTS[:scripts]:
        script = m.Script(world.next_id("script", start=100), env_id, title, description, added=now - 90 * 24 * HOUR)
        for number, body in enumerate(bodies, start=1):
            script.versions.append(m.ScriptVersion(number, body, now - (90 - 10 * number) * 24 * HOUR))
        world.scripts[script.id] = script
    return env


def running_farm(world: World, env_id: int, name: str, roles: list[tuple], now: float, *,
                 description: str = "", owner_id: int = 1, age_hours: float = 48) -> m.Farm:
    """roles: (role id, alias, platform, location, zone, instance type, min, max, servers)."""
    farm = world.add_farm(env_id, name, description=description, owner_id=owner_id, status=m.FARM_RUNNING)
    world.add_event(farm, "FarmLaunched", f"Farm '{name}' launched", when=now - age_hours * HOUR)
    for role_id, alias, platform, location, zone, itype, low, high, count in roles:
        role = world.add_farm_role(farm, role_id, alias, platform=platform, location=location, zone=zone,
                                   instance_type=itype, min_instances=low, max_instances=high)
        for position in range(count):
            added = now - (age_hours - position * 0.5) * HOUR
            server = world.new_server(role, status="Running", reason="Farm launched", added=added)
            world.add_event(farm, "HostUp", f"Server {server.id} is up and running", server, when=added + 300)
            world.add_log(farm, server, "Scalarizr initialized", source="Scalarizr", when=added + 290)
    return farm


def stopped_farm(world: World, env_id: int, name: str, roles: list[tuple], *, description: str = "") -> m.Farm:
    farm = world.add_farm(env_id, name, description=description)
    for role_id, alias, platform, location, zone, itype, low, high, _count in roles:
        world.add_farm_role(farm, role_id, alias, platform=platform, location=location, zone=zone,
                            instance_type=itype, min_instances=low, max_instances=high)
    return farm


def generated(world: World, *, environments: int, farms_per_env: int, servers_per_farm: int) -> None:
    """Many running farms, two roles each, every server Running: a benchmark world."""
    now = time.time()
    catalog(world, now)
    role_ids = sorted(world.roles)
    for env_id in range(1, environments + 1):
        add_env(world, env_id, f"env-{env_id}", now)
        for number in range(1, farms_per_env + 1):
            web = servers_per_farm // 2
            roles = [(role_ids[1], "web", "ec2", "us-east-1", "us-east-1a", "m3.medium", 1, max(web, 1) + 2, web),
                     (role_ids[4], "app", "ec2", "us-west-2", "us-west-2b", "c3.large", 1,
                      servers_per_farm - web + 2, servers_per_farm - web)]
            running_farm(world, env_id, f"farm-{env_id}-{number:04d}", roles, now,
                         description=f"Generated farm {number}")


def demo(world: World) -> None:
    """Two environments, a dozen farms in mixed states, and everything the console shows."""
    now = time.time()
    catalog(world, now)
    ubuntu, nginx, mysql, redis, app = sorted(world.roles)
    add_env(world, 1, "production", now)
    add_env(world, 2, "staging", now)
    ec2 = ("ec2", "us-east-1", "us-east-1a")
    west = ("ec2", "us-west-2", "us-west-2b")
    stack = ("openstack", "RegionOne", "nova")

    web = running_farm(world, 1, "web-prod", [(nginx, "nginx", *ec2, "m3.medium", 2, 4, 2),
                                              (app, "app", *west, "c3.large", 3, 6, 3)], now,
                       description="Public web tier", age_hours=24 * 30)
    db = running_farm(world, 1, "db-prod", [(mysql, "mysql", *ec2, "r3.xlarge", 2, 2, 2)], now,
                      description="MySQL master/slave")
    db.lock = m.Lock("Change freeze until the quarterly release", 1, "owner")
    db_master = world.servers_of(farm_id=db.id)[0]
    db_master.is_db_master = True
    stopped_farm(world, 1, "batch-prod", [(ubuntu, "worker", *ec2, "c3.2xlarge", 0, 10, 0)],
                 description="Nightly batch jobs")
    legacy = running_farm(world, 1, "legacy-app", [(ubuntu, "legacy", *ec2, "m1.small", 1, 2, 2)], now,
                          description="Being decommissioned", age_hours=24 * 200)
    legacy.status = m.FARM_TERMINATING
    for server in world.servers_of(farm_id=legacy.id):
        world.set_status(server, "Pending terminate")
        server.stuck = True  # the demo keeps one farm visibly terminating; control `set_server_status` frees it
    analytics = running_farm(world, 1, "analytics", [(ubuntu, "spark", *ec2, "r3.large", 2, 4, 1)], now,
                             description="Spark cluster")
    stuck = world.new_server(world.roles_of_farm(analytics.id)[0], status="Pending", reason="Scaling up")
    stuck.stuck = True
    world.add_log(analytics, stuck, "Instance is still pending on the cloud after 40 minutes", severity=3)
    cache = running_farm(world, 1, "cache-prod", [(redis, "redis", *stack, "m1.medium", 1, 3, 2)], now,
                         description="Redis on OpenStack")
    stopped_farm(world, 1, "old-staging-copy", [(app, "app", *west, "t2.small", 1, 1, 0)])

    staging = running_farm(world, 2, "web-staging", [(nginx, "nginx", *ec2, "t2.small", 1, 2, 1),
                                                     (app, "app", *west, "t2.medium", 1, 2, 1)], now, owner_id=2)
    stopped_farm(world, 2, "qa-sandbox", [(ubuntu, "sandbox", *ec2, "t2.micro", 1, 1, 0)])
    running_farm(world, 2, "ci-runners", [(ubuntu, "runner", *stack, "m1.large", 2, 8, 3)], now, owner_id=2)
    stopped_farm(world, 2, "perf-test", [(app, "app", *west, "c3.4xlarge", 4, 10, 0)])
    staging_db = running_farm(world, 2, "staging-db", [(mysql, "mysql", *ec2, "m3.large", 2, 2, 1)], now)
    world.new_server(world.roles_of_farm(staging_db.id)[0], status="Initializing", reason="Scaling up")

    web_role, app_role = world.roles_of_farm(web.id)
    world.set_variable("environment", "1", "ENVIRONMENT", "production", category="general")
    world.set_variable("environment", "1", "DB_PASSWORD", "s3cr3t-db-password", hidden=True)
    world.set_variable("environment", "2", "ENVIRONMENT", "staging", category="general")
    world.set_variable("role", str(nginx), "NGINX_WORKERS", "4")
    world.set_variable("farm", str(web.id), "RELEASE", "2016.06.2")
    world.set_variable("farmrole", str(app_role.id), "APP_THREADS", "16")

    world.zones["example.com"] = m.DnsZone("example.com", 1, web.id, web_role.id, "Active", now - 100 * HOUR,
                                           system_records(world, "example.com") + [
                                               m.DnsRecord(world.next_id("dns_record"), "A", 300, "www",
                                                           world.servers_of(farm_id=web.id)[0].public_ip),
                                               m.DnsRecord(world.next_id("dns_record"), "MX", 3600, "@",
                                                           "mail.example.com.", priority=10)])
    world.zones["staging.example.com"] = m.DnsZone("staging.example.com", 2, staging.id, 0, "Pending create", now,
                                                   system_records(world, "staging.example.com"))
    world.vhosts["www.example.com"] = m.ApacheVhost("www.example.com", 1, web.id, app_role.id, "/var/www/app",
                                                    True, now - 50 * HOUR,
                                                    base64.b64encode(b"-----BEGIN RSA PRIVATE KEY-----").decode(),
                                                    base64.b64encode(b"-----BEGIN CERTIFICATE-----").decode())
    world.vhosts["admin.example.com"] = m.ApacheVhost("admin.example.com", 1, web.id, app_role.id, "/var/www/admin",
                                                      False, now - 20 * HOUR)
    for env_id in (1, 2):
        source = m.DmSource(world.next_id("dm_source"), env_id, "git", "https://git.example.com/app.git", "password")
        world.dm_sources[source.id] = source
        application = m.DmApplication(world.next_id("dm_app"), env_id, source.id, "storefront")
        world.dm_apps[application.id] = application
    world.bundle_tasks[1] = m.BundleTask(world.next_id("bundle_task"), 1, db_master.id, "mysql5-centos6-golden",
                                         "success")
    world.add_log(cache, None, "Failed to attach floating IP: quota exceeded", severity=4, when=now - 2 * HOUR)
    world.add_event(cache, "IPAddressChanged", "Floating IP reassigned", when=now - 2 * HOUR + 60)


def small(world: World) -> None:
    """The demo's variety in a few requests: two environments, five farms (running, stopped, locked),
    three roles, two scripts each, a DNS zone, an Apache vhost and a deployment source."""
    now = time.time()
    catalog(world, now, roles=3)
    ubuntu, nginx, mysql = sorted(world.roles)
    add_env(world, 1, "production", now, scripts=2)
    add_env(world, 2, "staging", now, scripts=2)
    ec2 = ("ec2", "us-east-1", "us-east-1a")
    stack = ("openstack", "RegionOne", "nova")
    web = running_farm(world, 1, "web", [(nginx, "nginx", *ec2, "m3.medium", 1, 3, 2),
                                         (ubuntu, "app", *stack, "m1.medium", 1, 2, 1)], now)
    db = running_farm(world, 1, "db", [(mysql, "mysql", *ec2, "r3.large", 1, 2, 1)], now)
    db.lock = m.Lock("Change freeze", 1, "owner")
    stopped_farm(world, 1, "batch", [(ubuntu, "worker", *ec2, "c3.large", 0, 2, 0)])
    running_farm(world, 2, "web-staging", [(nginx, "nginx", *ec2, "t2.small", 1, 2, 2)], now, owner_id=2)
    stopped_farm(world, 2, "qa", [(ubuntu, "sandbox", *stack, "m1.small", 1, 1, 0)])
    web_role = world.roles_of_farm(web.id)[0]
    world.zones["example.com"] = m.DnsZone("example.com", 1, web.id, web_role.id, "Active", now - 100 * HOUR,
                                           system_records(world, "example.com"))
    world.vhosts["www.example.com"] = m.ApacheVhost("www.example.com", 1, web.id, web_role.id, "/var/www/app",
                                                    False, now - 20 * HOUR)
    source = m.DmSource(world.next_id("dm_source"), 1, "git", "https://git.example.com/app.git", "password")
    world.dm_sources[source.id] = source
    application = m.DmApplication(world.next_id("dm_app"), 1, source.id, "storefront")
    world.dm_apps[application.id] = application


def system_records(world: World, zone: str) -> list[m.DnsRecord]:
    return [m.DnsRecord(world.next_id("dns_record"), "NS", 14400, f"{zone}.", "ns1.scalr.net.", is_system=True),
            m.DnsRecord(world.next_id("dns_record"), "NS", 14400, f"{zone}.", "ns2.scalr.net.", is_system=True)]
