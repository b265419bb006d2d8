"""Scalyr configuration files, read live: the list, one file, and how to show its content.

Reading needs a Read Config (or Write Config) token; the views check which tokens are set.
"""

from __future__ import annotations

import json

from vendors.core import errors
from vendors.scalyr.client import client_for
from vendors.scalyr.client.records import ConfigFile


def pretty(content: str | None) -> tuple[str, bool]:
    """(text to show, was strict JSON). Scalyr's relaxed JSON (comments, bare keys) is shown as written."""
    if content is None:
        return "", False
    try:
        return json.dumps(json.loads(content), indent=2, ensure_ascii=False), True
    except (ValueError, RecursionError):  # nested past the stack: shown as written
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
