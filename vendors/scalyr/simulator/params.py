"""Request parameters as Scalyr reads them, and its error shape.

Empty strings count as absent (scalyr-tool sends `""` for every flag it was not given),
and GET query strings carry numbers and booleans as text.
"""

from __future__ import annotations


class ApiError(Exception):
    """Answered as `{"status": status, "message": message}` with HTTP `http_status`."""

    def __init__(self, status: str, message: str, http_status: int = 400):
        super().__init__(message)
        self.status = status
        self.message = message
        self.http_status = http_status

    def body(self) -> dict:
        return {"status": self.status, "message": self.message}


def bad_param(message: str) -> ApiError:
    return ApiError("error/client/badParam", message, 400)


class Params:
    def __init__(self, values: dict):
        self.values = values

    def raw(self, name: str):
        value = self.values.get(name)
        return None if value == "" else value

    def str(self, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.raw(name)
        if value is None:
            if required:
                raise bad_param(f"missing required parameter '{name}'")
            return default
        if not isinstance(value, str):
            raise bad_param(f"parameter '{name}' must be a string")
        return value

    def int(self, name: str, default: int | None, *, low: int, high: int) -> int | None:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = int(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None:
            raise bad_param(f"parameter '{name}' must be an integer")
        if not low <= number <= high:
            raise bad_param(f"parameter '{name}' must be between {low} and {high} (got {number})")
        return number

    def bool(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise bad_param(f"parameter '{name}' must be true or false")

    def choice(self, name: str, choices: tuple[str, ...], default: str | None = None) -> str | None:
        value = self.str(name)
        if value is None:
            return default
        if value not in choices:
            raise bad_param(f"parameter '{name}' must be one of {', '.join(choices)} (got '{value}')")
        return value

    def query_type(self, expected: str) -> None:
        value = self.str("queryType")
        if value is not None and value != expected:
            raise bad_param(f"queryType must be '{expected}' for this method (got '{value}')")

    def priority(self) -> str:
        return self.choice("priority", ("high", "low"), "low")
