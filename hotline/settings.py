"""Settings for hotline, read from the environment.

Every value has a safe default for the embedded set-up (`make run`): a SQLite file under
`var/` and a Celery broker on the local filesystem. Set DATABASE_URL and REDIS_URL to run
on PostgreSQL and Redis.
"""

import datetime as dt
import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("HOTLINE_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
TESTING = "pytest" in sys.modules

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "stations",
    "tickets",
    "supervision",
    "analysis",
    "suggest",
    "attachments",
    "connector",
]

MIDDLEWARE = [
    # Outermost: whatever the layers below answer under /api/, the client gets the API's JSON error.
    "hotline.middleware.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so static files keep their long cache lifetime; everything else is no-store.
    "hotline.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hotline.middleware.BureauLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "hotline.db_router.ReplicaReadsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hotline.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hotline.context_processors.sweep_alert",
            ],
        },
    },
]

WSGI_APPLICATION = "hotline.wsgi.application"
ASGI_APPLICATION = "hotline.asgi.application"

# Database: DATABASE_URL, default a SQLite file under var/.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'hotline.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat share the file: WAL lets readers and one writer
    # work at once, IMMEDIATE transactions take the write lock up front instead of failing
    # half-way with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
# A streaming replica for the analysis reads (bulletins, dashboards, hotspots, exports): see
# hotline/db_router.py. Unset, everything reads from `default`.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["replica"].setdefault("CONN_HEALTH_CHECKS", True)
    # Tests read the replica through the default test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
