"""The permission matrix over every `scalr:` URL: anonymous, another team, viewer, operator, admin.

Every URL of the app must have a row (a test checks it), so a new page cannot ship without one.
The helper that checks each cell is tests/harness/permissions.py.
"""

import pytest
from django.urls import reverse

from console.teams.models import Role
from tests.harness.factories import ScalrConnectionFactory
from tests.harness.permissions import Matrix, Row, namespace
from tests.scalr.conftest import poll
from vendors.scalr import models

#: pages anyone of the team reads, whose form only an admin may post
GET_ONLY_PAGES = {"scalr:variables", "scalr:vhosts", "scalr:deployments"}
#: what they answer an admin who posts nothing: the form again, with its errors
POSTED_EMPTY = (400,)
MATRIX = Matrix([
    Row("scalr:farm-list"),
    Row("scalr:farm-detail", team_object=True),
    Row("scalr:farm-stats", team_object=True),
    Row("scalr:farm-launch", "post", Role.OPERATOR, team_object=True),
    Row("scalr:farm-terminate", "post", Role.OPERATOR, team_object=True),
    Row("scalr:farm-clone", "post", Role.OPERATOR, team_object=True),
    Row("scalr:farm-lock", "post", Role.OPERATOR, team_object=True, data={"comment": "matrix"}),
    Row("scalr:farm-unlock", "post", Role.OPERATOR, team_object=True),
    Row("scalr:server-launch", "post", Role.OPERATOR, team_object=True),
    Row("scalr:server-list"),
    Row("scalr:server-detail", team_object=True),
    Row("scalr:server-stats", team_object=True),
    Row("scalr:server-reboot", "post", Role.OPERATOR, team_object=True),
    Row("scalr:server-terminate", "post", Role.OPERATOR, team_object=True),
    Row("scalr:server-suspend", "post", Role.OPERATOR, team_object=True),
    Row("scalr:server-resume", "post", Role.OPERATOR, team_object=True),
    Row("scalr:server-image", "post", Role.OPERATOR, team_object=True, data={"role_name": "matrix-image"}),
    Row("scalr:script-list"),
    Row("scalr:script-detail", team_object=True),
    Row("scalr:script-execute", minimum=Role.OPERATOR, team_object=True),
    Row("scalr:dns-list"),
    Row("scalr:dns-zone-create", minimum=Role.ADMIN),
    Row("scalr:dns-zone", team_object=True),
    Row("scalr:dns-record-add", "post", Role.ADMIN, team_object=True,
        data={"type": "A", "name": "m", "value": "192.0.2.1", "ttl": 300}),
    Row("scalr:dns-record-remove", "post", Role.ADMIN, team_object=True),
    *(Row(name) for name in sorted(GET_ONLY_PAGES)),
    Row("scalr:variables", "post", Role.ADMIN, allowed=POSTED_EMPTY),
    Row("scalr:vhosts", "post", Role.ADMIN, allowed=POSTED_EMPTY),
    # this connection's Scalr (the Query API's demo) has retired deployments: no one may post them
    Row("scalr:deployments", "post", Role.ADMIN, allowed=(403,)),
    Row("scalr:bundle-tasks"),
    Row("scalr:connection", team_object=True),
    Row("scalr:callback-rotate", "post", Role.ADMIN, team_object=True),
], scope=namespace("scalr"),
    #: Scalr calls it without a login; its token is the permission (tests/scalr/test_callbacks.py)
    open={"scalr:callback"})


def test_every_scalr_url_has_a_row():
    MATRIX.assert_covers_resolver()


@pytest.fixture
def urls(db, team, sim):
    connection = ScalrConnectionFactory(team=team, base_url=sim.url, api="v1")
    assert poll(connection).status == "ok"
    farm = models.Farm.objects.get(connection=connection, name="web-prod")
    server = farm.servers.first()
    zone = models.DnsZone.objects.get(environment__connection=connection, name="example.com")
    record = next(r for r in sim.world.zones["example.com"].records if not r.is_system)
    objects = {
        "farm": farm.pk, "server": server.pk, "farm-role": farm.farm_roles.first().pk, "connection": connection.pk,
        "script": models.Script.objects.filter(environment__connection=connection).first().pk, "zone": zone.pk,
    }
    kwargs = {
        "scalr:farm-detail": [objects["farm"]], "scalr:farm-stats": [objects["farm"]],
        "scalr:farm-launch": [objects["farm"]], "scalr:farm-terminate": [objects["farm"]],
        "scalr:farm-clone": [objects["farm"]], "scalr:farm-lock": [objects["farm"]],
        "scalr:farm-unlock": [objects["farm"]], "scalr:server-launch": [objects["farm-role"]],
        "scalr:server-detail": [objects["server"]], "scalr:server-stats": [objects["server"]],
        "scalr:server-reboot": [objects["server"]], "scalr:server-terminate": [objects["server"]],
        "scalr:server-suspend": [objects["server"]], "scalr:server-resume": [objects["server"]],
        "scalr:server-image": [objects["server"]], "scalr:script-detail": [objects["script"]],
        "scalr:script-execute": [objects["script"]], "scalr:dns-zone": [objects["zone"]],
        "scalr:dns-record-add": [objects["zone"]], "scalr:dns-record-remove": [objects["zone"], record.id],
        "scalr:connection": [objects["connection"]], "scalr:callback-rotate": [objects["connection"]],
    }
    return {name: reverse(name, args=kwargs.get(name)) for name in MATRIX.names}


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "who"), MATRIX.cells())
def test_permission_matrix(web, urls, members, row, who):
    MATRIX.check(web, row, who, urls=urls, members=members)
