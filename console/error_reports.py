"""Error pages and error e-mails without the passwords inside URLs.

Django's SafeExceptionReporterFilter hides settings by name only (…KEY, …PASS, …TOKEN…):
`REDIS_URL`, `CELERY_BROKER_URL`, a cache's `LOCATION` or the process environment's
`DATABASE_URL` (shown under runserver, whose request META carries the environment) are shown
whole, password included. This filter also masks the user information of any URL in a setting
(nested in dicts, lists and tuples), a request header or environment variable, or a
string local variable of the traceback.
"""

from __future__ import annotations

import re

from django.views.debug import SafeExceptionReporterFilter

# scheme://user:password@host: everything between "://" and the last "@" before the next space
_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^\s]*@")


def mask_url_credentials(value, substitute: str = SafeExceptionReporterFilter.cleansed_substitute):
    """`value` with the user information of its URLs masked if it is a string (or a lazy one), else as it is."""
    if not isinstance(value, str):
        return value
    masked = _CREDENTIALS.sub(lambda match: f"{match.group(1)}{substitute}@", str(value))
    return value if masked == value else masked


class UrlCredentialsFilter(SafeExceptionReporterFilter):
    def cleanse_setting(self, key, value):
        return mask_url_credentials(super().cleanse_setting(key, value), self.cleansed_substitute)

    def cleanse_special_types(self, request, value):
        """A traceback's local variables, into plain dicts, lists and tuples a few levels deep (a local
        can hold a cycle)."""
        return self._mask_within(super().cleanse_special_types(request, value), depth=4)

    def _mask_within(self, value, *, depth: int):
        if depth and type(value) is dict:
            return {key: self._mask_within(item, depth=depth - 1) for key, item in value.items()}
        if depth and type(value) in (list, tuple):
            return type(value)(self._mask_within(item, depth=depth - 1) for item in value)
        return mask_url_credentials(value, self.cleansed_substitute)
