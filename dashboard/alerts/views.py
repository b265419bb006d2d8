"""The alerts pages: the list, an alert and its history, what people do to it; a team's channels.

Thin: each view parses, calls one selector or service of vendors/core/alerts/, renders. Acting on an
alert needs the operator role in its team, managing channels the admin role; another team's alert or
channel answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from console.htmx import page_or_partial, wants_fragment
from console.pagination import paginate
from console.teams.models import Role
from console.teams.selectors import has_role, require_role, teams_for_user
from vendors.core import registry
from vendors.core.alerts import channels, selectors, services
from vendors.core.alerts.filters import STATES
from vendors.core.alerts.forms import ChannelForm, NoteForm, SilenceForm
from vendors.core.alerts.models import AlertState, Severity


def alert_list(request):
    page = paginate(request, selectors.alerts_for_user(user=request.user, params=request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page, "query": query.urlencode(), "params": request.GET,
        "teams": teams_for_user(user=request.user),
        "vendors": [(spec.name, spec.label) for spec in registry.vendors()],
        "severities": [Severity.named(s) for s in Severity.values],
        "states": [(state, {"active": "Active (firing, acknowledged, silenced)", "all": "All, resolved included"}
                    .get(state) or AlertState(state).label) for state in STATES],
        "can_manage_channels": selectors.admin_teams(user=request.user).exists(),
    }
    return render(request, page_or_partial(request, "alerts/alert_list.html", "alert-rows"), context)


def _detail(request, alert, *, silence_form=None, note_form=None, status: int = 200):
    context = {
        "alert": alert, "history": selectors.alert_history(alert=alert),
        "may_act": has_role(user=request.user, team=alert.team_id, role=Role.OPERATOR),
        "silence_form": silence_form or SilenceForm(), "note_form": note_form or NoteForm(),
        "state": alert.state_now(), "now": timezone.now(),
    }
    return render(request, page_or_partial(request, "alerts/alert_detail.html", "alert-live"), context, status=status)


def alert_detail(request, pk: int):
    return _detail(request, selectors.alert_get(user=request.user, pk=pk))


def _acting_on(request, pk: int):
    alert = selectors.alert_get(user=request.user, pk=pk)
    require_role(user=request.user, team=alert.team_id, role=Role.OPERATOR)
    return alert


def _done(request, pk: int, action, success: str):
    try:
        action()
    except services.AlertRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, success)
    return redirect("alerts:detail", pk=pk)


@require_POST
def alert_acknowledge(request, pk: int):
    alert = _acting_on(request, pk)
    return _done(request, pk, lambda: services.alert_acknowledge(alert=alert, actor=request.user),
                 "Acknowledged: no more reminders; its resolution is still sent.")


@require_POST
def alert_silence(request, pk: int):
    alert = _acting_on(request, pk)
    form = SilenceForm(request.POST)
    if not form.is_valid():
        return _detail(request, alert, silence_form=form)
    until = form.silenced_until(timezone.now())
    return _done(request, pk, lambda: services.alert_silence(alert=alert, actor=request.user, until=until),
                 "Silenced: nothing is sent about this alert until the silence ends.")


@require_POST
def alert_unsilence(request, pk: int):
    alert = _acting_on(request, pk)
    return _done(request, pk, lambda: services.alert_unsilence(alert=alert, actor=request.user),
                 "The silence is lifted.")


@require_POST
def alert_note(request, pk: int):
    alert = _acting_on(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _detail(request, alert, note_form=form)
    return _done(request, pk, lambda: services.alert_note(alert=alert, actor=request.user,
                                                          text=form.cleaned_data["text"]), "Note added.")


# -- channels -----------------------------------------------------------------------------------
def channel_list(request):
    page = paginate(request, selectors.channels_for_user(user=request.user))
    return render(request, "alerts/channel_list.html", {
        "page": page, "channels": page.object_list, "query": "",
        "can_add": selectors.admin_teams(user=request.user).exists()})


def channel_detail(request, pk: int):
    channel = selectors.channel_get(user=request.user, pk=pk)
    context = {"channel": channel, "deliveries": selectors.channel_deliveries(channel=channel),
               "is_admin": has_role(user=request.user, team=channel.team_id, role=Role.ADMIN),
               "url_set": channel.secrets.is_set("url"), "secret_set": channel.secrets.is_set("signing_secret")}
    return render(request, page_or_partial(request, "alerts/channel_detail.html", "channel-status"), context)


def channel_create(request):
    teams = selectors.admin_teams(user=request.user)
    if not teams.exists():
        raise PermissionDenied("Adding a channel needs the admin role in a team.")
    form = ChannelForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        channel = channels.channel_save(form=form, actor=request.user)
        messages.success(request, f"Channel “{channel}” added. “Send test” checks that it works.")
        return redirect("alerts:channel-detail", pk=channel.pk)
    return render(request, "alerts/channel_form.html", {"form": form, "creating": True})


def channel_edit(request, pk: int):
    channel = selectors.channel_get(user=request.user, pk=pk)
    require_role(user=request.user, team=channel.team_id, role=Role.ADMIN)
    form = ChannelForm(request.POST or None, instance=channel, teams=selectors.admin_teams(user=request.user))
    if request.method == "POST" and form.is_valid():
        channels.channel_save(form=form, actor=request.user)
        messages.success(request, f"Channel “{channel}” saved.")
        return redirect("alerts:channel-detail", pk=channel.pk)
    return render(request, "alerts/channel_form.html", {"form": form, "channel": channel, "creating": False})


@require_POST
def channel_delete(request, pk: int):
    channel = selectors.channel_get(user=request.user, pk=pk)
    require_role(user=request.user, team=channel.team_id, role=Role.ADMIN)
    name = str(channel)
    channels.channel_delete(channel=channel, actor=request.user)
    messages.success(request, f"Channel “{name}” deleted.")
    return redirect("alerts:channel-list")


@require_POST
def channel_test(request, pk: int):
    channel = selectors.channel_get(user=request.user, pk=pk)
    require_role(user=request.user, team=channel.team_id, role=Role.ADMIN)
    delivery = channels.channel_test(channel=channel, actor=request.user)
    if wants_fragment(request):
        return render(request, "alerts/delivery_status.html", {"delivery": delivery})
    messages.success(request, "Test notification queued: its result shows under “Recent notifications”.")
    return redirect("alerts:channel-detail", pk=pk)


def delivery_status(request, pk: int):
    """One notification's state; the channel page polls it after "Send test" until it is sent or failed."""
    return render(request, "alerts/delivery_status.html",
                  {"delivery": selectors.delivery_get(user=request.user, pk=pk)})
