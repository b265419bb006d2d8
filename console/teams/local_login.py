"""Local accounts (a password kept by the console), which CONSOLE_LOCAL_LOGIN=false keeps for superusers.

Refused only once the password proved right, so the refusal tells nothing about names or wrong
passwords; it still counts as a failed sign-in for the rate limit. The login form reads the
mark left on the request to say why (console.teams.forms.LoginForm).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

REFUSED_MARK = "local_login_refused"
MESSAGE = ("Sign-in with a console password is turned off: use your company account. "
           "Ask an administrator if you have none.")


class LocalAccountBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None or settings.CONSOLE_LOCAL_LOGIN or user.is_superuser:
            return user
        if request is not None:
            setattr(request, REFUSED_MARK, True)
        return None
