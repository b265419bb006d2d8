"""A team's notification channel: the page's form, and what `provision` validates with.

The URL of a webhook or Slack channel is a secret (Slack's carries its key), as the signing secret
is: both write-only, as a connection's secrets are (a form never renders them; blank keeps the stored
value). The signing secret is bound to its URL: a new URL asks for it again (or its clearing), so the
stored secret never signs for an address it was not entered for. Every URL passes the outbound policy.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from vendors.core import outbound
from vendors.core.alerts.models import Channel, ChannelKind, Severity
from vendors.core.alerts.senders import where
from vendors.core.errors import SecretUnreadable

SECRET_LABELS = {"url": "URL", "signing_secret": "signing secret"}
MAX_RECIPIENTS = 20
SEVERITY_CHOICES = [(Severity.NOTICE, "Notice and above (every alert)"), (Severity.WARNING, "Warning and above"),
                    (Severity.CRITICAL, "Critical only")]


def _secret_widget():
    return forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})


class ChannelForm(forms.ModelForm):
    min_severity = forms.TypedChoiceField(label="Send alerts", choices=SEVERITY_CHOICES, coerce=int,
                                          initial=Severity.WARNING)
    url = forms.CharField(label="URL", required=False, max_length=2000, widget=_secret_widget(),
                          help_text="Webhook and Slack: where to post. It is a secret (Slack's carries its key): "
                                    "stored encrypted and never shown again.")
    signing_secret = forms.CharField(label="Signing secret", required=False, max_length=500,
                                     widget=_secret_widget(),
                                     help_text="Webhook, optional: each body is signed with HMAC-SHA256 in the "
                                               "X-Console-Signature header (sha256=<hex>).")
    clear_signing_secret = forms.BooleanField(label="Clear the signing secret", required=False)
    recipients = forms.CharField(label="Recipients", required=False, max_length=4000,
                                 help_text="Email: addresses separated by commas or spaces.")

    class Meta:
        model = Channel
        fields = ["name", "team", "kind", "min_severity", "enabled"]

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams
        self.fields["team"].empty_label = None
        self.fields["kind"].help_text = "Email goes through the console's mail server (EMAIL_URL)."
        self.initial.setdefault("recipients", ", ".join(self.instance.recipients or []))
        stored = self._is_set("url"), self._is_set("signing_secret")
        self.fields["url"].help_text += " Set: leave blank to keep it." if stored[0] else ""
        if stored[0] and stored[1]:
            self.fields["url"].help_text += " Changing it asks for the signing secret again."
        self.fields["signing_secret"].help_text += " Set: leave blank to keep it." if stored[1] else " Not set."
        if not stored[1]:
            del self.fields["clear_signing_secret"]
        self.changed_secrets: list[str] = []

    def _is_set(self, name: str) -> bool:
        return self.instance.pk is not None and self.instance.secrets.is_set(name)

    def clean_recipients(self) -> list[str]:
        addresses = [a for a in self.cleaned_data.get("recipients", "").replace(",", " ").split() if a]
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(f"“{address[:100]}” is not an email address.") from None
        if len(addresses) > MAX_RECIPIENTS:
            raise ValidationError(f"At most {MAX_RECIPIENTS} recipients.")
        return list(dict.fromkeys(addresses))

    def clean_url(self) -> str:
        url = self.cleaned_data.get("url", "").strip()
        if not url:
            return ""
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ValidationError("Enter an http:// or https:// URL.") from None
        try:
            outbound.check_url(url)
        except outbound.OutboundRefused as refused:
            raise ValidationError(str(refused)) from None
        return url

    def clean(self):
        cleaned = super().clean()
        kind, url = cleaned.get("kind"), cleaned.get("url")
        if kind == ChannelKind.EMAIL:
            if "recipients" in cleaned and not cleaned["recipients"]:
                self.add_error("recipients", "An email channel needs at least one recipient.")
        elif kind and not url and not self._is_set("url"):
            self.add_error("url", "A webhook or Slack channel needs its URL.")
        if cleaned.get("signing_secret") and cleaned.get("clear_signing_secret"):
            self.add_error("signing_secret", "Either enter a new value or clear it, not both.")
        if self.moved() and self._is_set("signing_secret") and not (
                cleaned.get("signing_secret") or cleaned.get("clear_signing_secret")):
            self.add_error("signing_secret", "The URL changed: enter the signing secret again (or clear it). "
                                             "The stored one never signs for a new address.")
        return cleaned

    def moved(self) -> bool:
        """Whether this edit gives a saved channel another URL than the stored one."""
        url = self.cleaned_data.get("url") if hasattr(self, "cleaned_data") else ""
        if not url or not self._is_set("url"):
            return False
        try:
            return self.instance.secrets.get("url") != url
        except SecretUnreadable:
            return True

    def url_unchanged(self) -> bool:
        url = self.cleaned_data.get("url")
        return bool(url) and self._is_set("url") and not self.moved()

    def save(self, commit: bool = True) -> Channel:
        channel = super().save(commit=False)
        channel.recipients = self.cleaned_data.get("recipients") or []
        url, secret = self.cleaned_data.get("url"), self.cleaned_data.get("signing_secret")
        if channel.kind == ChannelKind.EMAIL:
            for name in ("url", "signing_secret"):
                if channel.secrets.is_set(name):
                    channel.secrets.clear(name)
                    self.changed_secrets.append(name)
            channel.destination = ""
        else:
            if url and not self.url_unchanged():
                channel.secrets.set("url", url)
                channel.destination = where(url)
                self.changed_secrets.append("url")
            if secret:
                channel.secrets.set("signing_secret", secret)
                self.changed_secrets.append("signing_secret")
            elif self.cleaned_data.get("clear_signing_secret"):
                channel.secrets.clear("signing_secret")
                self.changed_secrets.append("signing_secret")
        if commit:
            channel.save()
        return channel

    def changed_sentence(self) -> str:
        """The change in words for the audit log: labels only, never a value."""
        labels = [str(self.fields[name].label).lower() for name in self.changed_data
                  if name in self.Meta.fields or name == "recipients"]
        parts = [f"changed {', '.join(labels)}"] if labels else []
        if self.changed_secrets:
            parts.append("replaced or cleared the " + " and ".join(SECRET_LABELS[n] for n in self.changed_secrets))
        sentence = "; ".join(parts)
        return sentence[:1].upper() + sentence[1:] + "." if parts else "Nothing changed."


DURATIONS = [("1h", "1 hour"), ("4h", "4 hours"), ("24h", "1 day"), ("7d", "1 week")]
_UNITS = {"m": 60, "h": 3600, "d": 86400}


class SilenceForm(forms.Form):
    """For how long (`duration`: 90m, 4h, 2d...) or until when (`until`, a date and time) nothing is sent."""

    duration = forms.CharField(label="Silence for", required=False, max_length=12,
                               widget=forms.Select(choices=[("", "until the time given"), *DURATIONS]))
    until = forms.DateTimeField(label="or until", required=False,
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def clean_duration(self) -> int | None:
        value = self.cleaned_data.get("duration", "").strip().lower()
        if not value:
            return None
        number, unit = value[:-1], value[-1:]
        if unit not in _UNITS or not number.isascii() or not number.isdigit() or len(number) > 6 or int(number) < 1:
            raise ValidationError("A number and a unit: 90m, 4h or 2d.")
        return int(number) * _UNITS[unit]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("duration") and cleaned.get("until"):
            raise ValidationError("Give a duration or an end, not both.")
        if not self.errors and not cleaned.get("duration") and not cleaned.get("until"):
            raise ValidationError("Say for how long, or until when.")
        return cleaned

    def silenced_until(self, now):
        seconds = self.cleaned_data.get("duration")
        return now + timedelta(seconds=seconds) if seconds else self.cleaned_data["until"]


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
