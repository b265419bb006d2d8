"""Saved queries: save the current explorer or chart view for the team, view, open, edit, pin, delete."""

from __future__ import annotations

import copy
from urllib.parse import urlencode

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from console.teams.models import Role
from console.teams.selectors import require_role
from console.htmx import wants_fragment
from vendors.scalyr import changes, selectors, services
from vendors.scalyr.forms import SavedQueryEditForm, SaveQueryForm
from vendors.scalyr.models import SavedQuery
from vendors.scalyr.state import ChartState, ExplorerState

_PAGES = {SavedQuery.Kind.EXPLORER: ("scalyr:explorer", ExplorerState),
          SavedQuery.Kind.CHART: ("scalyr:chart", ChartState)}


def _page_url(connection_id: int, kind: str, params: dict) -> str:
    url_name, _ = _PAGES[kind]
    url = reverse(url_name, args=[connection_id])
    return f"{url}?{urlencode(params)}" if params else url


@require_POST
def create(request, pk: int):
    connection = selectors.connection_for_query(user=request.user, pk=pk)
    require_role(user=request.user, team=connection.team, role=Role.OPERATOR)
    form = SaveQueryForm(request.POST)
    raw = QueryDict(request.POST.get("state", ""))
    kind = request.POST.get("kind") if request.POST.get("kind") in _PAGES else SavedQuery.Kind.EXPLORER
    state = _PAGES[kind][1].from_params(raw)
    back = _page_url(connection.pk, kind, state.params())
    if not form.is_valid():
        problems = [str(e) for field, errs in form.errors.items() if field != "name" for e in errs]
        messages.error(request, " ".join(problems) if problems and form.cleaned_data.get("name")
                       else "To save this view, give it a name.")
        return redirect(back)
    if state.errors:
        messages.error(request, "Fix the query before saving it: " + " ".join(state.errors.values()))
        return redirect(back)
    try:
        saved = services.saved_query_create(connection=connection, name=form.cleaned_data["name"], kind=kind,
                                            state=state.params(), pinned=form.cleaned_data["pinned"],
                                            threshold_direction=form.cleaned_data["threshold_direction"],
                                            threshold=form.cleaned_data["threshold"], actor=request.user)
    except services.SavedQueryError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    note = " It is refreshed by each poll and pinned on the overview." if saved.pinned else ""
    if saved.has_threshold:
        note += f" It needs attention on the overview when its latest value is {saved.threshold_label}."
    messages.success(request, f"Saved “{saved.name}” for {connection.team}.{note}")
    return redirect(back)


def detail(request, pk: int):
    """What the team saved, for every member: the stored chart (last poll) and its threshold, or the
    view's filter; buttons to open it live (with the query right) and to edit it (operators)."""
    saved = selectors.saved_query_get(user=request.user, pk=pk)
    role = selectors.role_in(user=request.user, team_id=saved.connection.team_id)
    context = {
        "saved": saved, "state": _PAGES[saved.kind][1].from_params(saved.state),
        "may_query": selectors.may_query(user=request.user, team_id=saved.connection.team_id, role=role),
        "may_edit": Role.rank(role) >= Role.rank(Role.OPERATOR),
        "chart_key": changes.chart_key(saved.pk),
        "tile": changes.tiles_with_changes([selectors.tile(saved, prefix="scalyr-saved")])[0] if saved.is_chart else None,
    }
    template = "scalyr/saved_detail.html"
    if wants_fragment(request) and request.GET.get("partial") == "live":
        template += "#saved-live"
    return render(request, template, context)


def edit(request, pk: int):
    saved = selectors.saved_query_get(user=request.user, pk=pk)
    require_role(user=request.user, team=saved.connection.team, role=Role.OPERATOR)
    # The form works on a copy: an invalid POST must not rename the page, and the service compares with the original.
    form = SavedQueryEditForm(request.POST or None, instance=copy.copy(saved))
    if request.method == "POST" and form.is_valid():
        try:
            services.saved_query_update(saved=saved, changes=form.cleaned_data, actor=request.user)
        except services.SavedQueryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Saved “{saved.name}”.")
            return redirect("scalyr:saved-detail", saved.pk)
    return render(request, "scalyr/saved_edit.html", {"saved": saved, "form": form})


def open_saved(request, pk: int):
    saved = selectors.saved_query_get(user=request.user, pk=pk)
    selectors.connection_for_query(user=request.user, pk=saved.connection_id)
    # a chart keeps its name and threshold line in the live view
    params = {**saved.state, "saved": saved.pk} if saved.is_chart else saved.state
    return redirect(_page_url(saved.connection_id, saved.kind, params))


@require_POST
def pin(request, pk: int):
    saved = selectors.saved_query_get(user=request.user, pk=pk)
    require_role(user=request.user, team=saved.connection.team, role=Role.OPERATOR)
    if not saved.is_chart:
        messages.error(request, "Only charts can be pinned on the overview.")
    else:
        pinned = request.POST.get("pinned", "1") == "1"
        services.saved_query_pin(saved=saved, pinned=pinned, actor=request.user)
        messages.success(request, f"“{saved.name}” is {'now' if pinned else 'no longer'} pinned on the overview.")
    return redirect("scalyr:home")


@require_POST
def delete(request, pk: int):
    saved = selectors.saved_query_get(user=request.user, pk=pk)
    require_role(user=request.user, team=saved.connection.team, role=Role.OPERATOR)
    name = saved.name
    services.saved_query_delete(saved=saved, actor=request.user)
    messages.success(request, f"Deleted the saved query “{name}”.")
    return redirect("scalyr:home")
