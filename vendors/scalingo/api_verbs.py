"""The Scalingo verbs POST /api/v1/actions/ starts, each as its page does: the app from the user's teams
(selectors.app_get), the page's role, the page's form built from `params`, the page's service.

A variable's value may be sent (write-only): like the page's, it goes to the action's encrypted
secret payload, never to its params, the audit log or an answer. `scalingo.variables.set` has no
page and is not offered. Unknown `params` keys are refused: a typo must not restart every container.
"""

from __future__ import annotations

from django.http import Http404
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from console.api.errors import form_errors
from console.params import digits
from console.teams.models import Role
from vendors.core.api import ApiVerb, api_verb, form_invalid
from vendors.core.api_params import params_checked
from vendors.scalingo import models, selectors, services
from vendors.scalingo.forms import BulkVariablesForm, RestartForm, ScaleForm, VariableForm


def _app(user, target: str) -> models.App:
    pk = digits(target)
    if pk is None:
        raise Http404("No such Scalingo app.")
    return selectors.app_get(user=user, pk=pk)


def _team(app: models.App):
    return app.connection.team


# -- scale --------------------------------------------------------------------------------------
class _ContainerLine(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    amount = serializers.IntegerField(required=False)
    size = serializers.CharField(max_length=16, required=False)


class _ScaleParams(serializers.Serializer):
    containers = _ContainerLine(many=True, allow_empty=False)


def _scale(app: models.App, params: dict, user):
    """`{"containers": [{"name", "amount", "size"}]}` as the ScaleForm's `amount_<type>`/`size_<type>`
    (a type not named keeps its amount and size); its errors come back under `containers: {i: ...}`."""
    params_checked(params, required=("containers",))
    body = _ScaleParams(data=params)
    body.is_valid(raise_exception=True)
    lines = body.validated_data["containers"]
    formation = list(selectors.app_formation(app=app))
    current = [line.name for line in formation]
    position: dict[str, int] = {}
    problems: dict[int, dict] = {}
    for index, line in enumerate(lines):
        if line["name"] not in current:
            problems[index] = {"name": [f"No container type named “{line['name']}”; this app has "
                                        f"{', '.join(current) or 'none'}."]}
        elif line["name"] in position:
            problems[index] = {"name": ["This container type is given twice."]}
        position.setdefault(line["name"], index)
    if problems:
        raise ValidationError({"containers": problems})
    data = {}
    for line in formation:
        given = lines[position[line.name]] if line.name in position else {}
        data[f"amount_{line.name}"] = given.get("amount", line.amount)
        data[f"size_{line.name}"] = given.get("size", line.size)
    form = ScaleForm(data, formation=formation)
    if not form.is_valid():
        raise ValidationError(_scale_errors(form, position))
    return services.scalingo_app_scale(app=app, changes=form.changes(), actor=user)


def _scale_errors(form, position: dict[str, int]) -> dict:
    """ScaleForm's `amount_web: [...]` as `containers: {<index of web>: {amount: [...]}}`, the shape of
    DRF's own errors for a list."""
    lines: dict[int, dict] = {}
    out: dict = {}
    for field, messages in form_errors(form).items():
        kind, _, name = field.partition("_")
        if field != "non_field_errors" and name in position:
            lines.setdefault(position[name], {})[kind] = messages
        else:
            out.setdefault("non_field_errors", []).extend(messages)
    if lines:
        out["containers"] = dict(sorted(lines.items()))
    return out


# -- restart and variables ----------------------------------------------------------------------
def _restart(app: models.App, params: dict, user):
    params_checked(params, optional=("scope",))
    form = RestartForm(params, types=selectors.container_type_names(app=app))
    if not form.is_valid():
        raise form_invalid(form)
    return services.scalingo_app_restart(app=app, scope=form.cleaned_data["scope"], actor=user)


def _variable_set(app: models.App, params: dict, user):
    params_checked(params, required=("name", "value"), text=("name", "value"))
    form = VariableForm(params)
    if not form.is_valid():
        raise form_invalid(form)
    return services.scalingo_variables_set(app=app, variables={form.cleaned_data["name"]: form.cleaned_data["value"]},
                                           actor=user, verb="scalingo.variable.set")


def _variables_bulk(app: models.App, params: dict, user):
    params_checked(params, required=("text",), text=("text",))
    form = BulkVariablesForm(params)
    if not form.is_valid():
        raise form_invalid(form)
    return services.scalingo_variables_set(app=app, variables=form.cleaned_data["text"], actor=user,
                                           verb="scalingo.variable.bulk")


def _variable_delete(app: models.App, params: dict, user):
    params_checked(params, required=("name",), text=("name",))
    if not VariableForm.base_fields["name"].regex.match(params["name"]):
        raise ValidationError({"name": [VariableForm.base_fields["name"].error_messages["invalid"]]})
    return services.scalingo_variable_delete(app=app, name=params["name"], actor=user)


_APP = "`target`: a Scalingo app's `id` (GET /api/v1/scalingo/apps/)"
for _verb, _start, _role, _doc in (
    ("scalingo.app.scale", _scale, Role.OPERATOR,
     f"{_APP}; `params`: `{{\"containers\": [{{\"name\": \"web\", \"amount\": 4, \"size\": \"M\"}}]}}` (a type "
     f"not named keeps its amount and size; at least one change)."),
    ("scalingo.app.restart", _restart, Role.OPERATOR,
     f"{_APP}; `params`: `{{\"scope\": [\"web\"]}}`, container types to restart (none or absent: all)."),
    ("scalingo.variable.set", _variable_set, Role.ADMIN,
     f"{_APP}; `params`: `{{\"name\": \"NAME\", \"value\": \"...\"}}`: adds or changes one environment "
     f"variable. The value is write-only: kept encrypted until sent, never in the action or the audit log."),
    ("scalingo.variable.bulk", _variables_bulk, Role.ADMIN,
     f"{_APP}; `params`: `{{\"text\": \"A=1\\nB=2\"}}`: one NAME=value per line (others are kept). "
     f"Values are write-only, as for scalingo.variable.set."),
    ("scalingo.variable.delete", _variable_delete, Role.ADMIN,
     f"{_APP}; `params`: `{{\"name\": \"NAME\"}}`."),
):
    api_verb(ApiVerb(verb=_verb, target=_app, team=_team, start=_start, doc=_doc, role=_role))
