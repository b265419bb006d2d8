"""Actions through both clients, and the world changing on tick() as scalr.md describes."""

from __future__ import annotations

import base64

import pytest

from console import redaction
from vendors.core import errors
from vendors.scalr.client import records as r
from vendors.scalr.client import NotAvailable
from vendors.scalr.client.records import ServerStatus

from tests.harness.waiting import wait_for

from .conftest import farm_named, ticking

RUNNING, TERMINATED = ServerStatus.RUNNING, ServerStatus.TERMINATED


def statuses(client, env_id, farm_id):
    return [s.status for s in client.farm_details(env_id=env_id, farm_id=farm_id).servers]


def test_launch_farm_until_servers_run(sim, client):
    farm = farm_named(sim, 2, "perf-test")  # terminated, min 4
    client.launch_farm(env_id=2, farm_id=farm.id)
    assert statuses(client, 2, farm.id) == [ServerStatus.PENDING_LAUNCH] * 4
    assert client.list_farms(env_id=2)[3].status == r.FarmStatus.RUNNING
    wait_for(lambda: ServerStatus.INITIALIZING in statuses(client, 2, farm.id), step=ticking(sim))
    wait_for(lambda: statuses(client, 2, farm.id) == [RUNNING] * 4, step=ticking(sim))
    details = client.farm_details(env_id=2, farm_id=farm.id)
    assert details.roles[0].running_instances == 4
    assert all(s.private_ips and s.agent_version for s in details.servers)
    types = [e.type for e in client.list_events(env_id=2, farm_id=farm.id, limit=20).items]
    assert types.count("HostUp") == 4 and "FarmLaunched" in types
    with pytest.raises(errors.Conflict, match="Farm already running"):
        client.launch_farm(env_id=2, farm_id=farm.id)


def test_terminate_farm_until_terminated(sim, client):
    farm = farm_named(sim, 2, "web-staging")
    client.terminate_farm(env_id=2, farm_id=farm.id, keep_eip=True, force=True)
    assert set(statuses(client, 2, farm.id)) == {ServerStatus.PENDING_TERMINATE}
    assert next(f for f in client.list_farms(env_id=2) if f.id == farm.id).status == r.FarmStatus.PENDING_TERMINATE
    wait_for(lambda: set(statuses(client, 2, farm.id)) == {TERMINATED}, step=ticking(sim))
    wait_for(lambda: next(f for f in client.list_farms(env_id=2) if f.id == farm.id).status
             == r.FarmStatus.TERMINATED, step=ticking(sim))
    with pytest.raises(errors.Conflict, match="Farm already terminated"):
        client.terminate_farm(env_id=2, farm_id=farm.id)


def test_locked_farm_refuses_launch_and_terminate(sim, client):
    db = farm_named(sim, 1, "db-prod")
    with pytest.raises(errors.Conflict) as caught:
        client.terminate_farm(env_id=1, farm_id=db.id)
    assert caught.value.message == ("Farm 'db-prod' is locked by ops@example.com with comment: "
                                    "'Change freeze until the quarterly release'")
    if client.api == "v2":
        assert (caught.value.status, caught.value.code) == (409, "Locked")


def test_lock_and_unlock_on_apiv2(sim, v2, v1):
    farm = farm_named(sim, 1, "web-prod")
    v2.lock_farm(env_id=1, farm_id=farm.id, comment="Investigating", unlock_permission="team")
    details = v1.farm_details(env_id=1, farm_id=farm.id)
    assert (details.locked, details.lock_comment, details.locked_by) == (True, "Investigating", "1")
    with pytest.raises(errors.Conflict):
        v2.lock_farm(env_id=1, farm_id=farm.id, comment="again")
    v2.unlock_farm(env_id=1, farm_id=farm.id)
    assert not v2.farm_details(env_id=1, farm_id=farm.id).locked
    with pytest.raises(errors.InvalidRequest, match="Missed property lockComment"):
        v2.lock_farm(env_id=1, farm_id=farm.id, comment="")
    with pytest.raises(NotAvailable, match="^Farm lock is not available on the Query API$"):
        v1.lock_farm(env_id=1, farm_id=farm.id, comment="x")
    with pytest.raises(NotAvailable):
        v1.unlock_farm(env_id=1, farm_id=farm.id)


def test_clone_farm(sim, client):
    source = farm_named(sim, 1, "batch-prod")
    name = None if client.api == "v1" else "batch-prod copy"
    clone_id = client.clone_farm(env_id=1, farm_id=source.id, name=name)
    clone = next(f for f in client.list_farms(env_id=1) if f.id == clone_id)
    assert clone.name == (name or "batch-prod (clone #1)") and clone.status == r.FarmStatus.TERMINATED
    assert [role.alias for role in client.farm_details(env_id=1, farm_id=clone_id).roles] == ["worker"]
    if client.api == "v1":
        with pytest.raises(NotAvailable):
            client.clone_farm(env_id=1, farm_id=source.id, name="named")
    else:
        with pytest.raises(errors.Conflict, match="already exists"):
            client.clone_farm(env_id=1, farm_id=source.id, name=name)


