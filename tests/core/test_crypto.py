"""Secrets at rest: ciphertext in the column, loud failure on a wrong key, rotation."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection as db

from tests.testvendor.models import WidgetConnection
from vendors.core.errors import SecretUnreadable

PLAINTEXT = "tk-us-canary-0a1b2c3d4e5f"


def raw_secrets_column(pk) -> str:
    with db.cursor() as cursor:
        cursor.execute(f"SELECT secrets FROM {WidgetConnection._meta.db_table} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


@pytest.fixture
def stored(team):
    conn = WidgetConnection(name="crypto", team=team, base_url="http://127.0.0.1:9")
    conn.secrets.set("token", PLAINTEXT)
    conn.save()
    return conn


def test_raw_column_never_holds_the_plaintext(stored):
    raw = raw_secrets_column(stored.pk)
    assert PLAINTEXT not in raw
    assert '"token"' in raw  # which secrets are set stays readable without a key
    assert WidgetConnection.objects.get(pk=stored.pk).secrets.get("token") == PLAINTEXT


def test_a_wrong_key_gives_a_clear_error_not_ciphertext(stored, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    reloaded = WidgetConnection.objects.get(pk=stored.pk)
    assert reloaded.secrets.is_set("token")
    with pytest.raises(SecretUnreadable, match="cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS"):
        reloaded.secrets.get("token")


def test_rotate_keys_reencrypts_under_the_new_key(stored, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert WidgetConnection.objects.get(pk=stored.pk).secrets.get("token") == PLAINTEXT  # old key still decrypts
    before = raw_secrets_column(stored.pk)

    call_command("rotate_keys")

    assert raw_secrets_column(stored.pk) != before
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert WidgetConnection.objects.get(pk=stored.pk).secrets.get("token") == PLAINTEXT


def test_rotate_keys_changes_nothing_when_a_secret_is_unreadable(stored, settings):
    from django.core.management.base import CommandError

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    before = raw_secrets_column(stored.pk)
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("rotate_keys")
    assert raw_secrets_column(stored.pk) == before


def test_plain_values_cannot_be_assigned_to_secrets(team):
    conn = WidgetConnection(name="plain", team=team)
    with pytest.raises(TypeError):
        conn.secrets = {"token": "plaintext"}
        conn.save()


def test_an_invalid_key_in_settings_is_named(stored, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="entry 1 is not a valid Fernet key"):
        WidgetConnection.objects.get(pk=stored.pk).secrets.get("token")
