"""Scripts: the list, a script's revisions and content, and running it (operator role)."""

from __future__ import annotations

from django.shortcuts import render

from console.htmx import page_or_partial
from console.pagination import paginate
from console.params import digits
from console.teams.models import Role
from console.teams.selectors import require_role
from vendors.core import errors
from vendors.scalr import forms, selectors, services
from vendors.scalr.selectors import live
from vendors.scalr.views.common import followed, query_without, roles_for


def script_list(request):
    environments = list(selectors.environments_listed_for_user(user=request.user))
    found = selectors.script_list(environments=environments, params=request.GET)
    context = {"page": paginate(request, found.qs), "q": found.values["q"], "environment": found.values["environment"],
               "environments": selectors.environment_choices(user=request.user),
               "missing": selectors.missing_catalogs(environments, "scripts"),
               "query": query_without(request, "page"), "filtered": found.filtered}
    return render(request, page_or_partial(request, "scalr/script_list.html", "script-rows"), context)


def _revision_param(request) -> int | None:
    return digits(request.GET.get("revision", ""))


def script_detail(request, pk: int):
    script = selectors.script_get(user=request.user, pk=pk)
    context = {"script": script, "env": script.environment, "details": None, "shown": None, "error": "",
               **roles_for(request.user, script.environment.connection.team_id)}
    try:
        context["details"] = live.script_details(script=script)
        wanted = _revision_param(request) or script.latest_revision or (
            context["details"].revisions[0].revision if context["details"].revisions else None)
        if wanted:
            shown = live.script_details(script=script, revision=wanted).revisions
            context["shown"] = shown[0] if shown else None
    except errors.VendorError as exc:
        context["error"] = str(exc)
    return render(request, "scalr/script_detail.html", context)


def script_execute(request, pk: int):
    script = selectors.script_get(user=request.user, pk=pk)
    require_role(user=request.user, team=script.environment.connection.team_id, role=Role.OPERATOR)
    env = script.environment
    choices, objects = selectors.script_targets(user=request.user, script=script,
                                                server_pk=request.GET.get("server", ""),
                                                farm_pk=request.GET.get("farm", ""))
    revisions, variables, error = live.script_run_choices(
        script=script, chosen=request.POST.get("revision") or request.GET.get("revision"))
    no_variables = env.unavailable.get("script_variables")
    form = forms.ExecuteScriptForm(request.POST or None, targets=choices, revisions=revisions,
                                   variables=[] if no_variables else variables,
                                   initial={"revision": request.GET.get("revision") or (revisions[0] if revisions
                                                                                         else None)})
    if request.method == "POST" and form.is_valid():
        farm, params = services.script_run_on(form.cleaned_data["target"], objects[form.cleaned_data["target"]])
        label = dict(choices)[form.cleaned_data["target"]]
        return followed(services.scalr_script_execute(
            script=script, actor=request.user, target_label=label, target=params, farm=farm,
            revision=form.cleaned_data["revision"], timeout=form.cleaned_data["timeout"],
            blocking=form.cleaned_data["blocking"], config_variables=form.config_variables()))
    return render(request, "scalr/script_execute.html",
                  {"script": script, "env": env, "form": form, "error": error, "no_variables": no_variables,
                   "variables": variables}, status=400 if request.method == "POST" else 200)
