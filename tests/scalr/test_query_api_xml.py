"""The Query API's XML as scalr.md B6/B7 describes it, and the client reading it back."""

from __future__ import annotations

import re
from xml.etree.ElementTree import fromstring  # reading our own simulator's output in assertions only

import pytest

from vendors.core import errors
from vendors.scalr.client import query_xml
from vendors.scalr.client import records as r
from vendors.scalr.client import Deprecated

from .conftest import farm_named, query_api_post

DECLARATION = '<?xml version="1.0"?>\n'


def test_success_document_shape(sim):
    response = query_api_post(sim.url, "FarmsList")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml"
    assert response.headers["access-control-allow-origin"] == "*"
    assert int(response.headers["content-length"]) == len(response.content)
    text = response.text
    assert text.startswith(DECLARATION + "<FarmsListResponse><TransactionID>")
    assert text.endswith("</FarmsListResponse>\n")
    assert not re.search(r">\s+<", text[len(DECLARATION):]), "no whitespace between elements"
    assert re.search(r"<TransactionID>[0-9a-f-]{36}</TransactionID><FarmSet><Item><ID>", text)


def test_empty_sets_are_self_closed_and_empty_scalars_are_not(sim):
    farm_id = sim.control("add_farm", {"env_id": 1, "name": "empty",
                                          "roles": [{"alias": "base", "min": 1, "max": 1}]}).body["farm_id"]
    events = query_api_post(sim.url, "EventsList", FarmID=str(farm_id)).text
    assert "<TotalRecords>0</TotalRecords><StartFrom>0</StartFrom><RecordsLimit>20</RecordsLimit><EventSet/>" in events
    details = query_api_post(sim.url, "FarmGetDetails", FarmID=str(farm_id)).text
    assert "<ServerSet/>" in details and "<ScalingAlgorithmSet/>" in details
    assert "<IsLocked></IsLocked>" in details  # unlocked: empty, as in the scalr-client-core capture
    assert "<Comments></Comments>" in query_api_post(sim.url, "FarmsList").text


def test_values_with_markup_go_in_cdata(sim, v1):
    text = query_api_post(sim.url, "ScriptsList").text
    assert "<Description><![CDATA[Warns above a threshold <90%> & mails]]></Description>" in text
    scripts = {s.name: s for s in v1.list_scripts(env_id=1)}
    assert scripts["Check disk"].description == "Warns above a threshold <90%> & mails"


def test_error_is_http_200_with_the_literal_format(sim):
    response = query_api_post(sim.url, "FarmGetDetails", FarmID="999")
    assert response.status_code == 200
    assert re.fullmatch(r'<\?xml version="1.0"\?>\n<Error>\n\t<TransactionID>[0-9a-f-]{36}</TransactionID>\n'
                        r'\t<Message>Farm ID#999 not found</Message>\n</Error>\n', response.text)


def test_unknown_action_and_missing_parameter(sim):
    assert "<Message>Action 'FarmExplode' is not defined</Message>" in query_api_post(sim.url, "FarmExplode").text
    assert "<Message>Missing required parameter 'FarmID'</Message>" in query_api_post(sim.url, "FarmLaunch").text
    # EnvironmentsList only exists from 2.3.0 on
    assert "is not defined" in query_api_post(sim.url, "EnvironmentsList", version="2.2.0").text


FARM_ROLE_ORDER = ["ID", "RoleID", "Name", "Alias", "Platform", "Category", "ScalingProperties",
                   "PlatformProperties", "ServerSet", "CloudLocation", "IsScalingEnabled", "ScalingAlgorithmSet"]
SERVER_ORDER = ["ServerID", "ExternalIP", "InternalIP", "PublicIP", "PrivateIP", "CloudLocation",
                "CloudLocationZone", "Status", "IsInitFailed", "IsRebooting", "Index", "ScalarizrVersion", "Uptime",
                "IsDbMaster", "PlatformProperties"]


def test_farm_get_details_element_order(sim):
    locked = farm_named(sim, 1, "db-prod")
    root = fromstring(query_api_post(sim.url, "FarmGetDetails", FarmID=str(locked.id)).content)
    assert [child.tag for child in root] == ["TransactionID", "Farm", "FarmRoleSet", "ID", "Name", "IsLocked",
                                             "LockComment", "LockedBy"]
    assert [child.tag for child in root.find("Farm")] == ["ID", "Status"]
    role = root.find("FarmRoleSet/Item")
    assert [child.tag for child in role] == FARM_ROLE_ORDER
    assert [child.tag for child in role.find("ScalingProperties")] == ["MinInstances", "MaxInstances"]
    assert [child.tag for child in role.find("PlatformProperties")] == ["InstanceType", "AvailabilityZone"]
    server = role.find("ServerSet/Item")
    assert [child.tag for child in server] == SERVER_ORDER
    assert [child.tag for child in server.find("PlatformProperties")] == ["InstanceType", "AvailabilityZone",
                                                                          "AMIID", "InstanceID"]
    assert root.findtext("IsLocked") == "1"
    assert re.fullmatch(r"\d+(\.\d{1,2})?", server.findtext("Uptime"))


