"""Configuration files: list and view (Read Config token), edit and delete (Write Config token, admin)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from console.teams.models import Role
from console.teams.selectors import require_role
from vendors.core import errors
from vendors.scalyr import selectors, services
from vendors.scalyr.client import READ_CONFIG, WRITE_CONFIG, missing_token_reason
from vendors.scalyr.forms import ConfigFileForm
from vendors.scalyr.views.common import scalyr_error


def _file_url(connection, path: str) -> str:
    return f"{reverse('scalyr:file', args=[connection.pk])}?{urlencode({'path': path})}"


def _edit_reason(request, connection) -> str:
    """Why this user may not edit files here ("" when they may)."""
    if connection.user_role != Role.ADMIN:
        return "Editing configuration files needs the admin role in the team."
    return missing_token_reason(connection, WRITE_CONFIG)


def file_list(request, pk: int):
    connection = selectors.connection_get(user=request.user, pk=pk)
    context = {"connection": connection, "reason": missing_token_reason(connection, READ_CONFIG, WRITE_CONFIG),
               "edit_reason": _edit_reason(request, connection)}
    if not context["reason"]:
        try:
            context["paths"] = selectors.files_list(connection=connection)
        except errors.VendorError as exc:
            context["error"] = scalyr_error(exc)
    return render(request, "scalyr/files.html", context)


def file_detail(request, pk: int):
    connection = selectors.connection_get(user=request.user, pk=pk)
    path = request.GET.get("path", "")
    context = {"connection": connection, "path": path,
               "reason": missing_token_reason(connection, READ_CONFIG, WRITE_CONFIG),
               "edit_reason": _edit_reason(request, connection)}
    status = 200
    if not context["reason"]:
        try:
            found = selectors.file_get(connection=connection, path=path)
        except errors.NotFound as exc:
            context["error"], status = scalyr_error(exc), 404
        except errors.VendorError as exc:
            context["error"] = scalyr_error(exc)
        else:
            text, strict = selectors.pretty(found.content)
            context.update(file=found, pretty=text, strict_json=strict)
    return render(request, "scalyr/file.html", context, status=status)


def file_edit(request, pk: int):
    """Edit (or create, without `path`) a file; a version conflict shows both versions and keeps the typed text."""
    connection = selectors.connection_get(user=request.user, pk=pk)
    require_role(user=request.user, team=connection.team, role=Role.ADMIN)
    reason = missing_token_reason(connection, WRITE_CONFIG)
    context = {"connection": connection, "reason": reason, "creating": not request.GET.get("path")}
    if reason:
        if request.method == "POST":
            raise PermissionDenied(reason)
        return render(request, "scalyr/file_edit.html", context)
    if request.method == "POST":
        form = ConfigFileForm(request.POST)
        context["creating"] = not request.POST.get("expected_version") and request.POST.get("creating") == "1"
        if form.is_valid():
            path = form.cleaned_data["path"]
            try:
                services.file_put(connection=connection, path=path, content=form.cleaned_data["content"],
                                  expected_version=form.cleaned_data["expected_version"], actor=request.user)
            except errors.Conflict as exc:
                return _conflict(request, context, form, path, exc)
            except errors.VendorError as exc:
                context["error"] = scalyr_error(exc)
            else:
                messages.success(request, f"Saved {path} in Scalyr.")
                return redirect(_file_url(connection, path))
        context["form"] = form
        return render(request, "scalyr/file_edit.html", context)
    path = request.GET.get("path", "")
    if path:
        try:
            found = selectors.file_get(connection=connection, path=path)
        except errors.VendorError as exc:
            context["error"] = scalyr_error(exc)
            return render(request, "scalyr/file_edit.html", context, status=404 if exc.kind == "not_found" else 200)
        form = ConfigFileForm(initial={"path": path, "content": found.content or "", "expected_version": found.version})
        form.fields["path"].widget.attrs["readonly"] = True
        context["file"] = found
    else:
        form = ConfigFileForm(initial={"path": "/"})
    context["form"] = form
    return render(request, "scalyr/file_edit.html", context)


def _conflict(request, context, form, path: str, exc: errors.Conflict):
    """Someone changed (or created) the file meanwhile: show theirs next to the kept text, ready to save over it."""
    connection = context["connection"]
    try:
        theirs = selectors.file_get_or_none(connection=connection, path=path)
    except errors.VendorError as fetch_error:
        context.update(form=form, error=scalyr_error(fetch_error))
        return render(request, "scalyr/file_edit.html", context)
    data = request.POST.copy()
    data["expected_version"] = str(theirs.version) if theirs else ""
    form = ConfigFileForm(data)
    form.is_valid()
    form.fields["path"].widget.attrs["readonly"] = True
    context.update(form=form, conflict=True, theirs=theirs, conflict_message=str(exc), creating=False,
                   theirs_text=selectors.pretty(theirs.content)[0] if theirs else "")
    return render(request, "scalyr/file_edit.html", context, status=409)


@require_POST
def file_delete(request, pk: int):
    connection = selectors.connection_get(user=request.user, pk=pk)
    require_role(user=request.user, team=connection.team, role=Role.ADMIN)
    reason = missing_token_reason(connection, WRITE_CONFIG)
    if reason:
        raise PermissionDenied(reason)
    path = request.POST.get("path", "")
    try:
        version = int(request.POST.get("expected_version", ""))
    except ValueError:
        messages.error(request, "Delete needs the version you saw; open the file again.")
        return redirect(_file_url(connection, path))
    try:
        services.file_delete(connection=connection, path=path, expected_version=version, actor=request.user)
    except errors.Conflict:
        messages.error(request, f"{path} changed since you opened it (you saw version {version}); "
                                "nothing was deleted. Check the current version below and delete again if needed.")
        return redirect(_file_url(connection, path))
    except errors.VendorError as exc:
        messages.error(request, f"Scalyr refused to delete {path}: {exc}")
        return redirect(_file_url(connection, path))
    messages.success(request, f"Deleted {path} from Scalyr.")
    return redirect("scalyr:files", pk=connection.pk)
