from django import forms

from console.audit.models import Outcome


class AuditFilterForm(forms.Form):
    team = forms.ModelChoiceField(queryset=None, required=False, empty_label="All my teams", to_field_name="slug")
    actor = forms.CharField(required=False)
    verb = forms.CharField(required=False, help_text="e.g. connection.update")
    outcome = forms.ChoiceField(choices=[("", "Any outcome"), *Outcome.choices], required=False)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
