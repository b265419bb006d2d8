"""A model field holding a connection's secrets, each encrypted on its own.

The column stores `{name: fernet-token}`. Which secrets are set is readable without any
key (the pages say "set" / "not set"); a value is decrypted only when a client is built,
through `SecretBox.get()`. Plaintext never sits in the model instance.
"""

from __future__ import annotations

import json

from django.db import models

from vendors.core import crypto


class SecretBox:
    def __init__(self, tokens: dict[str, str] | None = None, *, owner: str = "connection"):
        self._tokens = {k: v for k, v in (tokens or {}).items() if v}
        self.owner = owner

    def is_set(self, name: str) -> bool:
        return name in self._tokens

    def names(self) -> list[str]:
        return sorted(self._tokens)

    def get(self, name: str) -> str | None:
        token = self._tokens.get(name)
        if token is None:
            return None
        return crypto.decrypt(token, what=f"The secret '{name}' of {self.owner}")

    def set(self, name: str, value: str) -> None:
        self._tokens[name] = crypto.encrypt(value)

    def clear(self, name: str) -> None:
        self._tokens.pop(name, None)

    def rotate(self) -> None:
        """Re-encrypt every value under the first key (MultiFernet.rotate)."""
        self._tokens = {name: crypto.rotate(token, what=f"The secret '{name}' of {self.owner}")
                        for name, token in self._tokens.items()}

    def tokens(self) -> dict[str, str]:
        return dict(self._tokens)

    def __eq__(self, other) -> bool:
        return isinstance(other, SecretBox) and other._tokens == self._tokens

    def __repr__(self) -> str:
        return f"<SecretBox set={self.names()}>"

    __str__ = __repr__


class EncryptedSecretsField(models.JSONField):
    description = "Secrets encrypted one by one with MultiFernet"

    def __init__(self, *args, owner: str = "connection", **kwargs):
        """`owner`: what holds the secrets, as an error about one names it ("the secret 'url' of channel 'x'")."""
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        self.owner = owner
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.owner != "connection":
            kwargs["owner"] = self.owner
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        tokens = super().from_db_value(value, expression, connection)
        return SecretBox(tokens or {})

    def to_python(self, value):
        if isinstance(value, SecretBox):
            return value
        return SecretBox(value or {})

    def get_prep_value(self, value):
        if isinstance(value, SecretBox):
            value = value.tokens()
        elif value:
            raise TypeError("Secrets must be set through SecretBox.set(), never assigned as plain values.")
        return super().get_prep_value(value or {})

    def value_to_string(self, obj):
        """Serialisation (dumpdata) writes the ciphertexts, never plaintext."""
        value = self.value_from_object(obj)
        return json.dumps(value.tokens() if isinstance(value, SecretBox) else (value or {}))

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if not isinstance(value, SecretBox):
            value = SecretBox(value if isinstance(value, dict) and not value else None)
            setattr(model_instance, self.attname, value)
        return value

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        setattr(cls, name, _SecretBoxDescriptor(self))


class _SecretBoxDescriptor:
    """Always hand out a SecretBox, also on a fresh instance whose default is `{}`."""

    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__.get(self.field.attname)
        if not isinstance(value, SecretBox):
            if value:
                raise TypeError("Secrets must be set through SecretBox.set().")
            value = SecretBox()
            instance.__dict__[self.field.attname] = value
        value.owner = f"{self.field.owner} '{instance}'"
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value
