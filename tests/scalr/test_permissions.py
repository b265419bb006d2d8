"""The permission matrix over every `scalr:` URL: anonymous, another team, viewer, operator, admin.

Every URL of the app must have a row (a test checks it), so a new page cannot ship without one.
"""

import pytest
from django.urls import reverse

from console.teams.models import Role
from tests.core.test_permissions import all_url_names
from tests.scalr.conftest import make_connection, poll
from vendors.scalr import models

# name -> (method, minimum role, takes an object of the team)
CASES = {
    "scalr:farm-list": ("get", Role.VIEWER, False),
    "scalr:farm-detail": ("get", Role.VIEWER, True),
    "scalr:farm-stats": ("get", Role.VIEWER, True),
    "scalr:farm-launch": ("post", Role.OPERATOR, True),
    "scalr:farm-terminate": ("post", Role.OPERATOR, True),
    "scalr:farm-clone": ("post", Role.OPERATOR, True),
    "scalr:farm-lock": ("post", Role.OPERATOR, True),
    "scalr:farm-unlock": ("post", Role.OPERATOR, True),
    "scalr:server-launch": ("post", Role.OPERATOR, True),
    "scalr:server-list": ("get", Role.VIEWER, False),
    "scalr:server-detail": ("get", Role.VIEWER, True),
    "scalr:server-stats": ("get", Role.VIEWER, True),
    "scalr:server-reboot": ("post", Role.OPERATOR, True),
    "scalr:server-terminate": ("post", Role.OPERATOR, True),
    "scalr:server-suspend": ("post", Role.OPERATOR, True),
    "scalr:server-resume": ("post", Role.OPERATOR, True),
    "scalr:server-image": ("post", Role.OPERATOR, True),
    "scalr:script-list": ("get", Role.VIEWER, False),
    "scalr:script-detail": ("get", Role.VIEWER, True),
    "scalr:script-execute": ("get", Role.OPERATOR, True),
    "scalr:dns-list": ("get", Role.VIEWER, False),
    "scalr:dns-zone-create": ("get", Role.ADMIN, False),
    "scalr:dns-zone": ("get", Role.VIEWER, True),
    "scalr:dns-record-add": ("post", Role.ADMIN, True),
    "scalr:dns-record-remove": ("post", Role.ADMIN, True),
    "scalr:variables": ("get", Role.VIEWER, False),
    "scalr:vhosts": ("get", Role.VIEWER, False),
    "scalr:deployments": ("get", Role.VIEWER, False),
    "scalr:bundle-tasks": ("get", Role.VIEWER, False),
    "scalr:connection": ("get", Role.VIEWER, True),
    "scalr:callback-rotate": ("post", Role.ADMIN, True),
}
#: Scalr calls it without a login; its token is the permission (tests/scalr/test_callbacks.py)
OPEN = {"scalr:callback"}
POST_DATA = {"scalr:farm-lock": {"comment": "matrix"}, "scalr:server-image": {"role_name": "matrix-image"},
             "scalr:dns-record-add": {"type": "A", "name": "m", "value": "192.0.2.1", "ttl": 300}}
#: what the admin-only form pages answer when the admin has nothing to change there
GET_ONLY_PAGES = {"scalr:variables", "scalr:vhosts", "scalr:deployments"}


def test_every_scalr_url_has_a_row():
    names = {n for n in all_url_names() if n.startswith("scalr:")}
    assert names - set(CASES) - OPEN == set(), "add these URLs to the Scalr permission matrix"
    assert set(CASES) - names == set()


@pytest.fixture
def urls(db, team, sim):
    connection = make_connection(team, sim, api="v1")
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
    return {name: reverse(name, args=kwargs.get(name)) for name in CASES}


def request(client, name, url):
    method = CASES[name][0]
    return getattr(client, method)(url, POST_DATA.get(name, {}))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CASES))
def test_anonymous_is_sent_to_login(web, urls, name):
    response = request(web, name, urls[name])
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, case in CASES.items() if case[2]))
def test_another_teams_member_gets_404(web, urls, members, name):
    web.force_login(members["outsider"])
    assert request(web, name, urls[name]).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.ADMIN])
@pytest.mark.parametrize("name", sorted(CASES))
def test_each_role_gets_what_it_may(web, urls, members, role, name):
    web.force_login(members[role])
    minimum = CASES[name][1]
    response = request(web, name, urls[name])
    if Role.rank(role) >= Role.rank(minimum):
        assert response.status_code in (200, 302), response.status_code
    else:
        assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(GET_ONLY_PAGES))
def test_posting_the_admin_forms_needs_admin(web, urls, members, name):
    web.force_login(members[Role.OPERATOR])
    assert web.post(urls[name], {}).status_code == 403