def test_server_launch_respects_max_instances(sim, client):
    farm = farm_named(sim, 1, "db-prod")  # min 2 = max 2, both running
    role_id = sim.world.roles_of_farm(farm.id)[0].id
    with pytest.raises(errors.Conflict, match="^Max instances limit reached"):
        client.launch_server(env_id=1, farm_role_id=role_id)
    server_id = client.launch_server(env_id=1, farm_role_id=role_id, increase_max_instances=True)
    details = client.farm_details(env_id=1, farm_id=farm.id)
    assert details.roles[0].max_instances == 3
    assert next(s for s in details.servers if s.id == server_id).status == ServerStatus.PENDING_LAUNCH
    wait_for(lambda: next(s for s in client.farm_details(env_id=1, farm_id=farm.id).servers
                          if s.id == server_id).status == RUNNING, step=ticking(sim))
    stopped = farm_named(sim, 1, "batch-prod")
    with pytest.raises(errors.Conflict, match=f"^Farm ID #{stopped.id} is not running"):
        client.launch_server(env_id=1, farm_role_id=sim.world.roles_of_farm(stopped.id)[0].id)


def test_server_terminate_with_decrease_min(sim, client):
    farm = farm_named(sim, 1, "web-prod")
    app_role = sim.world.roles_of_farm(farm.id)[1]
    victim = sim.world.servers_of(farm_role_id=app_role.id)[0].id
    client.terminate_server(env_id=1, server_id=victim, decrease_min_instances=True)
    details = client.farm_details(env_id=1, farm_id=farm.id)
    assert details.roles[1].min_instances == 2
    assert next(s for s in details.servers if s.id == victim).status == ServerStatus.PENDING_TERMINATE
    wait_for(lambda: next(s for s in client.farm_details(env_id=1, farm_id=farm.id).servers
                          if s.id == victim).status == TERMINATED, step=ticking(sim))
    with pytest.raises(errors.Conflict, match="unacceptable status"):
        client.terminate_server(env_id=1, server_id=victim)


def test_terminated_server_is_replaced_up_to_min_instances(sim, v1):
    farm = farm_named(sim, 1, "web-prod")
    role = sim.world.roles_of_farm(farm.id)[0]
    victim = sim.world.servers_of(farm_role_id=role.id)[0].id
    v1.terminate_server(env_id=1, server_id=victim)
    wait_for(lambda: v1.farm_details(env_id=1, farm_id=farm.id).roles[0].running_instances == 2
             and victim not in [s.id for s in v1.farm_details(env_id=1, farm_id=farm.id).servers], step=ticking(sim))


def test_reboot_suspend_resume(sim, v1, v2):
    server = sim.world.servers_of(farm_id=farm_named(sim, 1, "web-prod").id)[0]
    v1.reboot_server(env_id=1, server_id=server.id)
    assert server.is_rebooting
    v2.reboot_server(env_id=1, server_id=server.id, hard=True)
    with pytest.raises(NotAvailable, match="Hard reboot"):
        v1.reboot_server(env_id=1, server_id=server.id, hard=True)
    v2.suspend_server(env_id=1, server_id=server.id)
    wait_for(lambda: server.status == "Suspended", step=ticking(sim))
    with pytest.raises(errors.Conflict) as caught:
        v2.reboot_server(env_id=1, server_id=server.id)
    assert caught.value.code == "UnacceptableState"
    v2.resume_server(env_id=1, server_id=server.id)
    wait_for(lambda: server.status == "Running", step=ticking(sim))
    for action in (v1.suspend_server, v1.resume_server):
        with pytest.raises(NotAvailable):
            action(env_id=1, server_id=server.id)


def test_image_create_and_bundle_task(sim, v1, v2):
    server = sim.world.servers_of(farm_id=1)[0]
    task_id = v1.create_image(env_id=1, server_id=server.id, role_name="nginx-golden")
    assert v1.bundle_task_status(env_id=1, bundle_task_id=task_id) == r.BundleTask(task_id, "pending")
    wait_for(lambda: v1.bundle_task_status(env_id=1, bundle_task_id=task_id).finished, step=ticking(sim))
    assert v1.bundle_task_status(env_id=1, bundle_task_id=task_id).status == "success"
    assert "nginx-golden" in [role.name for role in v1.list_roles(env_id=1)]
    with pytest.raises(errors.Conflict, match="already used"):
        v1.create_image(env_id=1, server_id=server.id, role_name="nginx-golden")
    with pytest.raises(NotAvailable):
        v2.create_image(env_id=1, server_id=server.id, role_name="x")


