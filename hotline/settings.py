"""Settings for hotline, read from the environment.

Every value has a safe default for the embedded set-up (`make run`): a SQLite file under
`var/` and a Celery broker on the local filesystem. Set DATABASE_URL and REDIS_URL to run
on PostgreSQL and Redis.
"""

import sys
from pathlib import Path

import environ
from celery.schedules import crontab
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
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "stations",
    "tickets",
    "supervision",
    "analysis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hotline.middleware.BureauLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "hotline.db_router.ReplicaReadsMiddleware",
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
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
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

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="hotline@localhost")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", False) else None
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- REST API ---
REST_FRAMEWORK = {
    # Token first, so an unauthenticated client is told 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "tickets.api.errors.exception_handler",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "tickets.api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "hotline API",
    "DESCRIPTION": "12345 政务服务热线工单闭环 (接单 → 转办 → 上报 → 审核 → 反馈)",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tickets.api.schema.allow_empty_query_values",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "tickets.models.Status",
        "RequestStatusEnum": "tickets.models.RequestStatus",
        "BulletinKindEnum": "analysis.models.BulletinKind",
    },
}

# --- Celery ---
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
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
}
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
