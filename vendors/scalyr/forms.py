from django import forms

from vendors.core.forms import BASE_FIELDS, ConnectionForm
from vendors.scalyr import links
from vendors.scalyr.client import SECRET_NAMES, TOKEN_LABELS, WRITE_LOGS
from vendors.scalyr.models import SavedQuery, ScalyrConnection
from vendors.scalyr.state import MAX_RELATED

REGIONS = [("us", "US (app.scalyr.com)"), ("eu", "EU (eu.scalyr.com)"), ("", "Another URL (below)")]


class ScalyrConnectionForm(ConnectionForm):
    secret_fields = {SECRET_NAMES[kind]: f"{label} token" for kind, label in TOKEN_LABELS.items()}
    required_secrets = frozenset()
    settings_fields = ("region", "send_audit", *(spec[0] for spec in links.KINDS.values()), "demo")
    destination_fields = ("base_url", "region")

    region = forms.ChoiceField(choices=REGIONS, required=False, initial="us")
    send_audit = forms.BooleanField(
        label="Send audit", required=False,
        help_text="Send the team's audit entries and poll outcomes to this Scalyr account as events "
                  "(serverHost ops-console), with the Write Logs token.")
    link_scalingo_app = forms.CharField(
        label="Logs link filter for a Scalingo app", required=False, max_length=500,
        initial=links.KINDS["scalingo.app"][2],
        help_text="Scalyr filter opened by an app's “Logs” link; {app.name} is the app's name. Blank: no link.")
    link_scalr_farm = forms.CharField(
        label="Logs link filter for a Scalr farm", required=False, max_length=500,
        initial=links.KINDS["scalr.farm"][2], help_text="{farm.name}, {farm.id}… Blank: no link.")
    link_scalr_server = forms.CharField(
        label="Logs link filter for a Scalr server", required=False, max_length=500,
        initial=links.KINDS["scalr.server"][2],
        help_text="{server.hostname}, {server.private_ips}, {server.id}… Blank: no link.")
    demo = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = ScalyrConnection
        fields = BASE_FIELDS
        help_texts = {"base_url": "Only for another server (e.g. a SentinelOne SDL tenant); "
                                  "when set it is used instead of the region."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRET_NAMES.values():
            field = self.fields[f"secret_{name}"]
            field.help_text += " Each token is used only for its own methods; at least one is needed."

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("region") and not cleaned.get("base_url") and "base_url" not in self.errors:
            self.add_error("base_url", "Choose a region or give the URL of the Scalyr server.")
        will_have = [name for name in self.secret_fields
                     if cleaned.get(f"secret_{name}") or (self.instance.pk is not None
                                                           and self.instance.secrets.is_set(name)
                                                           and not cleaned.get(f"clear_{name}"))]
        if not will_have:
            self.add_error(None, "Set at least one token: Read Logs (explorer, charts), Read Config (view config "
                                 "files), Write Config (edit them) or Write Logs (send the console's audit).")
        if cleaned.get("send_audit") and SECRET_NAMES[WRITE_LOGS] not in will_have:
            self.add_error("send_audit", "Sending the audit needs the Write Logs token: enter it (or untick this).")
        for kind, (setting, *_rest) in links.KINDS.items():
            template = (cleaned.get(setting) or "").strip()
            cleaned[setting] = template
            if template:
                try:
                    links.validate(template, kind)
                except links.TemplateError as exc:
                    self.add_error(setting, str(exc))
        return cleaned


THRESHOLD_CHOICES = [("", "No alert"), *SavedQuery.Direction.choices]


def clean_threshold(form, cleaned: dict) -> dict:
    """A direction needs a value; without a direction the value is dropped."""
    direction, value = cleaned.get("threshold_direction") or "", cleaned.get("threshold")
    if direction and value is None and "threshold" not in form.errors:
        form.add_error("threshold", "Give the value the latest bucket is compared with.")
    if not direction:
        cleaned["threshold"] = None
    cleaned["threshold_direction"] = direction
    return cleaned


class SaveQueryForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=SavedQuery.Kind.choices)
    pinned = forms.BooleanField(required=False, label="Pin on the overview")
    threshold_direction = forms.ChoiceField(choices=THRESHOLD_CHOICES, required=False,
                                            label="Needs attention when the latest value is")
    threshold = forms.FloatField(required=False, label="Threshold")

    def clean(self):
        return clean_threshold(self, super().clean())


class SavedQueryEditForm(forms.ModelForm):
    """Name, and for charts: pinned tile, overview figure, alert threshold."""

    threshold_direction = forms.ChoiceField(
        choices=THRESHOLD_CHOICES, required=False, label="Needs attention when the latest value is",
        help_text="Compared after each poll with the chart's last bucket (strictly above or below). Far past it "
                  "(twice the threshold for “above”, zero for “below”) is critical on the overview.")

    related = forms.CharField(
        required=False, max_length=2000, label="Related apps and farms",
        help_text="Names of Scalingo apps or Scalr farms, separated by commas: its charts draw their changes too, "
                  "besides those of the apps and hosts its filter names.")

    class Meta:
        model = SavedQuery
        fields = ["name", "pinned", "headline", "threshold_direction", "threshold"]
        labels = {"pinned": "Pin as a tile on the overview", "headline": "The connection's figure on the overview"}
        help_texts = {"pinned": "", "threshold": "In the chart's unit: a count per bucket, milliseconds for "
                                                 "latency…"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["related"].initial = (self.instance.state or {}).get("related", "")
        if not self.instance.is_chart:
            for name in ("pinned", "headline", "threshold_direction", "threshold"):
                del self.fields[name]

    def clean_related(self):
        names = list(dict.fromkeys(n.strip() for n in self.cleaned_data["related"].split(",") if n.strip()))
        if len(names) > MAX_RELATED or any(len(n) > 255 for n in names):
            raise forms.ValidationError(f"At most {MAX_RELATED} names, separated by commas.")
        return ",".join(names)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the query a name.")
        return name

    def clean(self):
        cleaned = super().clean()
        return clean_threshold(self, cleaned) if self.instance.is_chart else cleaned

    def validate_unique(self):
        """The name only: marking the overview figure moves it from another chart (the service does it)."""
        name = self.cleaned_data.get("name")
        if name and SavedQuery.objects.filter(connection_id=self.instance.connection_id, name=name) \
                .exclude(pk=self.instance.pk).exists():
            self.add_error("name", f"This connection already has a saved query named “{name}”.")


class ConfigFileForm(forms.Form):
    path = forms.CharField(max_length=500)
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "false"}), strip=False,
                              required=False)
    #: the version the editor started from; blank for a new file
    expected_version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean_path(self):
        path = self.cleaned_data["path"].strip()
        if not path.startswith("/"):
            raise forms.ValidationError("A Scalyr file path starts with / (e.g. /dashboards/Shop API).")
        return path
