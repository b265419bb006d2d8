"""Scalyr configuration files: list, read, and audited writes guarded by `expectedVersion`.

Reading needs a Read Config (or Write Config) token; writing a Write Config token and the
team's admin role (checked by the views). A write carries the version the editor started
from, so Scalyr refuses it with `versionMismatch` when someone changed the file meanwhile;
the caller then shows both versions. Every attempt, refused or not, is audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import transaction

from dashboard.audit.models import Outcome
from dashboard.audit.services import audit_record
from vendors.core import errors
from vendors.scalyr.clients import client_for
from vendors.scalyr.records import ConfigFile

TARGET_TYPE = "scalyr.configfile"


@dataclass(frozen=True)
class _Target:
    """What the audit log names: the file, on its connection (no database row exists for it)."""

    label: str

    def __str__(self) -> str:
        return self.label


def pretty(content: str | None) -> tuple[str, bool]:
    """(text to show, was strict JSON). Scalyr's relaxed JSON (comments, bare keys) is shown as written."""
    if content is None:
        return "", False
    try:
        return json.dumps(json.loads(content), indent=2, ensure_ascii=False), True
    except ValueError:
        return content, False


def files_list(*, connection) -> tuple[str, ...]:
    return client_for(connection).list_files()


def file_get(*, connection, path: str) -> ConfigFile:
    """The file, or NotFound (Scalyr's `success/noSuchFile`)."""
    return client_for(connection).get_file(path)


def file_get_or_none(*, connection, path: str) -> ConfigFile | None:
    try:
        return file_get(connection=connection, path=path)
    except errors.NotFound:
        return None


def _audited(*, connection, actor, verb: str, path: str, detail: dict, write) -> None:
    target = _Target(f"{connection.name}:{path}")
    try:
        write()
    except errors.VendorError as exc:
        audit_record(actor=actor, verb=verb, target=target, target_type=TARGET_TYPE, team=connection.team,
                     outcome=Outcome.FAILURE, message=str(exc), detail={"connection": connection.name, "path": path,
                                                                        **detail, "error": exc.code or exc.kind})
        raise
    with transaction.atomic():
        audit_record(actor=actor, verb=verb, target=target, target_type=TARGET_TYPE, team=connection.team,
                     detail={"connection": connection.name, "path": path, **detail})


def file_put(*, connection, path: str, content: str, expected_version: int | None, actor) -> None:
    """Create or replace a file. With `expected_version` None the file must not exist yet.

    Raises Conflict when the file changed (or appeared) since the editor read it.
    """
    client = client_for(connection)

    def write():
        if expected_version is None and file_get_or_none(connection=connection, path=path) is not None:
            raise errors.Conflict(f"A file already exists at {path}: open it to edit it.", code="fileExists")
        client.put_file(path, content, expected_version=expected_version)

    _audited(connection=connection, actor=actor, verb="scalyr.file.create" if expected_version is None
             else "scalyr.file.update", path=path, detail={"expected_version": expected_version,
                                                           "bytes": len(content.encode())}, write=write)


def file_delete(*, connection, path: str, expected_version: int, actor) -> None:
    _audited(connection=connection, actor=actor, verb="scalyr.file.delete", path=path,
             detail={"expected_version": expected_version},
             write=lambda: client_for(connection).delete_file(path, expected_version=expected_version))