def test_openstack_farm_role_platform_properties(sim):
    cache = farm_named(sim, 1, "cache-prod")
    role = fromstring(query_api_post(sim.url, "FarmGetDetails", FarmID=str(cache.id)).content).find("FarmRoleSet/Item")
    assert [child.tag for child in role.find("PlatformProperties")] == ["FlavorID", "FloatingIPPool"]
    assert role.find("ServerSet/Item/PlatformProperties") is None


def test_unescaped_error_message_is_still_read(v1):
    """Scalr does not escape <Error> messages, so "&" makes the document invalid XML."""
    with pytest.raises(errors.NotFound) as caught:
        v1.list_dns_records(env_id=1, zone_name="a&b.example.com")
    assert caught.value.message == "DNS zone 'a&b.example.com' not found in database"
    assert len(caught.value.request_id) == 36


def test_pretty_printed_documents_are_tolerated():
    body = b"""<?xml version="1.0"?>
<FarmsListResponse>
  <TransactionID>abc</TransactionID>
  <FarmSet>
    <Item>
      <ID>7</ID>
      <Name>web</Name>
      <Status>3</Status>
      <Comments/>
    </Item>
  </FarmSet>
</FarmsListResponse>
"""
    root = query_xml.parse("FarmsList", body)
    item, = query_xml.items(root, "FarmSet")
    assert query_xml.number(item, "ID") == 7
    assert (query_xml.text(item, "Name"), query_xml.text(item, "Comments")) == ("web", "")


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><FarmsListResponse>&b;'
    b'</FarmsListResponse>',
    b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><FarmsListResponse>&e;'
    b'</FarmsListResponse>',
    b'<?xml version="1.0"?>\n<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd"><FarmsListResponse>&e;'
    b'</FarmsListResponse>',
    b'<?xml version="1.0"?>\n<FarmsListResponse><FarmSet><Item>',
    b'<?xml version="1.0"?>\n<FarmGetDetailsResponse></FarmGetDetailsResponse>',
])
def test_hostile_or_broken_xml_is_a_protocol_error(body):
    with pytest.raises(errors.ProtocolError):
        query_xml.parse("FarmsList", body)


def test_deprecated_actions_on_5x(sim, v1):
    with pytest.raises(Deprecated) as caught:
        v1.list_dm_sources(env_id=1)
    assert caught.value.message == "Deployments feature was deprecated and no longer available."
    with pytest.raises(Deprecated, match="^FarmGetStats method is deprecated and no longer supported"):
        v1.farm_stats(env_id=1, farm_id=1)
    assert caught.value.kind == "deprecated"


def test_array_parameters_and_get_over_post(sim):
    """ConfigVariables[name]=value arrive as an array; the query string wins over the form."""
    web = farm_named(sim, 1, "web-prod")
    response = query_api_post(sim.url, "ScriptExecute", ScriptID="100", Timeout="30", Async="1", FarmID=str(web.id),
                              **{"ConfigVariables[release]": "v2", "ConfigVariables[service_name]": "app"})
    assert "<Result>1</Result>" in response.text
    logs = [entry.message for entry in sim.world.logs[web.id][-5:]]
    assert any("with release=v2, service_name=app" in message for message in logs)


def test_details_answered_again_with_grown_uptimes_are_recognised_unread(sim, v1):
    """Uptime grows with the clock and the transaction id is new every time: neither makes the
    answer different. Anything else does."""
    web = farm_named(sim, 1, "web-prod")
    first = v1.farm_details(env_id=1, farm_id=web.id)
    assert first.fingerprint
    servers = sim.world.servers_of(farm_id=web.id)
    for server in servers:
        server.added -= 600  # as if ten minutes had passed: every <Uptime> of the answer grows
    again = v1.farm_details(env_id=1, farm_id=web.id, known=first.fingerprint)
    assert again == r.Unchanged(farm_id=web.id, env_id=1, fingerprint=first.fingerprint)
    reread = v1.farm_details(env_id=1, farm_id=web.id)  # without `known`, always read
    assert isinstance(reread, r.FarmDetails) and reread.fingerprint == first.fingerprint

    sim.control("set_server_status", {"server_id": servers[0].id, "status": "Pending terminate"})
    changed = v1.farm_details(env_id=1, farm_id=web.id, known=first.fingerprint)
    assert isinstance(changed, r.FarmDetails) and changed.fingerprint != first.fingerprint
    assert next(s for s in changed.servers if s.id == servers[0].id).status == r.ServerStatus.PENDING_TERMINATE


def test_answer_fingerprint_ignores_only_the_volatile_parts():
    base = (b'<?xml version="1.0"?>\n<FarmGetDetailsResponse><TransactionID>%s</TransactionID><FarmRoleSet><Item>'
            b'<ServerSet><Item><ServerID>s-1</ServerID><Status>%s</Status><Uptime>%s</Uptime></Item></ServerSet>'
            b'</Item></FarmRoleSet></FarmGetDetailsResponse>\n')
    one = query_xml.answer_fingerprint(base % (b"a-1", b"Running", b"12.5"))
    assert query_xml.answer_fingerprint(base % (b"b-2", b"Running", b"13.75")) == one
    assert query_xml.answer_fingerprint(base % (b"a-1", b"Pending terminate", b"12.5")) != one
