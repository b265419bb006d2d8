"""The LDAP_* variables as an operator sets them, and the console without django-auth-ldap."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.sso.conftest import BIND_CANARY, require_ldap
from tests.sso.slapd import BIND_DN, SUFFIX, password_of

ROOT = Path(__file__).resolve().parents[2]
#: stands in for an absent package: `import ldap` fails as it does where python-ldap was never built
NO_LDAP = ("import sys\n"
           "class NoLdap:\n"
           "    def find_spec(self, name, path=None, target=None):\n"
           "        if name.split('.')[0] in ('ldap', 'django_auth_ldap'):\n"
           "            raise ModuleNotFoundError(f'No module named {name!r}')\n"
           "sys.meta_path.insert(0, NoLdap())\n")

#: the login form's call (axes wants the request)
SIGN_IN = ("from django.contrib.auth import authenticate\n"
           "from django.test import RequestFactory\n"
           "def sign_in(username, password):\n"
           "    request = RequestFactory().post('/accounts/login/')\n"
           "    return authenticate(request, username=username, password=password)\n")


def run(code: str, tmp_path, **variables) -> subprocess.CompletedProcess:
    """`code` in a fresh process on the product's settings (DEBUG, SQLite and files under tmp_path)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("LDAP_", "DJANGO_", "PYTEST_", "OIDC_")) and key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DEBUG="1", CONSOLE_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="dashboard.settings",
               LOG_FORMAT="text", **variables)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_the_ldap_variables_sign_people_in(tmp_path, slapd):
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.core.management import call_command\n"
        + SIGN_IN +
        "call_command('migrate', verbosity=0)\n"
        "print(settings.AUTHENTICATION_BACKENDS[:3])\n"
        "user = sign_in('alice', %r)\n"
        "print('signed in', user, sorted(user.ldap_user.group_names))\n"
        "print('wrong password', sign_in('alice', 'wrong'))\n"
    ) % password_of("alice")
    done = run(code, tmp_path, LOG_LEVEL="DEBUG", LDAP_SERVER_URI=slapd.uri, LDAP_BIND_DN=BIND_DN,
               LDAP_BIND_PASSWORD=BIND_CANARY, LDAP_USER_SEARCH_BASE=f"ou=people,{SUFFIX}",
               LDAP_GROUP_SEARCH_BASE=f"ou=groups,{SUFFIX}")
    assert done.returncode == 0, done.stderr[-3000:]
    assert ("['axes.backends.AxesStandaloneBackend', 'console.teams.ldap_backend.DirectoryBackend', "
            "'console.teams.local_login.LocalAccountBackend']") in done.stdout  # axes first: it counts failures
    assert "signed in alice ['ops-admins']" in done.stdout
    assert "wrong password None" in done.stdout
    assert "Binding as cn=console" in done.stderr  # the debug log ran, and said nothing of the password
    assert BIND_CANARY not in done.stdout + done.stderr


def test_a_custom_user_filter_is_used(tmp_path, slapd):
    code = ("import django; django.setup()\n"
            "from django.core.management import call_command\n"
            + SIGN_IN +
            "call_command('migrate', verbosity=0)\n"
            "print('by number', sign_in('2', %r))\n") % password_of("bob")
    done = run(code, tmp_path, LDAP_SERVER_URI=slapd.uri, LDAP_BIND_DN=BIND_DN, LDAP_BIND_PASSWORD=BIND_CANARY,
               LDAP_USER_SEARCH_BASE=f"ou=people,{SUFFIX}", LDAP_USER_FILTER="(employeeNumber=%(user)s)")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "by number 2" in done.stdout


def test_without_django_auth_ldap_the_console_starts_and_signs_in_locally(tmp_path):
    code = NO_LDAP + (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('check')\n"
        "import dashboard.urls, console.teams.forms, console.teams.local_login, console.teams.sso\n"
        "call_command('migrate', verbosity=0)\n"
        + SIGN_IN +
        "from django.contrib.auth import get_user_model\n"
        "get_user_model().objects.create_user('erin', password='erin-local-pw')\n"
        "print('signed in', sign_in('erin', 'erin-local-pw'))\n"
        "try:\n    import django_auth_ldap\nexcept ImportError:\n    print('no django-auth-ldap')\n")
    done = run(code, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "signed in erin" in done.stdout and "no django-auth-ldap" in done.stdout


def test_ldap_configured_without_django_auth_ldap_fails_saying_what_to_install(tmp_path):
    done = run(NO_LDAP + "import django; django.setup()\n", tmp_path, LDAP_SERVER_URI="ldap://ldap.internal/",
               LDAP_USER_SEARCH_BASE="ou=people,dc=example,dc=org", LDAP_BIND_PASSWORD=BIND_CANARY)
    assert done.returncode != 0
    assert ("LDAP_SERVER_URI is set but django-auth-ldap is not installed: pip install -r requirements-ldap.txt"
            in done.stderr)
    assert BIND_CANARY not in done.stdout + done.stderr


@pytest.mark.parametrize("changes, message", [
    ({"user_search_base": ""}, "LDAP_USER_SEARCH_BASE must name where users are"),
    ({"user_filter": "(uid=alice)"}, "LDAP_USER_FILTER must contain %(user)s"),
])
def test_incomplete_ldap_settings_fail_fast(changes, message):
    require_ldap()
    from console.teams.ldap_config import auth_ldap_settings

    values = {"server_uri": "ldap://ldap.internal/", "bind_dn": "", "bind_password": "", "start_tls": False,
              "user_search_base": "ou=people,dc=example,dc=org", "user_filter": "(uid=%(user)s)",
              "group_search_base": ""}
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")):
        auth_ldap_settings(**{**values, **changes})
