"""Configuration as code: create or update teams and connections from a YAML document.

Each connection entry is validated by the vendor's own connection form, so the file and
the web page accept exactly the same values. Secrets come from environment variables the
entry names (`<secret>_env: VAR`), never from the file. Everything happens in one
transaction: a bad entry changes nothing. Running the same file twice changes nothing
(an unchanged secret is compared after decryption, not re-encrypted), except that a changed URL
or region needs every secret given again, as the form asks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml
from django.db import transaction
from django.utils.text import slugify

from console.audit.services import audit_record
from console.teams.models import Membership, Role, SsoGroupMapping, Team
from console.teams.selectors import provisioned_team
from vendors.core import registry
from vendors.core.alerts.provisioning import ChannelEntryError, channel_provision
from vendors.core.errors import SecretUnreadable

ACTOR = "provision"
#: YAML key -> form field, for the fields every connection has
COMMON_KEYS = {"name": "name", "team": "team", "url": "base_url", "poll_seconds": "poll_seconds",
               "enabled": "enabled"}


class ProvisionError(Exception):
    pass


@dataclass
class ProvisionReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"
                + "".join(f"\n  created {n}" for n in self.created)
                + "".join(f"\n  updated {n}" for n in self.updated))


def provision_file(path: str, *, environ: Mapping[str, str] | None = None) -> ProvisionReport:
    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
    except OSError as exc:
        raise ProvisionError(f"Cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ProvisionError(f"{path} is not valid YAML: {exc}") from None
    return provision(document, environ=os.environ if environ is None else environ)


def provision(document, *, environ: Mapping[str, str], inline_secrets: bool = False) -> ProvisionReport:
    """Apply a provisioning document. `inline_secrets` (the demo only) allows `<secret>: value`."""
    if not isinstance(document, dict):
        raise ProvisionError("The file must be a mapping with 'teams', 'connections', 'sso_groups' and/or "
                             "'notification_channels'.")
    unknown = set(document) - {"teams", "connections", "sso_groups", "notification_channels"}
    if unknown:
        raise ProvisionError(f"Unknown top-level keys: {', '.join(sorted(unknown))} "
                             "(expected teams, connections, sso_groups, notification_channels).")
    report = ProvisionReport()
    with transaction.atomic():
        for index, entry in enumerate(document.get("teams") or []):
            _team(entry, f"teams[{index}]", report)
        for index, entry in enumerate(document.get("connections") or []):
            _connection(entry, f"connections[{index}]", environ, inline_secrets, report)
        if "sso_groups" in document:
            _sso_groups(document["sso_groups"] or [], report)
        for index, entry in enumerate(document.get("notification_channels") or []):
            try:
                outcome, label = channel_provision(entry, f"notification_channels[{index}]", environ, actor=ACTOR)
            except ChannelEntryError as exc:
                raise ProvisionError(str(exc)) from None
            getattr(report, outcome).append(label)
    return report


def _team(entry, where: str, report: ProvisionReport) -> None:
    if not isinstance(entry, dict) or not entry.get("name"):
        raise ProvisionError(f"{where}: each team needs a 'name'.")
    unknown = set(entry) - {"name", "slug", "members"}
    if unknown:
        raise ProvisionError(f"{where} ({entry['name']}): unknown keys {', '.join(sorted(unknown))}.")
    name = str(entry["name"])
    slug = entry.get("slug") or slugify(name)
    team = Team.objects.filter(name=name).first()
    if team is None:
        team = Team.objects.create(name=name, slug=slug)
        audit_record(actor=ACTOR, verb="team.create", target=team, team=team)
        report.created.append(f"team {name}")
    from django.contrib.auth import get_user_model

    for position, member in enumerate(entry.get("members") or []):
        spot = f"{where} ({name}) members[{position}]"
        if not isinstance(member, dict) or "username" not in member:
            raise ProvisionError(f"{spot}: each member needs a 'username' (and a 'role').")
        role = member.get("role", Role.VIEWER)
        if role not in Role.values:
            raise ProvisionError(f"{spot}: role must be one of {', '.join(Role.values)}, not {role!r}.")
        user = get_user_model().objects.filter(username=member["username"]).first()
        if user is None:
            raise ProvisionError(f"{spot}: no user named {member['username']!r}; create the user first.")
        membership, created = Membership.objects.get_or_create(team=team, user=user, defaults={"role": role})
        if created or membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
            audit_record(actor=ACTOR, verb="member.add" if created else "member.role", target=membership,
                         team=team, detail={"role": role})
            report.updated.append(f"member {user.username} of {name}")


def _sso_groups(entries, report: ProvisionReport) -> None:
    """The file's `sso_groups` are the whole mapping: entries it no longer lists are removed. A file
    without the key leaves the mapping alone. Memberships change at each person's next sign-in."""
    if not isinstance(entries, list):
        raise ProvisionError("sso_groups: must be a list of {group, team, role} entries.")
    wanted: dict[tuple[str, int], tuple[Team, str]] = {}
    for index, entry in enumerate(entries):
        where = f"sso_groups[{index}]"
        if not isinstance(entry, dict):
            raise ProvisionError(f"{where}: each entry must be a mapping with 'group', 'team' and 'role'.")
        label = f"{where} ({entry['group']})" if entry.get("group") else where
        missing = [key for key in ("group", "team", "role") if entry.get(key) in (None, "")]
        if missing:
            raise ProvisionError(f"{label}: missing {', '.join(repr(key) for key in missing)} "
                                 "(each entry needs 'group', 'team' and 'role').")
        unknown = set(entry) - {"group", "team", "role"}
        if unknown:
            raise ProvisionError(f"{label}: unknown keys {', '.join(sorted(unknown))} (expected group, team, role).")
        if entry["role"] not in Role.values:
            raise ProvisionError(f"{label}: field 'role': must be one of {', '.join(Role.values)}, "
                                 f"not {entry['role']!r}.")
        team = provisioned_team(name=entry["team"], label=label, error=ProvisionError)
        key = (str(entry["group"]), team.pk)
        if key in wanted:
            raise ProvisionError(f"{label}: group {key[0]!r} is already mapped to team {team.name!r} above.")
        wanted[key] = (team, entry["role"])
    held = {(m.group, m.team_id): m for m in SsoGroupMapping.objects.select_related("team")}
    for (group, team_id), (team, role) in wanted.items():
        mapping = held.get((group, team_id))
        if mapping is not None and mapping.role == role:
            continue
        if mapping is None:
            mapping = SsoGroupMapping.objects.create(group=group, team=team, role=role)
            report.created.append(f"sso group {group} -> {team.name}")
        else:
            mapping.role = role
            mapping.save(update_fields=["role"])
            report.updated.append(f"sso group {group} -> {team.name}")
        audit_record(actor=ACTOR, verb="sso_group.set", target=mapping, team=team, detail={"role": role})
    for key, mapping in held.items():
        if key not in wanted:
            audit_record(actor=ACTOR, verb="sso_group.remove", target=mapping, team=mapping.team)
            report.updated.append(f"sso group {mapping.group} -> {mapping.team.name} removed")
            mapping.delete()


