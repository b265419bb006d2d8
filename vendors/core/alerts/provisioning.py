"""The provisioning file's `notification_channels`: each entry validated by the page's own form.

    notification_channels:
      - name: ops-webhook
        team: platform
        kind: webhook              # webhook | slack | email
        url_env: OPS_WEBHOOK_URL   # the URL is a secret (Slack's carries its key)
        signing_secret_env: OPS_WEBHOOK_SECRET   # optional
        min_severity: warning      # notice | warning | critical
      - name: oncall-mail
        team: platform
        kind: email
        to: [oncall@example.com]

Secrets come from the environment variables the entry names, never from the file; a secret equal to
the stored one is left out, so the same file twice changes nothing. A new URL asks for the signing
secret again, as the page does. Channels the file does not list are left alone.
"""

from __future__ import annotations

from collections.abc import Mapping

from console.audit.services import audit_record
from console.teams.models import Team
from console.teams.selectors import provisioned_team
from vendors.core.alerts.forms import ChannelForm
from vendors.core.alerts.models import Channel, ChannelKind, Severity
from vendors.core.errors import SecretUnreadable

KEYS = {"name", "team", "kind", "url_env", "signing_secret_env", "min_severity", "to", "enabled"}
#: form field -> the file's key
YAML_KEYS = {"url": "url_env", "signing_secret": "signing_secret_env", "clear_signing_secret": "signing_secret_env",
             "recipients": "to"}


class ChannelEntryError(Exception):
    pass


def channel_provision(entry, where: str, environ: Mapping[str, str], *, actor: str) -> tuple[str, str]:
    """Create or update one channel; returns ("created" | "updated" | "unchanged", its label)."""
    if not isinstance(entry, dict):
        raise ChannelEntryError(f"{where}: each channel must be a mapping.")
    label = f"{where} ({entry.get('name', 'unnamed')})"
    unknown = set(entry) - KEYS
    if unknown:
        raise ChannelEntryError(f"{label}: unknown keys {', '.join(sorted(unknown))}; channels take "
                                f"{', '.join(sorted(KEYS))}.")
    if not entry.get("name"):
        raise ChannelEntryError(f"{where}: field 'name' is required.")
    team = provisioned_team(name=entry.get("team"), label=label, error=ChannelEntryError)
    severity = Severity.from_name(entry.get("min_severity", "warning"))
    if severity is None:
        raise ChannelEntryError(f"{label}: field 'min_severity': one of notice, warning, critical, "
                                f"not {entry.get('min_severity')!r}.")
    to = entry.get("to") or []
    if not isinstance(to, (list, str)) or isinstance(to, list) and not all(isinstance(a, str) for a in to):
        raise ChannelEntryError(f"{label}: field 'to': a list of email addresses.")
    instance = Channel.objects.filter(name=entry["name"]).first()
    data = {"name": entry["name"], "team": team.pk, "kind": entry.get("kind", ChannelKind.WEBHOOK),
            "min_severity": severity, "recipients": ", ".join(to) if isinstance(to, list) else to}
    if entry.get("enabled", True) is not False:
        data["enabled"] = "on"
    secrets = {name: _from_environment(entry, name, environ, label) for name in ("url", "signing_secret")}
    unchanged = {name: value for name, value in secrets.items() if value and _same(instance, name, value)}
    data.update({name: value for name, value in secrets.items() if value and name not in unchanged})
    form = ChannelForm(data, instance=instance, teams=Team.objects.all())
    if not form.is_valid() and "signing_secret" in unchanged and form.moved():  # given again for the new URL
        form = ChannelForm({**data, **unchanged}, instance=instance, teams=Team.objects.all())
    if not form.is_valid():
        problems = "; ".join(f"field '{YAML_KEYS.get(name, name)}': {' '.join(errors)}"
                             for name, errors in form.errors.items())
        raise ChannelEntryError(f"{label}: {problems}")
    changes = [name for name in form.changed_data if name not in ("url", "signing_secret", "clear_signing_secret")]
    if instance is not None and not changes and not any(name in data for name in secrets):
        return "unchanged", f"channel {instance.name}"
    channel = form.save()
    audit_record(actor=actor, verb="channel.create" if instance is None else "channel.update", target=channel,
                 team=channel.team, message="" if instance is None else form.changed_sentence(),
                 detail={"fields": changes, "secrets_changed": form.changed_secrets})
    return ("created" if instance is None else "updated"), f"channel {channel.name}"


def _from_environment(entry, name: str, environ, label: str) -> str:
    variable = entry.get(f"{name}_env")
    if variable is None:
        return ""
    if not environ.get(variable):
        raise ChannelEntryError(f"{label}: field '{name}_env' names the environment variable {variable}, "
                                "which is not set.")
    return environ[variable]


def _same(instance: Channel | None, name: str, value: str) -> bool:
    if instance is None or not instance.secrets.is_set(name):
        return False
    try:
        return instance.secrets.get(name) == value
    except SecretUnreadable:
        return False
