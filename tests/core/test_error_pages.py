"""Debug error pages show settings and the environment, never the passwords inside their URLs."""

import secrets
import sys

from django.conf import settings
from django.test import RequestFactory, override_settings
from django.views.debug import technical_500_response

CANARY = f"canary-{secrets.token_hex(6)}"  # not in the source lines the page quotes
URLS = {"REDIS_URL": f"redis://:{CANARY}@cache.internal.example:6379/0",
        "CELERY_BROKER_URL": f"redis://console:{CANARY}@broker.internal.example:6379/1",
        "SENTRY_DSN": f"https://key:{CANARY}@errors.internal.example/4"}


def vendor_call(url):
    raise ConnectionError("the vendor did not answer")


def error_page(**environ) -> str:
    request = RequestFactory().get("/scalr/farms/", **environ)
    try:
        vendor_call(f"https://admin:{CANARY}@scalr.internal.example/api")
    except ConnectionError:
        return technical_500_response(request, *sys.exc_info()).content.decode()


@override_settings(DEBUG=True, **URLS,
                   CACHES={**settings.CACHES, "sessions": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                           "LOCATION": [f"redis://:{CANARY}@cache.internal.example:6379/2"]}})
def test_the_debug_error_page_masks_url_passwords_in_settings_environment_and_locals():
    page = error_page(DATABASE_URL=f"postgres://console:{CANARY}@db.internal.example:5432/console")
    assert "the vendor did not answer" in page  # the page is the real one, settings and all
    for shown in ("cache.internal.example:6379/0", "broker.internal.example", "cache.internal.example:6379/2",
                  "errors.internal.example", "db.internal.example:5432", "scalr.internal.example"):
        assert f"********************@{shown}" in page  # settings, environment and locals, each masked
    assert CANARY not in page
