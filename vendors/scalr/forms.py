"""The Scalr connection form (also what `provision` validates) and the action forms."""

from __future__ import annotations

import re
import secrets

from django import forms

from vendors.core.forms import BASE_FIELDS, ConnectionForm
from vendors.scalr.models import ScalrConnection

API_CHOICES = [("v2", "APIv2 (Scalr 5.11 and later)"), ("v1", "Query API (legacy, version 2.3.0)")]
CALLBACK_SECRET = "callback_token"


class IdListField(forms.Field):
    """Environment ids as "1, 5" in the page or `[1, 5]` in a provisioning file."""

    widget = forms.TextInput

    def to_python(self, value) -> list[int]:
        if value in (None, "", []):
            return []
        items = value if isinstance(value, (list, tuple)) else re.split(r"[\s,;]+", str(value).strip())
        try:
            return sorted({int(item) for item in items if str(item).strip()})
        except (TypeError, ValueError):
            raise forms.ValidationError("Give environment ids as numbers separated by commas, e.g. 1, 5.") from None

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(str(item) for item in value)
        return value


class ScalrConnectionForm(ConnectionForm):
    secret_fields = {"key_id": "API key ID", "secret": "Secret key"}
    required_secrets = frozenset({"key_id", "secret"})
    settings_fields = ("api", "env_ids", "hourly_limit")
    # both API generations go to the one Scalr URL (the Query API to /api/api.php, APIv2 to /api/v1beta0/)
    destination_fields = ("base_url",)

    api = forms.ChoiceField(label="API generation", choices=API_CHOICES, initial="v2",
                            help_text="Installations that never moved past the Query API use v1; the pages look "
                                      "the same, and what one generation lacks says so.")
    env_ids = IdListField(label="Environment IDs", required=False,
                          help_text="Optional, e.g. 1, 5. Blank: every environment the key can see.")
    hourly_limit = forms.IntegerField(
        label="Query API requests per hour per environment", min_value=0, initial=10_000, required=False,
        help_text="Scalr's default is 10,000; polls plan their calls to stay under it. 0: no limit. "
                  "Ignored on APIv2.")

    class Meta:
        model = ScalrConnection
        fields = BASE_FIELDS
        labels = {"base_url": "Scalr URL"}
        help_texts = {"base_url": "The Scalr server, e.g. https://my.scalr.com (hosted or self-run)."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base_url"].required = True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("hourly_limit") is None:
            cleaned["hourly_limit"] = 10_000
        return cleaned

    def save(self, commit: bool = True):
        connection = super().save(commit=False)
        if not connection.secrets.is_set(CALLBACK_SECRET):
            connection.secrets.set(CALLBACK_SECRET, new_callback_token())
        if commit:
            connection.save()
        return connection


def new_callback_token() -> str:
    return secrets.token_urlsafe(32)


# -- action forms ------------------------------------------------------------------------------
class TerminateFarmForm(forms.Form):
    keep_ebs = forms.BooleanField(label="Keep EBS volumes", required=False)
    keep_eip = forms.BooleanField(label="Keep Elastic IPs", required=False)
    keep_dns_zone = forms.BooleanField(label="Keep the DNS zone", required=False)
    force = forms.BooleanField(label="Force (skip graceful shutdown)", required=False)

    def __init__(self, *args, api: str, **kwargs):
        super().__init__(*args, **kwargs)
        unused = ("force",) if api == "v1" else ("keep_ebs", "keep_eip", "keep_dns_zone")
        for name in unused:
            del self.fields[name]


class CloneFarmForm(forms.Form):
    name = forms.CharField(label="Name of the clone", max_length=255, required=False)

    def __init__(self, *args, api: str, **kwargs):
        super().__init__(*args, **kwargs)
        if api == "v1":  # FarmClone names the copy itself
            del self.fields["name"]


class LockFarmForm(forms.Form):
    comment = forms.CharField(label="Why is it locked?", max_length=500)
    unlock_permission = forms.ChoiceField(label="Who may unlock it", initial="owner", required=False,
                                          choices=[("owner", "The owner"), ("team", "The team"),
                                                   ("anyone", "Anyone")])

    def clean_unlock_permission(self):
        return self.cleaned_data.get("unlock_permission") or "owner"


class LaunchServerForm(forms.Form):
    increase_max_instances = forms.BooleanField(label="Raise max instances if reached", required=False)


class RebootServerForm(forms.Form):
    hard = forms.BooleanField(label="Hard reboot", required=False)


class TerminateServerForm(forms.Form):
    decrease_min_instances = forms.BooleanField(label="Decrease min instances", required=False)
    force = forms.BooleanField(label="Force", required=False)

    def __init__(self, *args, api: str, **kwargs):
        super().__init__(*args, **kwargs)
        if api == "v1":
            del self.fields["force"]


class CreateImageForm(forms.Form):
    role_name = forms.RegexField(label="Name of the new role", regex=r"^[A-Za-z0-9][A-Za-z0-9._-]{2,100}$",
                                 error_messages={"invalid": "3 to 100 letters, digits, dots, dashes, underscores."})


class ExecuteScriptForm(forms.Form):
    target = forms.ChoiceField(label="Run on")
    revision = forms.TypedChoiceField(label="Revision", coerce=int, widget=forms.HiddenInput)
    timeout = forms.IntegerField(label="Timeout (seconds)", min_value=1, max_value=86_400, initial=180)
    blocking = forms.BooleanField(label="Wait for the script to finish (blocking)", required=False)

    def __init__(self, *args, targets: list[tuple[str, str]], revisions: list[int], variables: list[str],
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets
        self.fields["revision"].choices = [(n, f"Revision {n}") for n in revisions]
        if revisions:
            self.fields["revision"].initial = revisions[0]
        self.variable_names = variables
        for name in variables:
            self.fields[f"var_{name}"] = forms.CharField(label=f"%{name}%", required=False, max_length=2000)

    def config_variables(self) -> dict[str, str]:
        return {name: self.cleaned_data[f"var_{name}"] for name in self.variable_names
                if self.cleaned_data.get(f"var_{name}")}


NO_PRIVATE_ON_V1 = ("The Query API (GlobalVariableSet) has no private flag: mark the variable private in Scalr, "
                    "or use an APIv2 connection.")


class GlobalVariableForm(forms.Form):
    name = forms.RegexField(regex=r"^[A-Za-z_][A-Za-z0-9_]{0,127}$", max_length=128,
                            error_messages={"invalid": "Letters, digits and underscores, not starting with a digit."})
    value = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, strip=False)
    private = forms.BooleanField(
        label="Private", required=False,
        help_text="Once saved, the value is never shown again, to anyone (Scalr's hidden flag); servers "
                  "still read it.")

    def __init__(self, *args, api: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.api = api
        if api == "v1":
            self.fields["private"].help_text = NO_PRIVATE_ON_V1
        if self.is_bound and self.fields["private"].clean(self.data.get("private")):
            self.fields["value"].widget = SecretTextarea(attrs={"rows": 2})  # a refused form never shows it

    def clean_private(self):
        if self.cleaned_data["private"] and self.api == "v1":
            raise forms.ValidationError(NO_PRIVATE_ON_V1)
        return self.cleaned_data["private"]


class DnsZoneForm(forms.Form):
    environment = forms.TypedChoiceField(label="Environment", coerce=int)
    domain_name = forms.RegexField(label="Domain name", max_length=255,
                                   regex=r"^(?=.{1,253}$)([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}$",
                                   error_messages={"invalid": "Enter a domain such as example.com."})
    farm = forms.TypedChoiceField(label="Farm (optional)", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, environments, farms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["environment"].choices = [(e.pk, e.label) for e in environments]
        self.fields["farm"].choices = [("", "No farm")] + [(f.pk, f"{f.name} ({f.environment.name})") for f in farms]


class DnsRecordForm(forms.Form):
    TYPES = ["A", "MX", "CNAME", "NS", "TXT", "SRV"]
    type = forms.ChoiceField(choices=[(t, t) for t in TYPES])
    name = forms.CharField(max_length=255, help_text="e.g. www, or @ for the zone itself")
    value = forms.CharField(max_length=1000)
    ttl = forms.IntegerField(label="TTL (seconds)", min_value=60, max_value=604_800, initial=3600)
    priority = forms.IntegerField(min_value=0, max_value=65_535, initial=0, required=False,
                                  help_text="MX and SRV only")
    weight = forms.IntegerField(min_value=0, max_value=65_535, initial=0, required=False, help_text="SRV only")
    port = forms.IntegerField(min_value=0, max_value=65_535, initial=0, required=False, help_text="SRV only")


class SecretTextarea(forms.Textarea):
    """A textarea that never renders a value back (SSL keys are write-only)."""

    def format_value(self, value):
        return None


class ApacheVhostForm(forms.Form):
    farm_role = forms.TypedChoiceField(label="Farm role", coerce=int)
    domain_name = DnsZoneForm.base_fields["domain_name"]
    document_root = forms.RegexField(label="Document root", regex=r"^/[^\0]{0,250}$", initial="/var/www",
                                     error_messages={"invalid": "An absolute path, e.g. /var/www/app."})
    ssl = forms.BooleanField(label="Enable SSL", required=False)
    ssl_private_key = forms.CharField(label="SSL private key (PEM)", required=False, strip=True,
                                      widget=SecretTextarea(attrs={"rows": 3, "autocomplete": "off",
                                                                   "spellcheck": "false"}),
                                      help_text="Write-only: sent to Scalr once, never shown again.")
    ssl_certificate = forms.CharField(label="SSL certificate (PEM)", required=False, strip=True,
                                      widget=SecretTextarea(attrs={"rows": 3, "spellcheck": "false"}))

    def __init__(self, *args, farm_roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm_role"].choices = [(fr.pk, f"{fr.farm.name} / {fr} ({fr.farm.environment.name})")
                                            for fr in farm_roles]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("ssl"):
            for name in ("ssl_private_key", "ssl_certificate"):
                if not cleaned.get(name):
                    self.add_error(name, "Required when SSL is enabled.")
                elif "-----BEGIN" not in cleaned[name]:
                    self.add_error(name, "Paste the PEM text, starting with -----BEGIN.")
        return cleaned


class DeployForm(forms.Form):
    application = forms.TypedChoiceField(label="Application", coerce=int)
    farm_role = forms.TypedChoiceField(label="Farm role", coerce=int)
    remote_path = forms.RegexField(label="Remote path", regex=r"^/[^\0]{0,250}$", initial="/var/www/app",
                                   error_messages={"invalid": "An absolute path, e.g. /var/www/app."})

    def __init__(self, *args, applications, farm_roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [(a.pk, f"{a.name} ({a.environment.label})") for a in applications]
        self.fields["farm_role"].choices = [(fr.pk, f"{fr.farm.name} / {fr} ({fr.farm.environment.name})")
                                            for fr in farm_roles]
