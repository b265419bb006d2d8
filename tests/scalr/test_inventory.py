"""The same world read through APIv2 and the Query API gives the same records (scalr.md C4),
except for what one generation cannot know (listed in `blank`)."""

from __future__ import annotations

import dataclasses

import pytest

from vendors.scalr.client import records as r


def blank(details: r.FarmDetails) -> tuple[r.FarmDetails, list]:
    """Hostname and cloud id are APIv2-only; the Query API derives launch time from Uptime (and
    fingerprints its answer)."""
    launched = [s.launched_at for s in details.servers]
    servers = tuple(dataclasses.replace(s, hostname=None, cloud_server_id=None, launched_at=None)
                    for s in details.servers)
    return dataclasses.replace(details, servers=servers, fingerprint=""), launched


def test_environments(v1, v2):
    assert v1.list_environments() == v2.list_environments() == [r.Environment(1, "production"),
                                                                r.Environment(2, "staging")]


@pytest.mark.parametrize("env_id", [1, 2])
def test_farms_and_details(sim, v1, v2, env_id):
    farms_v2 = v2.list_farms(env_id=env_id)
    farms_v1 = v1.list_farms(env_id=env_id)
    v1_unknown = {"project_id": None, "owner": None, "locked": None, "lock_comment": None, "locked_by": None}
    assert [dataclasses.replace(f, **v1_unknown) for f in farms_v2] == farms_v1
    for farm in farms_v2:
        details_v1, launched_v1 = blank(v1.farm_details(env_id=env_id, farm_id=farm.id))
        details_v2, launched_v2 = blank(v2.farm_details(env_id=env_id, farm_id=farm.id))
        assert details_v1 == details_v2
        assert (details_v2.locked, details_v2.lock_comment) == (farm.locked, farm.lock_comment)
        for one, other in zip(launched_v1, launched_v2):
            assert abs((one - other).total_seconds()) <= 2


def test_demo_states_come_out_in_one_vocabulary(v1, v2):
    for client in (v1, v2):
        farms = {f.name: f for f in client.list_farms(env_id=1)}
        assert farms["web-prod"].status == r.FarmStatus.RUNNING
        assert farms["batch-prod"].status == r.FarmStatus.TERMINATED
        assert farms["legacy-app"].status == r.FarmStatus.PENDING_TERMINATE
        analytics = client.farm_details(env_id=1, farm_id=farms["analytics"].id)
        assert sorted(s.status for s in analytics.servers) == [r.ServerStatus.PENDING, r.ServerStatus.RUNNING]
        db = client.farm_details(env_id=1, farm_id=farms["db-prod"].id)
        assert db.locked and db.locked_by == "1" and db.lock_comment.startswith("Change freeze")
    v2_db = next(f for f in v2.list_farms(env_id=1) if f.name == "db-prod")
    assert (v2_db.locked, v2_db.owner) == (True, "ops@example.com")


def test_details_fields(v2, sim):
    details = v2.farm_details(env_id=1, farm_id=1)
    nginx = next(role for role in details.roles if role.alias == "nginx")
    assert (nginx.platform, nginx.location, nginx.instance_type) == ("ec2", "us-east-1", "m3.medium")
    assert (nginx.min_instances, nginx.max_instances, nginx.running_instances) == (2, 4, 2)
    assert nginx.role_name == "nginx-ubuntu1404"
    server = next(s for s in details.servers if s.farm_role_id == nginx.id)
    assert server.public_ips and server.private_ips and server.hostname.endswith(".ec2.internal")
    assert server.agent_version == "5.11.12" and server.uptime_minutes() > 60


def test_roles_scripts_and_revisions(v1, v2):
    assert v1.list_roles(env_id=1) == v2.list_roles(env_id=1)
    assert v1.list_scripts(env_id=1) == v2.list_scripts(env_id=1)
    for show_content in (False, True):
        assert v1.script_details(env_id=1, script_id=100, show_content=show_content) == \
            v2.script_details(env_id=1, script_id=100, show_content=show_content)
    details = v1.script_details(env_id=1, script_id=100, show_content=True, revision=2)
    assert [rev.revision for rev in details.revisions] == [2]
    assert details.revisions[0].variables == ("release",) and "%release%" in details.revisions[0].content


@pytest.mark.parametrize("scope", [{}, {"farm_id": 1}, {"farm_role_id": 2}, {"role_id": 11}])
def test_global_variables(v1, v2, scope):
    assert v1.list_global_variables(env_id=1, **scope) == v2.list_global_variables(env_id=1, **scope)


def test_global_variables_at_server_scope(v1, v2, sim):
    server_id = sim.world.servers_of(farm_role_id=2)[0].id
    found = v1.list_global_variables(env_id=1, server_id=server_id)
    assert found == v2.list_global_variables(env_id=1, server_id=server_id)
    assert r.GlobalVariable("DB_PASSWORD", "s3cr3t-db-password", True) in found


def test_events(v1, v2):
    assert v1.list_events(env_id=1, farm_id=1, limit=5).items == v2.list_events(env_id=1, farm_id=1, limit=5).items