def _connection(entry, where: str, environ, inline_secrets: bool, report: ProvisionReport) -> None:
    if not isinstance(entry, dict):
        raise ProvisionError(f"{where}: each connection must be a mapping.")
    label = f"{where} ({entry.get('name', 'unnamed')})"
    try:
        spec = registry.get(str(entry.get("vendor", "")))
    except LookupError as exc:
        raise ProvisionError(f"{label}: field 'vendor': {exc}") from None
    form_class = spec.form_class
    allowed = set(COMMON_KEYS) | set(form_class.settings_fields) | {"vendor"}
    allowed |= {f"{name}_env" for name in spec.secret_fields}
    if inline_secrets:
        allowed |= set(spec.secret_fields)
    unknown = set(entry) - allowed
    if unknown:
        raise ProvisionError(f"{label}: unknown keys {', '.join(sorted(unknown))}; "
                             f"{spec.label} connections take {', '.join(sorted(allowed - {'vendor'}))}.")
    if not entry.get("name"):
        raise ProvisionError(f"{where}: field 'name' is required.")
    team = provisioned_team(name=entry.get("team"), label=label, error=ProvisionError)

    model = spec.connection_model
    instance = model.objects.filter(name=entry["name"]).first()
    form_probe = form_class(instance=instance) if instance else form_class()
    data = {}
    for field_name in form_probe.fields:
        if field_name.startswith(("secret_", "clear_")):
            continue
        value = form_probe.initial.get(field_name, form_probe.fields[field_name].initial)
        if hasattr(value, "pk"):
            value = value.pk
        if value is not None:
            data[field_name] = value
    for key, form_field in COMMON_KEYS.items():
        if key in entry:
            data[form_field] = entry[key]
    data["team"] = team.pk
    if instance is None and "enabled" not in entry:
        data["enabled"] = True
    for key in form_class.settings_fields:
        if key in entry:
            data[key] = entry[key]
    for key in [k for k, v in data.items() if v is False]:
        del data[key]  # an unchecked checkbox is an absent key in form data
    unchanged = {}  # secrets equal to the stored ones: left out, so the same file twice changes nothing
    for name in spec.secret_fields:
        value = entry.get(name) if inline_secrets else None
        variable = entry.get(f"{name}_env")
        if variable is not None:
            if variable not in environ or not environ[variable]:
                raise ProvisionError(f"{label}: field '{name}_env' names the environment variable {variable}, "
                                     "which is not set.")
            value = environ[variable]
        if value and _secret_unchanged(instance, name, value):
            unchanged[f"secret_{name}"] = value
        elif value:
            data[f"secret_{name}"] = value

    form = form_class(data, instance=instance, teams=Team.objects.all())
    if unchanged and form.moved_destinations():
        # a new URL or region: the secrets are given for it again, even the same ones (the form asks for them)
        form = form_class({**data, **unchanged}, instance=instance, teams=Team.objects.all())
    if not form.is_valid():
        problems = "; ".join(f"field '{_yaml_key(f)}': {' '.join(errs)}" for f, errs in form.errors.items())
        raise ProvisionError(f"{label}: {problems}")
    summary_changes = [f for f in form.changed_data if not f.startswith(("clear_",))]
    if instance is not None and not summary_changes:
        report.unchanged.append(f"{spec.name} {entry['name']}")
        return
    connection = form.save()
    audit_record(actor=ACTOR, verb="connection.create" if instance is None else "connection.update",
                 target=connection, team=connection.team, detail=form.changed_summary(),
                 message="" if instance is None else form.changed_sentence())
    (report.created if instance is None else report.updated).append(f"{spec.name} {connection.name}")


def _secret_unchanged(instance, name: str, value: str) -> bool:
    if instance is None or not instance.secrets.is_set(name):
        return False
    try:
        return instance.secrets.get(name) == value
    except SecretUnreadable:
        return False


def _yaml_key(form_field: str) -> str:
    if form_field.startswith("secret_"):
        return f"{form_field[len('secret_'):]}_env"
    reverse = {v: k for k, v in COMMON_KEYS.items()}
    return reverse.get(form_field, form_field)
