"""Scalyr configuration files: audited writes guarded by `expectedVersion` (reads are in selectors).

Writing needs a Write Config token and the team's admin role (checked by the views). A write
carries the version the editor started from, so Scalyr refuses it with `versionMismatch` when
someone changed the file meanwhile; the caller then shows both versions. Every attempt,
refused or not, is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from vendors.core import errors
from vendors.core.actions import action_secret_values, action_start, performer
from vendors.core.models import ActionRun, ActionStatus
from vendors.scalyr.client import client_for
from vendors.scalyr.selectors.config_files import file_get_or_none

TARGET_TYPE = "scalyr.configfile"


@dataclass(frozen=True)
class _Target:
    """What the audit log names: the file, on its connection (no database row exists for it)."""

    label: str

    def __str__(self) -> str:
        return self.label


def _write(*, connection, actor, verb: str, path: str, summary: str, params: dict,
           content: str | None = None) -> ActionRun:
    """Run a write through the action pipeline, in this request (the editor shows Scalyr's answer at once):
    the action comes back settled, Scalyr's refusal on it. The content travels like a secret: out of the
    action's parameters and the audit log, and forgotten once sent."""
    return action_start(connection=connection, actor=actor, verb=verb, target=_Target(f"{connection.name}:{path}"),
                        target_type=TARGET_TYPE, summary=summary, params={"path": path, **params}, inline=True,
                        secret_payload={"content": content} if content is not None else None)


def _succeeded(action: ActionRun) -> None:
    """Scalyr's refusal raised again as its typed error (what the editor shows)."""
    error = getattr(action, "error", None)
    if error is not None:
        raise error
    if action.status != ActionStatus.SUCCEEDED:
        raise errors.OutcomeUnknown(action.message)


def file_put_action(*, connection, path: str, content: str, expected_version: int | None, actor) -> ActionRun:
    """Create or replace a file (with `expected_version` None the file must not exist yet): the settled
    action, failed with Scalyr's words when it refused (the API answers with it)."""
    creating = expected_version is None
    return _write(connection=connection, actor=actor, verb="scalyr.file.create" if creating else "scalyr.file.update",
                  path=path, summary=f"{'Create' if creating else 'Update'} configuration file {path}",
                  params={"expected_version": expected_version, "bytes": len(content.encode())}, content=content)


def file_put(*, connection, path: str, content: str, expected_version: int | None, actor) -> None:
    """file_put_action for the editor. Raises Conflict when the file changed (or appeared) since the editor read it."""
    _succeeded(file_put_action(connection=connection, path=path, content=content, expected_version=expected_version,
                               actor=actor))


@performer("scalyr.file.create")
@performer("scalyr.file.update")
def perform_file_put(action, connection) -> str:
    path, expected_version = action.params["path"], action.params["expected_version"]
    content = action_secret_values(action)["content"]
    client = client_for(connection)
    if expected_version is None and file_get_or_none(connection=connection, path=path) is not None:
        raise errors.Conflict(f"A file already exists at {path}: open it to edit it.", code="fileExists")
    client.put_file(path, content, expected_version=expected_version)
    return "Saved."


def file_delete_action(*, connection, path: str, expected_version: int, actor) -> ActionRun:
    return _write(connection=connection, actor=actor, verb="scalyr.file.delete", path=path,
                  summary=f"Delete configuration file {path}", params={"expected_version": expected_version})


def file_delete(*, connection, path: str, expected_version: int, actor) -> None:
    _succeeded(file_delete_action(connection=connection, path=path, expected_version=expected_version, actor=actor))


@performer("scalyr.file.delete")
def perform_file_delete(action, connection) -> str:
    client_for(connection).delete_file(action.params["path"], expected_version=action.params["expected_version"])
    return "Deleted."
