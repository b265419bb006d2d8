"""The test vendor's verb offered to the API: `widgets.restart` of one widget (its console id),
with a required `reason` of at most 50 characters, as a page's form would check it."""

from django import forms
from django.http import Http404

from console.teams.selectors import teams_for_user
from tests.testvendor.models import Widget
from vendors.core.actions import action_start
from vendors.core.api import ApiVerb, api_verb, form_invalid


class RestartForm(forms.Form):
    reason = forms.CharField(max_length=50)


def _widget(user, target: str) -> Widget:
    widget = Widget.objects.select_related("connection__team").filter(
        pk=int(target) if target.isdigit() else 0, connection__team__in=teams_for_user(user=user)).first()
    if widget is None:
        raise Http404("No such widget.")
    return widget


def _start(widget: Widget, params: dict, user):
    form = RestartForm(params)
    if not form.is_valid():
        raise form_invalid(form)
    return action_start(connection=widget.connection, actor=user, verb="widgets.restart", target=widget.name,
                        summary=f"Restart {widget.name}: {form.cleaned_data['reason']}",
                        params={"widget": widget.external_id})


api_verb(ApiVerb(verb="widgets.restart", target=_widget, team=lambda widget: widget.connection.team, start=_start,
                 doc="`target`: a widget's id; `params`: `{\"reason\": text}`."))
