import pytest
from django.urls import reverse
from dashboard.teams.models import Role
from tests.scalyr.app_helpers import seed

def test_smoke(web, members, scalyr_connection, live_sim):
    seed(live_sim)
    web.force_login(members[Role.OPERATOR])
    url = reverse("scalyr:explorer", args=[scalyr_connection.pk])
    r = web.get(url)
    assert r.status_code == 200, r.content[:2000]
    r = web.get(url + "?filter=status%3D%3D502", HTTP_HX_REQUEST="true")
    print(r.content.decode()[:3000])
    assert r.status_code == 200
    import re
    sub = re.search(r'histogram/\?([^"]+)"', r.content.decode()).group(1)
    h = web.get(reverse("scalyr:histogram", args=[scalyr_connection.pk]) + "?" + sub.replace("&amp;","&"), HTTP_HX_REQUEST="true")
    print(h.content.decode()[:1500])
    f = web.get(reverse("scalyr:facets", args=[scalyr_connection.pk]) + "?" + sub.replace("&amp;","&"), HTTP_HX_REQUEST="true")
    print(f.content.decode()[:1500])
    for name in ["scalyr:home"]:
        assert web.get(reverse(name)).status_code == 200
    c = web.get(reverse("scalyr:chart", args=[scalyr_connection.pk]) + "?function=count", HTTP_HX_REQUEST="true")
    print(c.content.decode()[:1500])
