"""Settings, all from the environment (12-factor); see README "Configuration".

With nothing set, the project runs on SQLite and an embedded Celery transport under var/.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
)

DEBUG = env("DEBUG")
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-with-DEBUG"  # noqa: S105
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute address of this back-office, used in the links of notification emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# The stand-in Ticketnet (ticketnet_simulator/) is a development and test component: installed
# only when SIMULATOR_ENABLED says so (`make run`, `make test`, the compose `simulator`), never
# in production.
SIMULATOR_ENABLED = env.bool("SIMULATOR_ENABLED", default=False)

INSTALLED_APPS = [
    # The admin with the operator's dashboard as its home (cockpit.sites.CockpitAdminSite).
    "cockpit.apps.CockpitAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files: /api/docs/ offline
    "django_celery_beat",
    "credentials.apps.CredentialsConfig",
    "audit",
    "texts",  # texts stored untranslated; its makemessages extracts them
    "demo",
    "channels",
    "catalog",
    "mappings",
    "sales",
    "reconciliation",
    "schedules",
    "cockpit",
] + (["ticketnet_simulator"] if SIMULATOR_ENABLED else [])

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ticketnet_bridge.urls"
WSGI_APPLICATION = "ticketnet_bridge.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for locks instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # Tests: a file, not memory, so the Celery worker tests' subprocesses share the database.
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", str(VAR_DIR / "test-db.sqlite3")
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

# The correspondence grid posts one field per object: a stadium's 2,000 zones and more in one
# save (Django's default stops at 1,000 fields).
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=20_000)

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request if it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Credentials of the external sales interfaces are encrypted with these Fernet keys
# (comma-separated, newest first; MultiFernet decrypts with any, encrypts with the first).
# Without the variable, a development key is created once under var/ (never in production).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS and DEBUG:
    _key_file = VAR_DIR / "field-encryption.key"
    if not _key_file.exists():
        from cryptography.fernet import Fernet

        _key_file.write_bytes(Fernet.generate_key())
        _key_file.chmod(0o600)
    FIELD_ENCRYPTION_KEYS = [_key_file.read_text().strip()]

# Celery: Redis when REDIS_URL is set, else kombu's filesystem transport under var/ —
# a real broker for a first run, with real worker and beat processes, never eager mode.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    _processed_dir.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery" / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        # Broadcast (remote control) state; kombu's default is ./control in the cwd.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Jobs (schedules): retries when Ticketnet, the database or the broker is unavailable, with
# exponential backoff (base × 2^retry seconds, capped), and the expiry of lock rows where there
# are no advisory locks (SQLite; a heartbeat pushes it back every fifth of it while the run
# lives).
SCHEDULES_MAX_RETRIES = env.int("SCHEDULES_MAX_RETRIES", default=5)
SCHEDULES_RETRY_BACKOFF = env.int("SCHEDULES_RETRY_BACKOFF", default=60)
SCHEDULES_RETRY_BACKOFF_MAX = env.int("SCHEDULES_RETRY_BACKOFF_MAX", default=3600)
SCHEDULES_LOCK_TTL = env.int("SCHEDULES_LOCK_TTL", default=300)
# Celery time limits of a run, in seconds: at the soft one the run ends ERROR (its transaction
# in progress rolled back); at the hard one the worker process is killed (the abandoned-runs
# check then closes the run). The hard one leaves room for a Ticketnet call in flight to end
# (TICKETNET_OPERATION_TIMEOUT). A stadium's allotment export (19 performances × 80,000 seats,
# 300 calls) and the interface test that contains one get longer limits.
SCHEDULES_SOFT_TIME_LIMIT = env.int("SCHEDULES_SOFT_TIME_LIMIT", default=3600)
SCHEDULES_TIME_LIMIT = env.int("SCHEDULES_TIME_LIMIT", default=SCHEDULES_SOFT_TIME_LIMIT + 300)
_export_soft = env.int("SCHEDULES_ALLOTMENT_EXPORT_SOFT_TIME_LIMIT", default=4 * 3600)
_export_hard = env.int("SCHEDULES_ALLOTMENT_EXPORT_TIME_LIMIT", default=_export_soft + 300)
SCHEDULES_JOB_TIME_LIMITS = dict.fromkeys(("allotment_export", "interface_test"),
                                          (_export_soft, _export_hard))
for _soft, _hard in [(SCHEDULES_SOFT_TIME_LIMIT, SCHEDULES_TIME_LIMIT),
                     *SCHEDULES_JOB_TIME_LIMITS.values()]:
    if not 0 < _soft < _hard:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"A soft time limit ({_soft} s) must be positive and below its hard time limit "
            f"({_hard} s): see SCHEDULES_SOFT_TIME_LIMIT and SCHEDULES_TIME_LIMIT.")
# Runs whose worker died are found and ended by this periodic check (beat; seconds).
SCHEDULES_ABANDONED_CHECK_INTERVAL = env.int("SCHEDULES_ABANDONED_CHECK_INTERVAL", default=120)
CELERY_BEAT_SCHEDULE = {
    "schedules: abandoned runs check": {
        "task": "schedules.tasks.abandoned_runs_check",
        "schedule": float(SCHEDULES_ABANDONED_CHECK_INTERVAL),
        # A backlog must not pile checks up: one not started by the next is dropped.
        "options": {"expire_seconds": SCHEDULES_ABANDONED_CHECK_INTERVAL},
    },
}
if REDIS_URL:
    # Redis gives a message not acknowledged within this time to another worker: it must
    # outlast the longest run (acks_late) and the longest retry countdown, or a run would be
    # delivered twice.
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = 600 + max(
        SCHEDULES_TIME_LIMIT, _export_hard, SCHEDULES_RETRY_BACKOFF_MAX)

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ticketnet-bridge@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The Ticketnet web services (see ticketnet_gateway/).
TICKETNET_CONNECT_TIMEOUT = env.float("TICKETNET_CONNECT_TIMEOUT", default=5.0)
TICKETNET_READ_TIMEOUT = env.float("TICKETNET_READ_TIMEOUT", default=60.0)
TICKETNET_OPERATION_TIMEOUT = env.float("TICKETNET_OPERATION_TIMEOUT", default=120.0)
# Seats per setAllotment call: a stadium performance (80,000 seats) goes in 16 batches.
TICKETNET_ALLOTMENT_BATCH = env.int("TICKETNET_ALLOTMENT_BATCH", default=5000)
# Ticketnet's box office for the interface test (ticketnet_gateway.box_office): the
# simulator's when it is enabled; none with the real Ticketnet, whose staff sell by phone.
TICKETNET_BOX_OFFICE = (
    "ticketnet_simulator.box_office_client.BoxOfficeClient" if SIMULATOR_ENABLED else ""
)
# Sales statements uploaded on the finance page, kept for the reconciliation job that reads them:
# on a disk the web and the workers share. Larger files are refused at the upload.
STATEMENT_DIR = Path(env.str("STATEMENT_DIR", default=str(VAR_DIR / "statements")))
STATEMENT_MAX_BYTES = env.int("STATEMENT_MAX_BYTES", default=512 * 1024 * 1024)
SIMULATOR_STATE = env.str("SIMULATOR_STATE", default=str(VAR_DIR / "simulator.sqlite3"))
SIMULATOR_BIND = env.str("SIMULATOR_BIND", default="127.0.0.1:7120")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ticketnet_bridge API",
    "DESCRIPTION": "Ticketnet correspondence codes of an institution's interfaces.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# HSTS is remembered by browsers for its whole duration: off unless the deployment sets it.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# X-Forwarded-Proto is believed only behind a proxy that sets it (and strips the client's):
# reached directly, anyone could forge it.
TRUST_PROXY_HEADERS = env.bool("TRUST_PROXY_HEADERS", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUST_PROXY_HEADERS else None

# Error pages, error emails and logs hide password-like POST fields, variables, settings and
# keys at any depth, and every interface password wherever it shows (credentials.reporting).
DEFAULT_EXCEPTION_REPORTER_FILTER = (
    "credentials.reporting.CredentialSafeExceptionReporterFilter"
)
DEFAULT_EXCEPTION_REPORTER = "credentials.reporting.CredentialSafeExceptionReporter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_secrets": {"()": "credentials.reporting.SecretMaskingFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {"()": "django.utils.log.ServerFormatter",
                          "format": "[{server_time}] {message}", "style": "{"},
    },
    # Every handler masks: a filter on a logger would miss the records its children propagate.
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain",
                    "filters": ["mask_secrets"]},
        "mail_admins": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR",
                        "filters": ["require_debug_false", "mask_secrets"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server",
                          "level": "INFO", "filters": ["mask_secrets"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's defaults, with the masking handlers (its records also reach the console).
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # zeep's transport logs whole envelopes (credentials included) at DEBUG.
        "zeep.transports": {"level": "WARNING"},
        "zeep.wsdl": {"level": "WARNING"},
    },
}
