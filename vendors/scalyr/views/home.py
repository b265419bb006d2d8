"""The Logs page: the team's Scalyr connections, saved queries, and who may query logs."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.teams.models import Role
from console.teams.selectors import require_role, roles_by_team, team_get
from vendors.scalyr import selectors, services
from vendors.scalyr.client import READ_CONFIG, READ_LOGS, TOKEN_LABELS, WRITE_CONFIG, token_kinds


def home(request):
    roles = roles_by_team(user=request.user)
    queryable = selectors.queryable_team_ids(user=request.user)
    rows = []
    for connection in selectors.connections_by_name(user=request.user):
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
    context = {
        "rows": rows,
        "saved": saved,
        "teams": [{"team": team, "viewers_may_query": granted, "is_admin": roles.get(team.pk) == Role.ADMIN}
                  for team, granted in selectors.query_policies(user=request.user)],
        "role": roles,
    }
    return render(request, "scalyr/home.html", context)


@require_POST
def policy(request, slug: str):
    team = team_get(user=request.user, slug=slug)
    require_role(user=request.user, team=team, role=Role.ADMIN)
    allowed = request.POST.get("viewers_may_query") == "1"
    services.query_policy_set(team=team, viewers_may_query=allowed, actor=request.user)
    messages.success(request, f"Viewers of {team} may now query logs." if allowed
                     else f"Only operators and admins of {team} may query logs now.")
    return redirect("scalyr:home")