HOTLINE_READ_REPLICA = "replica" if "replica" in DATABASES else None
DATABASE_ROUTERS = ["hotline.db_router.ReplicaRouter"]
# GET requests under these paths read from the replica when there is one.
HOTLINE_REPLICA_PATHS = env.list("HOTLINE_REPLICA_PATHS", default=["/analysis/", "/api/v1/analysis/"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "stations.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username or address is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The demo password is printed in the README: refused whenever DEBUG is off.
    {"NAME": "hotline.security.PublishedPasswordValidator"},
]
if TESTING:
    # Tests create many users; full-strength hashing would dominate the suite's run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: Simplified Chinese first, English through Django i18n.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# No MEDIA_URL is served: attachments are read through views that check who may see the order.

# --- attachments (README "Attachments") ---
# Largest file accepted, in MB (checked on the bytes received, whatever the client claims).
HOTLINE_ATTACHMENT_MAX_MB = env.int("HOTLINE_ATTACHMENT_MAX_MB", default=20)
if HOTLINE_ATTACHMENT_MAX_MB < 1:
    raise ImproperlyConfigured("HOTLINE_ATTACHMENT_MAX_MB must be at least 1.")
# The platform's cap on one message: files beyond it are listed (name, size, SHA-256) without content.
HOTLINE_PLATFORM_ATTACHMENT_MAX_MB = env.int("HOTLINE_PLATFORM_ATTACHMENT_MAX_MB", default=10)
if HOTLINE_PLATFORM_ATTACHMENT_MAX_MB < 0:
    raise ImproperlyConfigured("HOTLINE_PLATFORM_ATTACHMENT_MAX_MB must not be negative.")
# The detected types accepted (attachments/detection.py); anything else is refused.
HOTLINE_ATTACHMENT_TYPES = env.list(
    "HOTLINE_ATTACHMENT_TYPES",
    default=[
        "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "audio/mpeg", "audio/wav", "audio/amr", "audio/mp4", "text/plain",
    ],
)
# An S3-compatible store (MinIO, OSS, COS …) instead of var/media, through django-storages.
if env.str("HOTLINE_S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("HOTLINE_S3_BUCKET"),
            "endpoint_url": env.str("HOTLINE_S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("HOTLINE_S3_ACCESS_KEY"),
            "secret_key": env.str("HOTLINE_S3_SECRET_KEY"),
            "region_name": env.str("HOTLINE_S3_REGION", default="") or None,
            # Private objects; nobody gets a URL to them, the views stream them.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="hotline@localhost")

# --- transport security (README "Security") ---
# With DEBUG off the site is HTTPS only: redirect, secure cookies, HSTS. `make run` (DEBUG=1) and
# the test suite (the test client and the live server speak plain http) keep them off.
SECURE_BY_DEFAULT = not DEBUG and not TESTING
# Behind a TLS-terminating proxy: trust its X-Forwarded-Proto, so Django knows the request was https.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# How many proxies append to X-Forwarded-For; 0 trusts none of it and uses the socket's address.
HOTLINE_PROXY_COUNT = env.int("HOTLINE_PROXY_COUNT", default=1 if BEHIND_TLS_PROXY else 0)
if HOTLINE_PROXY_COUNT < 0:
    raise ImproperlyConfigured("HOTLINE_PROXY_COUNT must be 0 or more.")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SECURE_BY_DEFAULT)
# The container health check asks over plain http from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=SECURE_BY_DEFAULT)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=SECURE_BY_DEFAULT)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if SECURE_BY_DEFAULT else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# A shared office computer: the session ends when the browser closes, and in any case this many
# seconds after it was last written (sign-in), 8 hours by default: one shift.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)

# Content-Security-Policy (django-csp). Every script and stylesheet is a local file; the few inline
# <style>/<script> blocks (letters, bulletin print view, Swagger UI) carry the request's nonce.
# ReDoc, which injects its own styles, gets a relaxed style-src on its page alone (hotline/api_urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if env.str("HOTLINE_CSP_REPORT_URI", default=""):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [env.str("HOTLINE_CSP_REPORT_URI")]

# A new API token expires after this many days unless the administrator sets another date (0: never).
HOTLINE_API_TOKEN_DAYS = env.int("HOTLINE_API_TOKEN_DAYS", default=365)

# --- sign-in lockout (django-axes) ---
# After this many failed sign-ins a username, and separately an address, is locked out for
# HOTLINE_LOGIN_LOCKOUT_MINUTES; an administrator can lift it earlier in the admin (访问尝试).
AXES_FAILURE_LIMIT = env.int("HOTLINE_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("HOTLINE_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "hotline.security.lockout_response"  # templates/registration/locked_out.html, 429
AXES_CLIENT_IP_CALLABLE = "hotline.security.client_ip"
if AXES_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured("HOTLINE_LOGIN_FAILURE_LIMIT must be at least 1.")

# Throttle counters (DRF) live in the cache: Redis when there is one, so every worker counts
# together; else memory, per process. The test suite always uses memory, cleared for each test.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env.str("REDIS_URL", default="") and not TESTING:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.str("REDIS_URL"),
        "KEY_PREFIX": "hotline",
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # A client's mistake (a 4xx answer) is one line; tracebacks are kept for what we must fix.
        "plain": {"()": "hotline.logs.Formatter", "fmt": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's default console handler on "django" (DEBUG only) printed every record a second
        # time through the root's: everything goes through the root handler alone.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

# --- REST API ---
REST_FRAMEWORK = {
    # Token first, so an unauthenticated client is told 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "stations.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Per user (an address for anonymous requests) and per address, whoever asks.
    "DEFAULT_THROTTLE_CLASSES": ["hotline.throttling.UserThrottle", "hotline.throttling.AddressThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("HOTLINE_API_RATE_USER", default="600/min"),
        "address": env.str("HOTLINE_API_RATE_ADDRESS", default="1200/min"),
        # Requests with a wrong or expired token, per address; past it every token request is 429.
        "failed_token": env.str("HOTLINE_API_RATE_FAILED_TOKEN", default="20/min"),
    },
    # Read the client's address as the sign-in lockout does (hotline.security.client_ip).
    "NUM_PROXIES": HOTLINE_PROXY_COUNT,
    "DEFAULT_PARSER_CLASSES": ["tickets.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "tickets.api.errors.exception_handler",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "tickets.api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
# The OpenAPI schema, Swagger UI and ReDoc need a signed-in user (or a token) unless this is on.
HOTLINE_API_DOCS_PUBLIC = env.bool("HOTLINE_API_DOCS_PUBLIC", default=False)
SPECTACULAR_SETTINGS = {
    "TITLE": "hotline API",
    "DESCRIPTION": "12345 政务服务热线工单闭环 (接单 → 转办 → 上报 → 审核 → 反馈)",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Who may read the schema and its viewers: hotline.api_urls (HOTLINE_API_DOCS_PUBLIC).
    "SERVE_PERMISSIONS": ["hotline.api_docs.DocsPermission"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tickets.api.schema.allow_empty_query_values",
        "hotline.api_docs.document_throttling",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "tickets.models.Status",
        "RequestStatusEnum": "tickets.models.RequestStatus",
        "BulletinKindEnum": "analysis.models.BulletinKind",
        "NoticeKindEnum": "supervision.models.NoticeKind",
        "NoticeStatusEnum": "supervision.models.NoticeStatus",
        "AttachedToEnum": "attachments.models.AttachedTo",
    },
}

# --- Celery ---
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if TESTING:
    # Under pytest, tasks are published to kombu's in-memory transport inside the test process:
    # nothing reaches the broker that REDIS_URL names (shared with other runs, and maybe with a
    # worker serving a real database), nothing is left behind, and a task runs only where a test
    # asks for it (eager mode, or a worker of its own with its own broker settings).
    CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    # kombu's filesystem transport, but writing each message atomically (see hotline/broker.py).
    CELERY_BROKER_TRANSPORT = "hotline.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # The worker's broadcast exchanges; kombu's default is ./control in the working directory.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Publishing happens after a transition commits: an unreachable Redis must fail fast, not
    # hang the request on the operating system's connect timeout.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=3.0),
        # How often a producer retries the connection before giving up (kombu's default waits
        # about six seconds); the sweep catches up with whatever could not be sent.
        "max_retries": env.int("CELERY_BROKER_PUBLISH_RETRIES", default=1),
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that lost the broker reconnects for as long as it takes (Celery gives up after 100
# attempts by default, about 45 minutes, and the worker exits). See README "Operations".
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Keep a task that is running when the connection drops (the sweep needs only the database, so
# it finishes its work); its acknowledgement is then lost and the message is delivered again
# after the visibility timeout, which every task here tolerates. Set explicitly because Celery 6
# changes the default to cancelling such tasks.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# --- supervision: the deadline sweep and notifications (see README "Timers and supervision") ---
SUPERVISION_SWEEP_SECONDS = env.float("SUPERVISION_SWEEP_SECONDS", default=60.0)
if SUPERVISION_SWEEP_SECONDS <= 0:
    raise ImproperlyConfigured("SUPERVISION_SWEEP_SECONDS must be positive.")
CELERY_BEAT_SCHEDULE: dict = {
    "supervision-sweep": {
        "task": "supervision.sweep",
        "schedule": SUPERVISION_SWEEP_SECONDS,
        # A sweep that waited longer than one period is superseded by the next one.
        "options": {"expires": SUPERVISION_SWEEP_SECONDS},
    },
    # 集中投诉: this week's hotspot surges raise their 提醒函 (supervision/concentrated.py).
    "supervision-concentrated-complaints": {
        "task": "supervision.concentrated_complaints",
        "schedule": crontab(minute=5),
        "options": {"expires": 3600},
    },
    # The dispatch-suggestion model learns from the day's finished orders (README "Suggestions").
    "suggest-train": {"task": "suggest.train", "schedule": crontab(hour=3, minute=15)},
}
# Below this many finished orders there is no suggestion model (a cold start is not an error).
HOTLINE_SUGGEST_MIN_ORDERS = env.int("HOTLINE_SUGGEST_MIN_ORDERS", default=200)
# Training reads at most this many of the newest finished orders.
HOTLINE_SUGGEST_MAX_ORDERS = env.int("HOTLINE_SUGGEST_MAX_ORDERS", default=50000)
# Whether intake and dispatch events are handed to a worker to record if the suggestion was taken.
HOTLINE_SUGGEST_FEEDBACK = env.bool("HOTLINE_SUGGEST_FEEDBACK", default=True)
# Enforcement has stopped when no sweep finished for this long: /healthz answers 503 and the
# supervisors' pages show a red banner. Default five sweep periods, at least five minutes.
SUPERVISION_STALE_AFTER_SECONDS = env.int(
    "SUPERVISION_STALE_AFTER_SECONDS", default=max(300, round(5 * SUPERVISION_SWEEP_SECONDS))
)
if SUPERVISION_STALE_AFTER_SECONDS <= SUPERVISION_SWEEP_SECONDS:
    raise ImproperlyConfigured("SUPERVISION_STALE_AFTER_SECONDS must be longer than SUPERVISION_SWEEP_SECONDS.")
# How long /healthz?deep=1 waits for the broker to answer.
HOTLINE_HEALTHZ_BROKER_TIMEOUT = env.float("HOTLINE_HEALTHZ_BROKER_TIMEOUT", default=2.0)
# Each window re-reads this much of the previous one (events committed just after a run read).
SUPERVISION_SWEEP_OVERLAP_SECONDS = env.int("SUPERVISION_SWEEP_OVERLAP_SECONDS", default=120)
# The first sweep on a database looks back this far.
SUPERVISION_BACKFILL_DAYS = env.int("SUPERVISION_BACKFILL_DAYS", default=30)
# A sweep stops after this many seconds and queues its continuation (below the task time limit).
SUPERVISION_SWEEP_TIME_BUDGET = env.float("SUPERVISION_SWEEP_TIME_BUDGET", default=120.0)
# Whether the order-event listener hands events to a worker at once (else the sweep finds them).
SUPERVISION_EVENT_TASKS = env.bool("SUPERVISION_EVENT_TASKS", default=True)
# After a failed send to the broker, skip sending for this long (the sweep catches up).
SUPERVISION_BROKER_BACKOFF_SECONDS = env.float("SUPERVISION_BROKER_BACKOFF_SECONDS", default=30.0)
SUPERVISION_DELIVERY_MAX_ATTEMPTS = env.int("SUPERVISION_DELIVERY_MAX_ATTEMPTS", default=6)
SUPERVISION_DELIVERY_BACKOFF_SECONDS = env.float("SUPERVISION_DELIVERY_BACKOFF_SECONDS", default=30.0)
SUPERVISION_DELIVERY_REQUEUE_AFTER = env.int("SUPERVISION_DELIVERY_REQUEUE_AFTER", default=300)
SUPERVISION_WEBHOOK_TIMEOUT = env.float("SUPERVISION_WEBHOOK_TIMEOUT", default=10.0)
# Links in emails and group-chat messages point here.
SUPERVISION_SITE_URL = env.str("SUPERVISION_SITE_URL", default="http://127.0.0.1:8000")

# --- hotline ---
# Working periods of a working day, "HH:MM-HH:MM" separated by commas, in TIME_ZONE.
HOTLINE_WORKING_HOURS = env.str("HOTLINE_WORKING_HOURS", default="08:30-12:00,13:30-17:30")
# Prefix of our own order numbers: GD + date + daily sequence, e.g. GD202611220001.
HOTLINE_ORDER_NUMBER_PREFIX = env.str("HOTLINE_ORDER_NUMBER_PREFIX", default="GD")
# How long the API remembers the answer to a request with an Idempotency-Key.
HOTLINE_IDEMPOTENCY_RETENTION_DAYS = env.int("HOTLINE_IDEMPOTENCY_RETENTION_DAYS", default=30)
CELERY_BEAT_SCHEDULE["purge-idempotency-records"] = {
    "task": "tickets.purge_idempotency_records",
    "schedule": crontab(minute=30, hour=3),
}
# The order-number sequences of past days (one a day on PostgreSQL; see tickets/services/counters.py).
CELERY_BEAT_SCHEDULE["purge-order-sequences"] = {
    "task": "tickets.purge_order_sequences",
    "schedule": crontab(minute=40, hour=3),
}

# 签收及时率: a dispatched order counts as signed in time when signed within this many minutes
# (wall clock) of its dispatch. Changing it changes the figures from the next roll-up rebuild on.
HOTLINE_SIGN_WITHIN_MINUTES = env.int("HOTLINE_SIGN_WITHIN_MINUTES", default=60)
if HOTLINE_SIGN_WITHIN_MINUTES <= 0:
    raise ImproperlyConfigured("HOTLINE_SIGN_WITHIN_MINUTES must be positive.")

# --- the 12345 platform connector, webhooks, change feed (connector/, README "Connecting the 12345 platform") ---
# A failed delivery is tried again after base × 2^(attempts-1) seconds, at most the cap; never given up.
CONNECTOR_BACKOFF_SECONDS = env.float("CONNECTOR_BACKOFF_SECONDS", default=30.0)
CONNECTOR_BACKOFF_MAX_SECONDS = env.float("CONNECTOR_BACKOFF_MAX_SECONDS", default=3600.0)
if CONNECTOR_BACKOFF_SECONDS <= 0 or CONNECTOR_BACKOFF_MAX_SECONDS < CONNECTOR_BACKOFF_SECONDS:
    raise ImproperlyConfigured("CONNECTOR_BACKOFF_SECONDS must be positive and at most CONNECTOR_BACKOFF_MAX_SECONDS.")
# How often beat sends what is due (messages whose task was lost, retries that came due).
CONNECTOR_SWEEP_SECONDS = env.float("CONNECTOR_SWEEP_SECONDS", default=15.0)
CONNECTOR_SWEEP_TIME_BUDGET = env.float("CONNECTOR_SWEEP_TIME_BUDGET", default=120.0)
CELERY_BEAT_SCHEDULE["connector-deliver-due"] = {
    "task": "connector.deliver_due",
    "schedule": CONNECTOR_SWEEP_SECONDS,
    "options": {"expires": CONNECTOR_SWEEP_SECONDS},
}
# Yesterday's reply file, for a platform connected by Excel (connector/services/replyfile.py).
CELERY_BEAT_SCHEDULE["connector-reply-files"] = {
    "task": "connector.build_reply_files",
    "schedule": crontab(minute=10, hour=0),
}
# Import of the platform's Excel/CSV export (connector/services/imports.py): the largest file and
# the most rows taken; a file of at most HOTLINE_IMPORT_INLINE_ROWS rows is imported in the request,
# a larger one by a worker, HOTLINE_IMPORT_SLICE_ROWS rows a task (each well inside the time limit).
HOTLINE_IMPORT_MAX_BYTES = env.int("HOTLINE_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
HOTLINE_IMPORT_MAX_ROWS = env.int("HOTLINE_IMPORT_MAX_ROWS", default=20000)
HOTLINE_IMPORT_INLINE_ROWS = env.int("HOTLINE_IMPORT_INLINE_ROWS", default=100)
HOTLINE_IMPORT_SLICE_ROWS = env.int("HOTLINE_IMPORT_SLICE_ROWS", default=2000)
if min(HOTLINE_IMPORT_MAX_BYTES, HOTLINE_IMPORT_MAX_ROWS, HOTLINE_IMPORT_SLICE_ROWS) <= 0:
    raise ImproperlyConfigured("HOTLINE_IMPORT_MAX_BYTES, _MAX_ROWS and _SLICE_ROWS must be positive.")

# --- bulletins, dashboards and analysis (analysis/, README "Bulletins, dashboards and analysis") ---
# When beat publishes the bulletin of the previous Monday–Sunday: a cron line in TIME_ZONE.
HOTLINE_BULLETIN_SCHEDULE = env.str("HOTLINE_BULLETIN_SCHEDULE", default="0 8 * * 1")
# A unit with fewer orders due in the period is listed but not ranked.
HOTLINE_BULLETIN_MIN_ORDERS = env.int("HOTLINE_BULLETIN_MIN_ORDERS", default=5)
# The rates that rank units, most important first (ties share a rank).
HOTLINE_BULLETIN_RANK_BY = env.list(
    "HOTLINE_BULLETIN_RANK_BY", default=["on_time_rate", "satisfaction_rate", "response_rate"]
)
HOTLINE_DUE_SOON_MINUTES = env.int("HOTLINE_DUE_SOON_MINUTES", default=120)
# A surge: this week's count is ≥ (1 + RATIO) × the mean of the previous BASELINE_WEEKS weeks
# and at least MIN orders above it.
HOTLINE_HOTSPOT_SURGE_RATIO = env.float("HOTLINE_HOTSPOT_SURGE_RATIO", default=0.5)
HOTLINE_HOTSPOT_SURGE_MIN = env.int("HOTLINE_HOTSPOT_SURGE_MIN", default=5)
HOTLINE_HOTSPOT_BASELINE_WEEKS = env.int("HOTLINE_HOTSPOT_BASELINE_WEEKS", default=4)
# Repeat callers / repeated addresses: at least MIN orders within WINDOW_DAYS.
HOTLINE_REPEAT_MIN = env.int("HOTLINE_REPEAT_MIN", default=3)
HOTLINE_REPEAT_WINDOW_DAYS = env.int("HOTLINE_REPEAT_WINDOW_DAYS", default=30)


def _cron(spec: str, name: str) -> crontab:
    """A crontab from "minute hour day-of-month month day-of-week"; a bad value fails loudly."""
    parts = spec.split()
    if len(parts) != 5:
        raise ImproperlyConfigured(f"{name} must have five cron fields, got {spec!r}")
    minute, hour, day_of_month, month_of_year, day_of_week = parts
    try:
        return crontab(minute, hour, day_of_week, day_of_month, month_of_year)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from exc


CELERY_BEAT_SCHEDULE["weekly-bulletin"] = {
    "task": "analysis.generate_weekly_bulletin",
    "schedule": _cron(HOTLINE_BULLETIN_SCHEDULE, "HOTLINE_BULLETIN_SCHEDULE"),
}

# The daily roll-up of settled orders (analysis/rollup.py): beat tries every hour; a day is filled
# once this many minutes have passed after its midnight (a closing still being committed then
# would be missed; the daily check catches it and rebuilds).
HOTLINE_ROLLUP_LAG_MINUTES = env.int("HOTLINE_ROLLUP_LAG_MINUTES", default=15)
# The pages read the roll-up once it holds this many orders; below, counting directly is faster.
HOTLINE_ROLLUP_MIN_ORDERS = env.int("HOTLINE_ROLLUP_MIN_ORDERS", default=50_000)
CELERY_BEAT_SCHEDULE["analysis-rollup"] = {
    "task": "analysis.fill_rollup",
    "schedule": crontab(minute=env.int("HOTLINE_ROLLUP_MINUTE", default=20)),
    "options": {"expires": 3000},
}
# Bulletin PDFs and workbooks are rendered by a worker; a person may ask for this many new renders
# an hour (a file already rendered is served without counting).
HOTLINE_EXPORT_RENDERS_PER_HOUR = env.int("HOTLINE_EXPORT_RENDERS_PER_HOUR", default=10)
# A bulletin workbook with at most this many rows is made in the request; a larger one, and every
# PDF, by a worker.
HOTLINE_EXPORT_INLINE_ROWS = env.int("HOTLINE_EXPORT_INLINE_ROWS", default=2000)
# A notice letter with more orders than this is rendered to PDF by a worker, never in the request.
SUPERVISION_LETTER_INLINE_ORDERS = env.int("SUPERVISION_LETTER_INLINE_ORDERS", default=20)
# Repeat callers / addresses list at most this many (the latest) orders each; the count is of all.
HOTLINE_REPEAT_ORDERS_SHOWN = env.int("HOTLINE_REPEAT_ORDERS_SHOWN", default=20)