def test_execute_script(sim, v1, v2):
    farm = farm_named(sim, 1, "web-prod")
    app_role = sim.world.roles_of_farm(farm.id)[1]
    assert v1.execute_script(env_id=1, script_id=100, farm_id=farm.id, farm_role_id=app_role.id, revision=2,
                             timeout=30, config_variables={"release": "v9"}).execution_ids == ()
    assert any("with release=v9" in e.message for e in sim.world.logs[farm.id][-3:])
    started = v2.execute_script(env_id=1, script_id=100, farm_id=farm.id, farm_role_id=app_role.id, blocking=True)
    assert len(started.execution_ids) == 3
    assert {sim.world.executions[i].server_id for i in started.execution_ids} == \
        {s.id for s in sim.world.servers_of(farm_role_id=app_role.id)}
    first_server = sim.world.servers_of(farm_id=farm.id)[0].id
    one = v2.execute_script(env_id=1, script_id=100, farm_id=farm.id, server_id=first_server, revision=1)
    assert sim.world.executions[one.execution_ids[0]].version == 1
    with pytest.raises(NotAvailable, match="configuration variables"):
        v2.execute_script(env_id=1, script_id=100, farm_id=farm.id, config_variables={"a": "b"})


def test_set_global_variables(sim, client):
    client.set_global_variable(env_id=1, name="FEATURE_X", value="on", farm_id=1)
    client.set_global_variable(env_id=1, name="RELEASE", value="2016.07.1", farm_id=1)
    client.set_global_variable(env_id=1, name="ENVIRONMENT", value="prod-eu")
    found = {v.name: v.value for v in client.list_global_variables(env_id=1, farm_id=1)}
    assert (found["FEATURE_X"], found["RELEASE"], found["ENVIRONMENT"]) == ("on", "2016.07.1", "prod-eu")
    assert "FEATURE_X" not in {v.name for v in client.list_global_variables(env_id=1, farm_id=2)}


def test_dns_zones_and_records(sim, v1, v2):
    zones = {z.name: z for z in v1.list_dns_zones(env_id=1)}
    assert zones["example.com"].status == "Active" and zones["example.com"].ips
    v1.create_dns_zone(env_id=1, domain_name="shop.example.org", farm_id=1)
    assert {z.name: z.status for z in v1.list_dns_zones(env_id=1)}["shop.example.org"] == "Pending create"
    wait_for(lambda: {z.name: z.status for z in v1.list_dns_zones(env_id=1)}["shop.example.org"] == "Active",
             step=ticking(sim))
    v1.add_dns_record(env_id=1, zone_name="shop.example.org", type="TXT", ttl=300, name="@", value="v=spf1 -all")
    records = v1.list_dns_records(env_id=1, zone_name="shop.example.org")
    txt = next(rec for rec in records if rec.type == "TXT")
    assert (txt.value, txt.is_system) == ("v=spf1 -all", False) and any(rec.is_system for rec in records)
    v1.remove_dns_record(env_id=1, zone_name="shop.example.org", record_id=txt.id)
    assert txt.id not in [rec.id for rec in v1.list_dns_records(env_id=1, zone_name="shop.example.org")]
    with pytest.raises(errors.InvalidRequest, match="Valid types are"):
        v1.add_dns_record(env_id=1, zone_name="shop.example.org", type="AAAA", ttl=300, name="x", value="::1")
    with pytest.raises(NotAvailable, match="^DNS zones is not available on APIv2$"):
        v2.list_dns_zones(env_id=1)


PEM_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAvery-secret-key-material\n-----END RSA PRIVATE KEY-----\n"
PEM_CERT = "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEcertificate\n-----END CERTIFICATE-----\n"


def test_apache_vhosts_and_ssl_secrets(sim, v1, v2):
    v1.create_apache_vhost(env_id=1, domain_name="shop.example.com", farm_id=1, farm_role_id=2,
                           document_root="/var/www/shop", ssl=True, ssl_private_key=PEM_KEY, ssl_certificate=PEM_CERT)
    stored = sim.world.vhosts["shop.example.com"]
    assert base64.b64decode(stored.ssl_key).decode() == PEM_KEY
    assert {v.name: v.ssl_enabled for v in v1.list_apache_vhosts(env_id=1)}["shop.example.com"] is True
    encoded = base64.b64encode(PEM_KEY.encode()).decode()
    for secret in (PEM_KEY, encoded, PEM_CERT):
        assert secret not in redaction.redact(f"boom: {secret}")
    with pytest.raises(errors.Conflict) as caught:
        v1.create_apache_vhost(env_id=1, domain_name="shop.example.com", farm_id=1, farm_role_id=2,
                               document_root="/x", ssl=True, ssl_private_key=PEM_KEY, ssl_certificate=PEM_CERT)
    assert PEM_KEY not in str(caught.value) and encoded not in str(caught.value)
    with pytest.raises(NotAvailable):
        v2.list_apache_vhosts(env_id=1)


