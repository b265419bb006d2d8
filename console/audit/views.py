from django.shortcuts import render

from console.audit.forms import AuditFilterForm
from console.audit.selectors import audit_events, audit_teams
from console.htmx import page_or_partial
from console.pagination import paginate


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
