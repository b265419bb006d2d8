from django import forms

from vendors.core.forms import BASE_FIELDS, ConnectionForm
from vendors.scalingo.models import ScalingoConnection

REGIONS = [("osc-fr1", "osc-fr1 (Paris, Outscale)"), ("osc-secnum-fr1", "osc-secnum-fr1 (Paris, SecNumCloud)"),
           ("", "Custom API URL (below)")]


class ScalingoConnectionForm(ConnectionForm):
    secret_fields = {"token": "API token"}
    required_secrets = frozenset({"token"})
    settings_fields = ("region", "auth_url", "legacy", "requests_per_minute")
    # the token goes to the auth service, the bearer to the region's (or the given) API
    destination_fields = ("base_url", "region", "auth_url")

    region = forms.ChoiceField(choices=REGIONS, required=False, initial="osc-fr1",
                               help_text="Resolved through the auth service's regions list.")
    auth_url = forms.URLField(label="Auth service URL", required=False, assume_scheme="https",
                              help_text="Leave blank for https://auth.scalingo.com.")
    legacy = forms.BooleanField(label="Legacy authentication (HTTP Basic with the token, pre-2020 accounts)",
                                required=False)
    requests_per_minute = forms.IntegerField(
        label="Requests per minute", min_value=0, initial=60,
        help_text="Scalingo allows 60 per token; polls plan their calls to stay under it. 0: no limit.")

    class Meta:
        model = ScalingoConnection
        fields = BASE_FIELDS
        labels = {"base_url": "API URL"}
        help_texts = {"base_url": "Only for a custom region: the regional API base, e.g. https://api.example."}

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("region") and not cleaned.get("base_url") and "base_url" not in self.errors:
            self.add_error("base_url", "Choose a region or give the API URL of a custom one.")
        if cleaned.get("requests_per_minute") is None:
            cleaned["requests_per_minute"] = 60
        return cleaned


class ScaleForm(forms.Form):
    """One amount and size per container type; built from the app's current formation."""

    SIZES = ["S", "M", "L", "XL", "2XL"]
    MAX_CONTAINERS = 10

    def __init__(self, *args, formation, **kwargs):
        super().__init__(*args, **kwargs)
        self.formation = list(formation)
        for line in self.formation:
            self.fields[f"amount_{line.name}"] = forms.IntegerField(
                label=f"{line.name} containers", min_value=0, initial=line.amount,
                help_text=f"Scalingo allows up to {self.MAX_CONTAINERS} per type unless support raised your limit.")
            sizes = self.SIZES if line.size in self.SIZES else [line.size, *self.SIZES]
            self.fields[f"size_{line.name}"] = forms.ChoiceField(
                label=f"{line.name} size", choices=[(s, s) for s in sizes], initial=line.size)

    def changes(self) -> list[dict]:
        """Container types whose amount or size changes, with before and after."""
        out = []
        for line in self.formation:
            amount = self.cleaned_data[f"amount_{line.name}"]
            size = self.cleaned_data[f"size_{line.name}"]
            if amount != line.amount or size != line.size:
                out.append({"name": line.name, "amount": amount, "size": size,
                            "from_amount": line.amount, "from_size": line.size})
        return out

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.changes():
            raise forms.ValidationError("Nothing to change: this is the current formation.")
        return cleaned


class RestartForm(forms.Form):
    scope = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                      help_text="Leave all unticked to restart every container.")

    def __init__(self, *args, types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [(t, t) for t in types]


class VariableForm(forms.Form):
    name = forms.RegexField(regex=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=200,
                            error_messages={"invalid": "Letters, digits and underscores, not starting with a digit."})
    value = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, strip=False)


class BulkVariablesForm(forms.Form):
    text = forms.CharField(
        label="Variables", widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}), strip=False,
        help_text="One NAME=value per line. Existing names are updated, new ones created; others are kept.")

    def clean_text(self):
        pairs = {}
        for number, line in enumerate(self.cleaned_data["text"].splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            name, sep, value = line.partition("=")
            name = name.strip()
            if not sep or not VariableForm.base_fields["name"].regex.match(name):
                raise forms.ValidationError(f"Line {number} is not NAME=value.")
            pairs[name] = value
        if not pairs:
            raise forms.ValidationError("Enter at least one NAME=value line.")
        return pairs
