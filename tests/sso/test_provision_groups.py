"""`sso_groups` in the provisioning file: validated like the rest, the whole mapping, idempotent."""

import pytest
from django.core.management import CommandError, call_command

from console.audit.models import AuditEvent
from console.teams.models import SsoGroupMapping, Team

pytestmark = pytest.mark.django_db

TEAMS = """
teams:
  - name: platform
  - name: data
"""


def provision(tmp_path, text):
    path = tmp_path / "console.yaml"
    path.write_text(TEAMS + text)
    call_command("provision", str(path))


def mapping():
    return {(m.group, m.team.name, m.role) for m in SsoGroupMapping.objects.all()}


GROUPS = """
sso_groups:
  - group: ops-admins
    team: platform
    role: admin
  - group: ops-viewers
    team: platform
    role: viewer
  - group: ops-admins
    team: data
    role: operator
"""


def test_sso_groups_are_written_once_and_audited(tmp_path):
    provision(tmp_path, GROUPS)
    assert mapping() == {("ops-admins", "platform", "admin"), ("ops-viewers", "platform", "viewer"),
                         ("ops-admins", "data", "operator")}
    events = AuditEvent.objects.filter(verb__startswith="sso_group.")
    assert events.count() == 3 and {e.actor_label for e in events} == {"provision"}

    provision(tmp_path, GROUPS)
    assert AuditEvent.objects.filter(verb__startswith="sso_group.").count() == 3


def test_the_file_is_the_whole_mapping(tmp_path):
    provision(tmp_path, GROUPS)
    provision(tmp_path, """
sso_groups:
  - group: ops-admins
    team: platform
    role: operator
""")
    assert mapping() == {("ops-admins", "platform", "operator")}
    assert AuditEvent.objects.filter(verb="sso_group.remove").count() == 2
    set_again = AuditEvent.objects.filter(verb="sso_group.set").order_by("-pk").first()
    assert set_again.detail == {"role": "operator"}


def test_a_file_without_sso_groups_leaves_the_mapping_alone(tmp_path):
    provision(tmp_path, GROUPS)
    provision(tmp_path, "")
    assert len(mapping()) == 3
    provision(tmp_path, "sso_groups: []\n")
    assert mapping() == set()


@pytest.mark.parametrize("entries, error", [
    ("  - {group: ops-admins, team: platform, role: owner}",
     "sso_groups[0] (ops-admins): field 'role': must be one of viewer, operator, admin, not 'owner'."),
    ("  - {group: ops-admins, team: payments, role: admin}",
     "sso_groups[0] (ops-admins): field 'team': no team named 'payments' (list it under 'teams' first)."),
    ("  - {group: ops-admins, team: platform}",
     "sso_groups[0] (ops-admins): missing 'role' (each entry needs 'group', 'team' and 'role')."),
    ("  - {group: ops-admins, team: platform, role: admin}\n  - {role: admin}",
     "sso_groups[1]: missing 'group', 'team' (each entry needs 'group', 'team' and 'role')."),
    ("  - {group: ops-admins, team: platform, role: admin, members: [alice]}",
     "sso_groups[0] (ops-admins): unknown keys members (expected group, team, role)."),
    ("  - ops-admins", "sso_groups[0]: each entry must be a mapping with 'group', 'team' and 'role'."),
    ("  - {group: ops-admins, team: platform, role: admin}\n  - {group: ops-admins, team: platform, role: viewer}",
     "sso_groups[1] (ops-admins): group 'ops-admins' is already mapped to team 'platform' above."),
])
def test_a_bad_entry_names_itself_and_changes_nothing(tmp_path, entries, error):
    provision(tmp_path, GROUPS)
    with pytest.raises(CommandError) as raised:
        provision(tmp_path, "  - name: payments-new\nsso_groups:\n" + entries + "\n")
    assert str(raised.value) == f"Nothing was changed. {error}"
    assert len(mapping()) == 3
    assert not Team.objects.filter(name="payments-new").exists()


def test_sso_groups_must_be_a_list(tmp_path):
    with pytest.raises(CommandError, match=r"sso_groups: must be a list of \{group, team, role\} entries."):
        provision(tmp_path, "sso_groups: {group: ops-admins}\n")
