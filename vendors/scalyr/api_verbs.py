"""The Scalyr verbs POST /api/v1/actions/ starts, as the configuration file editor does: a connection of
the user's teams, the admin role and a Write Config token, the editor's form built from `params`, and the
editor's service. The write runs in the request (as in the editor), so the answer is the settled action:
succeeded, or failed in Scalyr's words (e.g. the file changed since `expected_version`). A file's content
travels as in the editor: never in the action's params, the audit log or an answer."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.exceptions import ValidationError

from console.params import digits
from console.teams.models import Role
from vendors.core.api import ApiVerb, api_verb, form_invalid
from vendors.core.api_params import params_checked
from vendors.scalyr import selectors, services
from vendors.scalyr.client import WRITE_CONFIG, missing_token_reason
from vendors.scalyr.forms import ConfigFileForm
from vendors.scalyr.models import ScalyrConnection


def _connection(user, target: str) -> ScalyrConnection:
    pk = digits(target)
    if pk is None:
        raise Http404("No such Scalyr connection.")
    return selectors.connection_get(user=user, pk=pk)


def _file_form(connection: ScalyrConnection, params: dict, *, required: tuple[str, ...],
               optional: tuple[str, ...] = ()) -> dict:
    reason = missing_token_reason(connection, WRITE_CONFIG)
    if reason:
        raise PermissionDenied(reason)
    params_checked(params, required=required, optional=optional, text=("path", "content"))
    if "expected_version" in params and not isinstance(params["expected_version"], int):
        raise ValidationError({"expected_version": ["A whole number: the version the file had when you read it."]})
    form = ConfigFileForm(params)
    if not form.is_valid():
        raise form_invalid(form)
    return form.cleaned_data


def _create(connection: ScalyrConnection, params: dict, user):
    data = _file_form(connection, params, required=("path",), optional=("content",))
    return services.file_put_action(connection=connection, path=data["path"], content=data["content"],
                                    expected_version=None, actor=user)


def _update(connection: ScalyrConnection, params: dict, user):
    data = _file_form(connection, params, required=("path", "content", "expected_version"))
    return services.file_put_action(connection=connection, path=data["path"], content=data["content"],
                                    expected_version=data["expected_version"], actor=user)


def _delete(connection: ScalyrConnection, params: dict, user):
    data = _file_form(connection, params, required=("path", "expected_version"))
    return services.file_delete_action(connection=connection, path=data["path"],
                                       expected_version=data["expected_version"], actor=user)


_TARGET = "`target`: a Scalyr connection's `id` (GET /api/v1/connections/?vendor=scalyr)"
for _verb, _start, _doc in (
    ("scalyr.file.create", _create,
     f"{_TARGET}; `params`: `{{\"path\": \"/dashboards/Shop\", \"content\": \"...\"}}`: a new configuration "
     f"file (failed when one exists at the path)."),
    ("scalyr.file.update", _update,
     f"{_TARGET}; `params`: `{{\"path\", \"content\", \"expected_version\"}}`: replace a file; failed in "
     f"Scalyr's words when it changed since `expected_version`."),
    ("scalyr.file.delete", _delete,
     f"{_TARGET}; `params`: `{{\"path\", \"expected_version\"}}`."),
):
    api_verb(ApiVerb(verb=_verb, target=_connection, team=lambda connection: connection.team, start=_start,
                     doc=_doc, role=Role.ADMIN))
