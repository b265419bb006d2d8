from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from console.audit.models import AuditEvent, Outcome
from console.teams.models import Role
from console.teams.selectors import teams_for_user
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
    teams = teams_for_user(user=request.user, min_role=Role.ADMIN)
    if not request.user.is_superuser and not teams.exists():
        raise PermissionDenied("The audit log is for team admins.")
    events = AuditEvent.objects.all() if request.user.is_superuser else AuditEvent.objects.filter(team__in=teams)
    form = AuditFilterForm(request.GET or None, teams=teams)
    if form.is_valid():
        data = form.cleaned_data
        if data["team"]:
            events = events.filter(team=data["team"])
        if data["actor"]:
            events = events.filter(actor_label__icontains=data["actor"])
        if data["verb"]:
            events = events.filter(verb__startswith=data["verb"])
        if data["outcome"]:
            events = events.filter(outcome=data["outcome"])
        if data["since"]:
            events = events.filter(created_at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(created_at__date__lte=data["until"])
    page = paginate(request, events.select_related("team"), default=50)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, page_or_partial(request, "audit/audit_list.html", "audit-table"), {"form": form, "page": page, "query": query.urlencode()})
