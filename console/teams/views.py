"""Team pages: the user's teams, and member management for team admins."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.teams import services
from console.teams.forms import MemberAddForm, MemberRoleForm, TeamCreateForm
from console.teams.models import Role
from console.teams.selectors import membership_get, require_role, role_for, team_get, team_members, teams_with_roles


def team_list(request):
    """The user's teams; superusers also create teams here (they become its first admin)."""
    form = TeamCreateForm(request.POST or None) if request.user.is_superuser else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only administrators of the console create teams.")
        if form.is_valid():
            team = services.team_create(name=form.cleaned_data["name"], slug=form.cleaned_data["slug"],
                                        actor=request.user, admin=request.user)
            messages.success(request, f"Team {team} created; you are its admin.")
            return redirect("teams:detail", slug=team.slug)
    return render(request, "teams/team_list.html", {"form": form, "teams": teams_with_roles(user=request.user)})


def team_detail(request, slug: str):
    team = team_get(user=request.user, slug=slug)
    role = role_for(user=request.user, team=team)
    is_admin = role == Role.ADMIN
    add_form = MemberAddForm(team=team)
    if request.method == "POST":
        require_role(user=request.user, team=team, role=Role.ADMIN)
        add_form = MemberAddForm(request.POST, team=team)
        if add_form.is_valid():
            services.membership_add(team=team, user=add_form.user, role=add_form.cleaned_data["role"],
                                    actor=request.user)
            messages.success(request, f"{add_form.user.username} added as {add_form.cleaned_data['role']}.")
            return redirect("teams:detail", slug=slug)
    return render(request, "teams/team_detail.html", {
        "team": team, "role": role, "is_admin": is_admin, "memberships": team_members(team=team),
        "add_form": add_form,
        "roles": Role.choices,
    })


@require_POST
def member_role(request, slug: str, pk: int):
    membership = membership_get(user=request.user, slug=slug, pk=pk)
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_set_role(membership=membership, role=form.cleaned_data["role"], actor=request.user)
            messages.success(request, f"{membership.user.username} is now {membership.role}.")
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
    else:
        messages.error(request, "Choose one of the listed roles.")
    return redirect("teams:detail", slug=slug)


@require_POST
def member_remove(request, slug: str, pk: int):
    membership = membership_get(user=request.user, slug=slug, pk=pk)
    try:
        services.membership_remove(membership=membership, actor=request.user)
        messages.success(request, f"{membership.user.username} removed from {membership.team}.")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("teams:detail", slug=slug)