def test_deployments_and_stats_on_a_4x_server(sim, v1, v2):
    sim.control("set_version", {"scalr_version": "4.4.0"})
    source, = v1.list_dm_sources(env_id=1)
    application, = v1.list_dm_applications(env_id=1)
    assert (source.type, application.source_id) == ("git", source.id)
    tasks = v1.deploy_dm_application(env_id=1, application_id=application.id, farm_role_id=2, remote_path="/srv/app")
    assert len(tasks) == 3 and {t.status for t in tasks} == {"pending"}
    with pytest.raises(errors.Conflict, match="There is no running servers"):
        v1.deploy_dm_application(env_id=1, application_id=application.id,
                                 farm_role_id=sim.world.roles_of_farm(farm_named(sim, 1, "batch-prod").id)[0].id,
                                 remote_path="/srv")
    stats = v1.farm_stats(env_id=1, farm_id=1, month=6, year=2016)
    assert [(s.month, s.year, s.instance_type) for s in stats] == [(6, 2016, "m3_medium"), (6, 2016, "c3_large")]
    with pytest.raises(NotAvailable):
        v2.list_dm_sources(env_id=1)


def test_statistics_graph_url(sim, v1):
    url = v1.statistics_graph_url(env_id=1, object_type="farm", object_id=1, watcher="CPU", graph_type="daily")
    assert url.endswith("/graphics/farm/1/CPU.daily.png")
    with pytest.raises(errors.InvalidRequest, match="Valid values are: CPU, MEM, LA, NET"):
        v1.statistics_graph_url(env_id=1, object_type="farm", object_id=1, watcher="DISK", graph_type="daily")


#: the wiki's action list (seed 003_b7aff0f4098dc24a)
SEED_ACTIONS = """ApacheVhostCreate ApacheVhostsList BundleTaskGetStatus DmApplicationDeploy DmApplicationsList
DmSourcesList DNSZoneCreate DNSZoneRecordAdd DNSZoneRecordRemove DNSZoneRecordsList DNSZonesList EnvironmentsList
EventsList FarmClone FarmGetDetails FarmGetStats FarmLaunch FarmsList FarmTerminate GlobalVariableSet
GlobalVariablesList LogsList RolesList ScriptExecute ScriptGetDetails ScriptsList ServerImageCreate ServerLaunch
ServerReboot ServerTerminate StatisticsGetGraphURL""".split()


def test_every_seed_action_has_a_method_that_sends_it():
    from vendors.scalr.client.v1 import ACTIONS, ScalrV1Client

    assert len(SEED_ACTIONS) == 31 and set(SEED_ACTIONS) == set(ACTIONS)
    for method in ACTIONS.values():
        assert callable(getattr(ScalrV1Client, method))


def test_each_action_method_sends_its_action():
    import inspect

    import httpx

    from vendors.scalr.client.v1 import ACTIONS, ScalrV1Client

    samples = {"env_id": 1, "farm_id": 1, "farm_role_id": 2, "server_id": "s-1", "script_id": 100, "name": "N",
               "value": "V", "zone_name": "z.example", "record_id": 1, "type": "A", "ttl": 60,
               "domain_name": "d.example",
               "document_root": "/", "application_id": 1, "remote_path": "/srv", "role_name": "R",
               "bundle_task_id": 1, "object_type": "farm", "object_id": 1, "watcher": "CPU", "graph_type": "daily",
               "comment": "c"}
    sent = []

    def reply(request: httpx.Request) -> httpx.Response:
        action = dict(httpx.QueryParams(request.content.decode()))["Action"]
        sent.append(action)
        return httpx.Response(200, text=f'<?xml version="1.0"?>\n<{action}Response><TransactionID>t</TransactionID>'
                                        f'<ServerID>s</ServerID><FarmID>1</FarmID><BundleTaskID>1</BundleTaskID>'
                                        f'</{action}Response>\n')

    with ScalrV1Client("http://scalr.test", "k" * 16, "s" * 128, transport=httpx.MockTransport(reply)) as client:
        for action, method in ACTIONS.items():
            function = getattr(client, method)
            required = [name for name, p in inspect.signature(function).parameters.items()
                        if p.default is inspect.Parameter.empty]
            function(**{name: samples[name] for name in required})
            assert sent[-1] == action, method
