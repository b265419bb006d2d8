"""Config files: versions, optimistic concurrency, delete, unchanged and missing files."""

from __future__ import annotations

import pytest

from vendors.core import errors

from .helpers import NOW, READ_CONFIG, make_client


def test_versions_count_up_and_dates_are_kept(client):
    client.put_file("/dashboards/Foo", "{ graphs: [] }")
    created = client.get_file("/dashboards/Foo")
    assert (created.version, created.content, created.unchanged) == (1, "{ graphs: [] }", False)
    assert created.create_date.timestamp() == NOW == created.mod_date.timestamp()
    client.put_file("/dashboards/Foo", "{ graphs: [ {} ] }")
    updated = client.get_file("/dashboards/Foo")
    assert (updated.version, updated.content) == (2, "{ graphs: [ {} ] }")
    assert client.list_files() == ("/dashboards/Foo",)


def test_expected_version_guards_writes(client):
    client.put_file("/alerts", "v1")
    client.put_file("/alerts", "v2", expected_version=1)
    with pytest.raises(errors.Conflict) as caught:
        client.put_file("/alerts", "lost update", expected_version=1)
    assert caught.value.code == "error/client/versionMismatch"
    assert client.get_file("/alerts").content == "v2"
    with pytest.raises(errors.Conflict):
        client.put_file("/new", "x", expected_version=1)  # a missing file has no version


def test_unchanged_and_missing_files(client):
    client.put_file("/a", "text")
    unchanged = client.get_file("/a", expected_version=1)
    assert unchanged.unchanged and unchanged.content is None and unchanged.version == 1
    assert client.get_file("/a", expected_version=0).content == "text"
    with pytest.raises(errors.NotFound) as caught:
        client.get_file("/nope")
    assert caught.value.code == "success/noSuchFile" and "/nope" in str(caught.value)


def test_delete_and_recreate_keeps_counting(client):
    client.put_file("/a", "one")
    with pytest.raises(errors.Conflict):
        client.delete_file("/a", expected_version=7)
    client.delete_file("/a", expected_version=1)
    assert client.list_files() == ()
    with pytest.raises(errors.NotFound):
        client.get_file("/a")
    client.delete_file("/a")  # deleting a missing file succeeds
    client.put_file("/a", "two")
    assert client.get_file("/a").version == 2


def test_prettyprint_and_bad_paths(client):
    client.put_file("/j", '{"a":[1,2]}', prettyprint=True)
    assert client.get_file("/j").content == '{\n  "a": [\n    1,\n    2\n  ]\n}'
    with pytest.raises(errors.InvalidRequest, match="must start with '/'"):
        client.get_file("relative")
    with pytest.raises(ValueError):
        client.put_file("/j")


def test_read_config_token_cannot_write(sim):
    with make_client(sim, write_config_token=READ_CONFIG) as scalyr:
        with pytest.raises(errors.AuthenticationError) as caught:
            scalyr.put_file("/a", "x")
    assert caught.value.code == "error/client/noPermission" and caught.value.status == 401


def test_a_file_nested_deeper_than_python_can_parse_is_shown_as_written():
    from vendors.scalyr.selectors.config_files import pretty

    content = "[" * 100_000
    assert pretty(content) == (content, False)
