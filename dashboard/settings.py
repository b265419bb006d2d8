"""Settings, all read from the environment (django-environ).

With nothing set, the console runs on the embedded default: SQLite and a file-system
Celery broker under var/, no server needed. Production sets DATABASE_URL (PostgreSQL)
and REDIS_URL, turns DEBUG off, and must then provide SECRET_KEY and
FIELD_ENCRYPTION_KEYS or the process refuses to start. Every variable is documented in
the README.
"""

import warnings
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("CONSOLE_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)
EMBEDDED_DEV_DEFAULTS = env.bool("CONSOLE_DEV", default=False)

# Development keys are only acceptable when DEBUG (or the demo's CONSOLE_DEV) says so.
_dev = DEBUG or EMBEDDED_DEV_DEFAULTS
SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-secret-key-change-me" if _dev else "")
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS",
    default=["ZGV2LWluc2VjdXJlLWtleS0wMDAwMDAwMDAwMDAwMDA="] if _dev else [],
)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see README, 'Settings').")
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off: a comma-separated list of Fernet keys, "
        "the first encrypts, all decrypt (see README, 'Settings')."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Each vendor is a Django app that registers itself with vendors.core on start-up; the
# overview, navigation and scheduler loop over that registry and never name a vendor.
VENDOR_APPS: list[str] = ["vendors.scalingo", "vendors.scalyr", "vendors.scalr"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "console",
    "template_partials",
    "csp",
    "axes",
    "django_prometheus",
    "console.teams",
    "console.audit",
    "console.tokens",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "dashboard.overview",
    "vendors.core",
    "vendors.core.alerts",
    *VENDOR_APPS,
]

MIDDLEWARE = [
    "console.redaction.RequestLineMiddleware",  # the access log's request line, secrets masked (deploy/)
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",  # DRF's views opt out: the API answers 401
    "console.api.auth.ApiContextMiddleware",
    "console.params.RefuseNulMiddleware",  # a NUL in any input: 400, never PostgreSQL's 500
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "console.htmx.VaryOnHtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.context_processors.console",
                "console.oidc.context_processors.oidc",
            ],
        },
    }
]

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'console.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for locks instead of failing, and take the
    # write lock at BEGIN so the lease claims serialise cleanly.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE",
                                       "init_command": "PRAGMA journal_mode=WAL;"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Opt in to Django 6's https default for URL form fields now (the setting itself warns
