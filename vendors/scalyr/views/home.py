"""The Logs page: the team's Scalyr connections, saved queries, and who may query logs."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from console.teams.models import Role
from console.teams.selectors import require_role, roles_by_team, teams_for_user
from vendors.scalyr import selectors, services
from vendors.scalyr.client import READ_CONFIG, READ_LOGS, WRITE_CONFIG
from vendors.scalyr.clients import TOKEN_LABELS, token_kinds
from vendors.scalyr.models import TeamQueryPolicy


def home(request):
    roles = roles_by_team(user=request.user)
    queryable = selectors.queryable_team_ids(user=request.user)
    rows = []
    for connection in selectors.connections_for_user(user=request.user).order_by("name"):
        kinds = token_kinds(connection)
        rows.append({
            "connection": connection,
            "may_query": connection.team_id in queryable,
            "has_logs": READ_LOGS in kinds,
            "has_config": bool(kinds & {READ_CONFIG, WRITE_CONFIG}),
            "tokens": [label for kind, label in TOKEN_LABELS.items() if kind in kinds],
        })
    saved = [(s, s.connection.team_id in queryable, Role.rank(roles.get(s.connection.team_id, Role.VIEWER)) >=
              Role.rank(Role.OPERATOR)) for s in selectors.saved_queries_for(user=request.user)]
    teams = list(teams_for_user(user=request.user).filter(scalyr_connections__isnull=False).distinct())
    policies = dict(TeamQueryPolicy.objects.filter(team__in=teams).values_list("team_id", "viewers_may_query"))
    context = {
        "rows": rows,
        "saved": saved,
        "teams": [{"team": t, "viewers_may_query": policies.get(t.pk, False),
                   "is_admin": roles.get(t.pk) == Role.ADMIN} for t in teams],
        "role": roles,
    }
    return render(request, "scalyr/home.html", context)


@require_POST
def policy(request, slug: str):
    team = get_object_or_404(teams_for_user(user=request.user), slug=slug)
    require_role(user=request.user, team=team, role=Role.ADMIN)
    allowed = request.POST.get("viewers_may_query") == "1"
    services.query_policy_set(team=team, viewers_may_query=allowed, actor=request.user)
    messages.success(request, f"Viewers of {team} may now query logs." if allowed
                     else f"Only operators and admins of {team} may query logs now.")
    return redirect("scalyr:home")
