from django import forms
from django.shortcuts import render

from console.audit.models import Outcome
from console.audit.selectors import audit_events, audit_teams
from console.htmx import page_or_partial
from console.pagination import paginate


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


def audit_list(request):
    """Audit entries of the teams the user administers (superusers: everything)."""
    teams = audit_teams(user=request.user)
    form = AuditFilterForm(request.GET or None, teams=teams)
    events = audit_events(user=request.user, teams=teams, filters=form.cleaned_data if form.is_valid() else None)
    page = paginate(request, events, default=50)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, page_or_partial(request, "audit/audit_list.html", "audit-table"),
                  {"form": form, "page": page, "query": query.urlencode()})
