"""The connection form every vendor form extends; also what `provision` validates with.

Secrets are write-only: the field never renders a value, its help says "set" or "not
set", a blank field keeps the stored value and clearing is an explicit checkbox.
Vendor-specific plain settings are form fields listed in `settings_fields`; they are kept
in the connection's `settings` JSON.

A secret goes only where it was entered for: `destination_fields` are the fields that decide
where secrets are sent (URLs, a region). Changing one on a saved connection asks for every
secret that is set again (or its clearing), so a changed URL cannot collect the stored ones.
Every URL among them must also pass the outbound policy (`vendors.core.outbound`).
"""

from __future__ import annotations

from django import forms

from vendors.core import outbound
from vendors.core.models import POLL_SECONDS_MAX, POLL_SECONDS_MIN

BASE_FIELDS = ["name", "team", "base_url", "poll_seconds", "enabled"]


class ConnectionForm(forms.ModelForm):
    poll_seconds = forms.IntegerField(label="Poll interval (seconds)", initial=60, min_value=POLL_SECONDS_MIN,
                                      max_value=POLL_SECONDS_MAX,
                                      help_text=f"Between {POLL_SECONDS_MIN} and {POLL_SECONDS_MAX:,} seconds (a day).")
    secret_fields: dict[str, str] = {}
    required_secrets: frozenset[str] = frozenset()
    settings_fields: tuple[str, ...] = ()
    #: the fields deciding where secrets are sent; a vendor form lists its own (region, auth URL...)
    destination_fields: tuple[str, ...] = ("base_url",)

    # Each vendor form adds `class Meta: model = <its connection>; fields = BASE_FIELDS (+ its own)`.

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams
        self.fields["team"].empty_label = None
        for name in self.settings_fields:
            if name in self.instance.settings:
                self.initial.setdefault(name, self.instance.settings[name])
        self.changed_secrets: list[str] = []
        for name, label in self.secret_fields.items():
            is_set = self.instance.pk is not None and self.instance.secrets.is_set(name)
            self.fields[f"secret_{name}"] = forms.CharField(
                label=label,
                required=False,
                strip=True,
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                help_text="Set. Leave blank to keep it." if is_set else "Not set.",
            )
            if is_set:
                self.fields[f"clear_{name}"] = forms.BooleanField(required=False, label=f"Clear the {_lower_first(label)}")
        if any(self.instance.pk is not None and self.instance.secrets.is_set(name) for name in self.secret_fields):
            for name in self.destination_fields:
                field = self.fields[name]
                field.help_text = f"{field.help_text} Changing it asks for every secret again.".lstrip()

    def secret_status(self) -> list[tuple[str, bool]]:
        return [(label, self.instance.pk is not None and self.instance.secrets.is_set(name))
                for name, label in self.secret_fields.items()]

    def clean(self):
        cleaned = super().clean()
        self._check_destinations(cleaned)
        for name in self.secret_fields:
            value = cleaned.get(f"secret_{name}")
            clearing = cleaned.get(f"clear_{name}")
            if value and clearing:
                self.add_error(f"secret_{name}", "Either enter a new value or clear it, not both.")
            if name in self.required_secrets:
                will_be_set = bool(value) or (
                    self.instance.pk is not None and self.instance.secrets.is_set(name) and not clearing)
                if not will_be_set:
                    self.add_error(f"secret_{name}", "This secret is required.")
        return cleaned

    def _check_destinations(self, cleaned: dict) -> None:
        """URLs against the outbound policy; a moved destination needs every set secret entered again."""
        for name in self.destination_fields:
            if isinstance(self.fields[name], forms.URLField) and cleaned.get(name):
                try:
                    outbound.check_url(cleaned[name])
                except outbound.OutboundRefused as refused:
                    self.add_error(name, str(refused))
        moved_fields = self.moved_destinations()
        if not moved_fields:
            return
        moved = _and([str(self.fields[name].label or name) for name in moved_fields])
        for name, label in self.secret_fields.items():
            entered = cleaned.get(f"secret_{name}") or cleaned.get(f"clear_{name}")
            if self.instance.secrets.is_set(name) and not entered:
                self.add_error(f"secret_{name}", f"The {moved} changed: enter the {label} again "
                                                 "(or clear it). The stored one is never sent to a new address.")

    def moved_destinations(self) -> list[str]:
        """The destination fields this edit of a saved connection changes (none for a new one)."""
        if self.instance.pk is None:
            return []
        return [name for name in self.destination_fields if name in self.changed_data]

    def save(self, commit: bool = True):
        connection = super().save(commit=False)
        connection.settings = {**connection.settings,
                               **{name: self.cleaned_data.get(name) for name in self.settings_fields}}
        for name in self.secret_fields:
            value = self.cleaned_data.get(f"secret_{name}")
            if value:
                connection.secrets.set(name, value)
                self.changed_secrets.append(name)
            elif self.cleaned_data.get(f"clear_{name}"):
                connection.secrets.clear(name)
                self.changed_secrets.append(name)
        if commit:
            connection.save()
        return connection

    def changed_sentence(self) -> str:
        """The change in people's words for the audit log, e.g. "Changed name and poll interval
        (seconds); replaced the API token." (labels as the form shows them, never a value)."""
        labels = [str(self.fields[name].label or name).lower() for name in self.changed_data
                  if name in self.fields and not name.startswith(("secret_", "clear_"))]
        secrets = [self.secret_fields[name] for name in self.changed_secrets]
        parts = [f"changed {_and(labels)}"] if labels else []
        parts += [f"replaced or cleared the {_and(secrets)}"] if secrets else []
        sentence = "; ".join(parts)
        return sentence[:1].upper() + sentence[1:] + "." if parts else "Nothing changed."

    def changed_summary(self) -> dict:
        """What changed, for the audit log: plain field names, and secret names only."""
        plain = [name for name in self.changed_data if not name.startswith(("secret_", "clear_"))]
        return {"fields": plain, "secrets_changed": self.changed_secrets}


def _lower_first(label: str) -> str:
    """"API token" stays "API token", "Secret key" becomes "secret key"."""
    first, _, rest = label.partition(" ")
    return label if first.isupper() else first.lower() + (" " + rest if rest else "")


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
