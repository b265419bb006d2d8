"""Configuration files: listFiles, getFile, putFile (scalyr.md §6.7-6.9).

Versions start at 1 and go up by one on every write; a file deleted and created again
keeps counting, so a version seen before the delete is never mistaken for the new file.
`expectedVersion` on putFile must equal the current version (a missing file has none).
Deleting a missing file succeeds (undocumented; chosen so deletes can be retried).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from vendors.scalyr.simulator.params import ApiError, Params, bad_param


@dataclass
class ConfigFile:
    path: str
    content: str
    version: int
    create_date: int  # ms
    mod_date: int  # ms


def _pretty(content: str) -> str:
    try:
        return json.dumps(json.loads(content), indent=2)
    except ValueError:
        return content  # Scalyr config files are often JSON-ish (unquoted keys): leave as written


class ConfigFiles:
    def __init__(self):
        self.files: dict[str, ConfigFile] = {}
        self._last_version: dict[str, int] = {}

    def _path(self, params: Params) -> str:
        path = params.str("path", required=True)
        if not path.startswith("/"):
            raise bad_param(f"path must start with '/' (got [{path}])")
        return path

    def list_files(self, params: Params) -> dict:
        return {"status": "success", "paths": sorted(self.files)}

    def get_file(self, params: Params) -> dict:
        path = self._path(params)
        expected = params.int("expectedVersion", None, low=0, high=2**62)
        found = self.files.get(path)
        if found is None:
            return {"status": "success/noSuchFile", "stalenessSlop": 0, "message": f"no file at path {path}"}
        body = {"status": "success", "path": path, "version": found.version, "createDate": found.create_date,
                "modDate": found.mod_date, "stalenessSlop": 0}
        if expected is not None and expected == found.version:
            body["status"] = "success/unchanged"
        else:
            body["content"] = _pretty(found.content) if params.bool("prettyprint", False) else found.content
        return body

    def put_file(self, params: Params, now_ms: int) -> dict:
        path = self._path(params)
        expected = params.int("expectedVersion", None, low=0, high=2**62)
        delete = params.bool("deleteFile", False)
        content = params.values.get("content")
        if not delete and not isinstance(content, str):
            raise bad_param("putFile needs 'content' (a string) or 'deleteFile': true")
        current = self.files.get(path)
        if expected is not None and (current is None or current.version != expected):
            raise ApiError("error/client/versionMismatch",
                           f"expectedVersion {expected} does not match the current version "
                           f"{current.version if current else '(no file)'} of {path}", 400)
        if delete:
            self.files.pop(path, None)
            return {"status": "success"}
        if params.bool("prettyprint", False):
            content = _pretty(content)
        version = self._last_version.get(path, 0) + 1
        self._last_version[path] = version
        self.files[path] = ConfigFile(path=path, content=content, version=version,
                                      create_date=current.create_date if current else now_ms, mod_date=now_ms)
        return {"status": "success"}
