"""Scalyr's configuration files: list, read, and writes guarded by `expectedVersion`."""

from __future__ import annotations

from vendors.core import errors
from vendors.scalyr.client.base import READ_CONFIG, WRITE_CONFIG, non_null
from vendors.scalyr.client.records import ConfigFile


class ConfigFileMethods:
    """The Read/Write Config methods of `ScalyrClient` (a mixin over `ScalyrTransport`)."""

    def list_files(self) -> tuple[str, ...]:
        body = self._call("listFiles", {}, (READ_CONFIG, WRITE_CONFIG))
        return tuple(body.get("paths") or ())

    def get_file(self, path: str, *, expected_version: int | None = None, prettyprint: bool = False) -> ConfigFile:
        """A config file. With `expected_version` equal to the current one, `unchanged` and no content.

        A missing file (Scalyr's `success/noSuchFile`) raises NotFound.
        """
        payload = non_null(path=path, expectedVersion=expected_version, prettyprint=prettyprint or None)
        body = self._call("getFile", payload, (READ_CONFIG, WRITE_CONFIG))
        status = str(body.get("status", ""))
        if status.startswith("success/noSuchFile"):
            raise errors.NotFound(str(body.get("message") or f"No Scalyr config file at {path}"), status=404,
                                  code=status)
        return ConfigFile.from_body(body, path)

    def put_file(self, path: str, content: str | None = None, *, delete: bool = False,
                 expected_version: int | None = None, prettyprint: bool = False) -> None:
        """Create, replace (`content`) or delete (`delete=True`) a config file.

        With `expected_version`, Scalyr writes only if the file is still at that version,
        else Conflict. Without it a 5xx is not retried: the write may have happened.
        """
        if delete == (content is not None):
            raise ValueError("put_file needs either content or delete=True")
        payload = non_null(path=path, content=content, deleteFile=True if delete else None,
                           expectedVersion=expected_version, prettyprint=prettyprint or None)
        self._call("putFile", payload, (WRITE_CONFIG,), retry_5xx=expected_version is not None)

    def delete_file(self, path: str, *, expected_version: int | None = None) -> None:
        self.put_file(path, delete=True, expected_version=expected_version)