# that it is transitional; the warning says nothing we need to act on before 6.0).
FORMS_URLFIELD_ASSUME_HTTPS = True
warnings.filterwarnings("ignore", message="The FORMS_URLFIELD_ASSUME_HTTPS transitional setting is deprecated")

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "console.teams.local_login.LocalAccountBackend"]
# The REST API (/api/v1/, README "API"): personal bearer tokens acting as their user; the signed-in
# session too, so the docs page can try requests. Every error is JSON (console/api/errors.py).
CONSOLE_API_RATE = env.str("CONSOLE_API_RATE", default="600/min")  # requests per token: N/s, N/min, N/hour
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["console.api.auth.BearerTokenAuthentication",
                                       "rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "console.api.auth.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["console.api.throttling.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "console.api.pagination.Pages",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "console.api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ops console API",
    "DESCRIPTION": "Connections, Scalr, Scalingo and Scalyr inventories, the timeline, the audit log and "
                   "actions, scoped to the token user's teams and roles. Send `Authorization: Bearer <token>` "
                   "(create one on your API tokens page or with `manage.py create_api_token`).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "console.api.schema.add_error_responses"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Sign-in through an OpenID Connect provider (console/oidc/), on when OIDC_ISSUER is set: endpoints
# come from the issuer's discovery document, read at the first sign-in and cached.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="")
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_SCOPES = env.str("OIDC_SCOPES", default="openid email profile groups")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="")
if OIDC_ISSUER and not (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET):
    raise ImproperlyConfigured("OIDC_ISSUER is set: OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set too "
                               "(see README, 'Sign-in').")
# always listed (it does nothing while OIDC_ISSUER is unset), so sessions it opened outlive a change of settings
AUTHENTICATION_BACKENDS.append("console.oidc.backend.OIDCBackend")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overview:home"
LOGOUT_REDIRECT_URL = "login"

# Login rate limit (django-axes): 5 failures per username+address lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# "address" is the client's as our reverse proxies saw it: behind nginx (deploy/), CONSOLE_PROXY_COUNT=1
# takes the last X-Forwarded-For entry, the one nginx wrote (console/client_ip.py).
CONSOLE_PROXY_COUNT = env.int("CONSOLE_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "console.client_ip.client_ip"

# Sign-in (README "Sign-in"). CONSOLE_LOCAL_LOGIN=false refuses console passwords to all but superusers.
CONSOLE_LOCAL_LOGIN = env.bool("CONSOLE_LOCAL_LOGIN", default=True)
# The company directory over LDAP, only when LDAP_SERVER_URI is set (django-auth-ldap: requirements-ldap.txt).
# Wrong directory passwords count toward the same rate limit: axes' backend stays first.
LDAP_SERVER_URI = env.str("LDAP_SERVER_URI", default="")
if LDAP_SERVER_URI:
    from console.teams.ldap_config import auth_ldap_settings

    globals().update(auth_ldap_settings(
        server_uri=LDAP_SERVER_URI, bind_dn=env.str("LDAP_BIND_DN", default=""),
        bind_password=env.str("LDAP_BIND_PASSWORD", default=""),
        user_search_base=env.str("LDAP_USER_SEARCH_BASE", default=""),
        user_filter=env.str("LDAP_USER_FILTER", default="(uid=%(user)s)"),
        group_search_base=env.str("LDAP_GROUP_SEARCH_BASE", default=""),
        start_tls=env.bool("LDAP_START_TLS", default=False)))
    AUTHENTICATION_BACKENDS.insert(1, "console.teams.ldap_backend.DirectoryBackend")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or EMBEDDED_DEV_DEFAULTS
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or EMBEDDED_DEV_DEFAULTS

# Security headers; the deploy checklist (`manage.py check --deploy`) passes with the
# production settings documented in the README (TLS terminated by nginx).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not _dev)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not _dev)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not _dev)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if _dev else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not _dev)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# error pages (DEBUG) and error mails mask user:password@ in URL values too, not only settings named ...PASS...
DEFAULT_EXCEPTION_REPORTER_FILTER = "console.error_reports.UrlCredentialsFilter"
# security.W021 asks for HSTS preload, which only public domains can join; an internal
# console's host name cannot, so the warning is silenced rather than the header sent.
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=["security.W021"])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https:", "http:"],  # vendor logos and Scalr graph images
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Celery: Redis in production; a file-system broker under var/ on the embedded default,
# which carries tasks between the web, worker and beat processes without any server.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
# Keep our handlers (JSON, secret redaction) in workers instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ACKS_LATE = True
# a worker process killed mid-task gives its task back at once; the action pipeline and the poll
# lease make the second delivery safe (an action is never sent twice; a poll is never run twice at
# once: the redelivered poll still holds the lease and polls again). A whole worker lost at once is
# caught by the scheduler tick's sweep (actions) and by lease expiry (polls).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 30
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Beat only ticks the scheduler every few seconds: nothing to remember across restarts, so
# the in-memory scheduler (the default shelve file breaks on some dbm back-ends).
CELERY_BEAT_SCHEDULER = "celery.beat:Scheduler"
CONSOLE_SCHEDULER_TICK_SECONDS = env.float("CONSOLE_SCHEDULER_TICK_SECONDS", default=5.0)
CELERY_BEAT_SCHEDULE = {
    "scheduler-tick": {"task": "vendors.core.tasks.scheduler_tick", "schedule": CONSOLE_SCHEDULER_TICK_SECONDS},
    # SQLite keeps no planner statistics by itself (see vendors/core/maintenance.py)
    "database-analyze": {"task": "vendors.core.tasks.database_analyze",
                         "schedule": env.float("CONSOLE_ANALYZE_SECONDS", default=3600.0)},
}
# A lease outlives the longest poll (the task's hard time limit) so a crashed worker's
# claim expires by itself and the connection is polled again.
CONSOLE_POLL_LEASE_SECONDS = CELERY_TASK_TIME_LIMIT + 30
#: once a worker runs the poll, its lease is this short and renewed while the poll runs (vendors/core/polling.py):
#: how long a dead worker's connections wait before another worker may poll them
CONSOLE_POLL_RUNNING_LEASE_SECONDS = env.float("CONSOLE_POLL_RUNNING_LEASE_SECONDS", default=30.0)
#: how long an action's task follows the vendor before the action is "unconfirmed" (then in the background)
CONSOLE_ACTION_FOLLOW_SECONDS = env.float("CONSOLE_ACTION_FOLLOW_SECONDS", default=CELERY_TASK_SOFT_TIME_LIMIT - 40)
CONSOLE_MAX_BACKOFF_SECONDS = env.int("CONSOLE_MAX_BACKOFF_SECONDS", default=1800)
#: the largest vendor answer read (vendors/core/answers.py): past it the request fails, "answer larger than N MB"
CONSOLE_MAX_RESPONSE_MB = env.int("CONSOLE_MAX_RESPONSE_MB", default=32)
#: vendor addresses allowed besides public ones (CIDRs, addresses, host names, each maybe with :port);
#: loopback, private, link-local... are refused otherwise (vendors/core/outbound.py)
CONSOLE_OUTBOUND_ALLOW = env.list("CONSOLE_OUTBOUND_ALLOW", default=[])
#: live tails (Scalingo logs) open at once per user, across web processes, and per web process;
#: keep the second below the web server's threads (deploy/gunicorn.conf.py) so pages always find one
CONSOLE_TAILS_PER_USER = env.int("CONSOLE_TAILS_PER_USER", default=3)
CONSOLE_TAILS_PER_PROCESS = env.int("CONSOLE_TAILS_PER_PROCESS", default=20)

# Alerts (README "Alerting"): attention conditions become alert rows after each poll and notify team channels.
#: a firing alert nobody acknowledged is sent again this often (seconds; 4 h)
CONSOLE_ALERT_REMIND_SECONDS = env.float("CONSOLE_ALERT_REMIND_SECONDS", default=4 * 3600.0)
#: a condition back within this long of its alert's resolution re-opens that alert instead of a new one
CONSOLE_ALERT_REOPEN_SECONDS = env.float("CONSOLE_ALERT_REOPEN_SECONDS", default=900.0)
#: a notification is tried this many times, waiting CONSOLE_ALERT_RETRY_SECONDS, then twice as long... (capped at 10 min)
CONSOLE_ALERT_DELIVERY_ATTEMPTS = env.int("CONSOLE_ALERT_DELIVERY_ATTEMPTS", default=5)
CONSOLE_ALERT_RETRY_SECONDS = env.float("CONSOLE_ALERT_RETRY_SECONDS", default=10.0)
CELERY_BEAT_SCHEDULE["alerts-sweep"] = {"task": "vendors.core.alerts.tasks.alerts_sweep",
                                        "schedule": CONSOLE_SCHEDULER_TICK_SECONDS}
#: the console's address as people open it (https://console.internal.example): notifications link to it
CONSOLE_URL = env.str("CONSOLE_URL", default="").rstrip("/")
# Email channels send through EMAIL_URL (smtp://host:25, smtp+tls://user:password@host:587); unset, they fail saying so
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    globals().update(env.email_url_config(EMAIL_URL))
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10.0)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ops-console@localhost")

PROMETHEUS_EXPORT_MIGRATIONS = False

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "console.redaction.RedactingFilter"}},
    "formatters": {
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s", "rename_fields": {"levelname": "level"}},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT,
                    "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}, "httpx": {"level": "WARNING"},
                "httpcore": {"level": "WARNING"},
                # the file-system broker has no host name: kombu warns about it on every connection
                "kombu.connection": {"level": "ERROR"},
                # runserver's access lines follow LOG_LEVEL (the demo's WARNING hides them)
                "django.server": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}},
}
