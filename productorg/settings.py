"""
Settings for ProductOrg, driven by environment variables.

The embedded default (nothing set) runs on SQLite with a Celery broker on the local
filesystem, so one command can serve a demo on a machine that has only Python.
``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` (broker and cache) switch to the
production-like set-up.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PRODUCTORG_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)
# The fallback key only suits the local demo; production sets SECRET_KEY.
SECRET_KEY = env.str(
    "SECRET_KEY", default="productorg-local-demo-key-change-me-in-production-0123456789"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "roles.apps.HRAdminConfig",  # django.contrib.admin, open to HR admins only
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
    "django_celery_beat",
    "simple_history",
    "import_export",
    "django_htmx",
    "productorg",
    "roles",
    "roadmaps",
    "stakeholders",
    "health",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "productorg.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "productorg.urls"
WSGI_APPLICATION = "productorg.wsgi.application"

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
                "productorg.context_processors.current_person",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file: WAL lets readers run beside the
    # writer, IMMEDIATE takes the write lock up front so transactions never deadlock
    # on lock upgrades, and the timeout waits out a busy writer instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file (not memory) so that worker processes started by the tests share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # JIT compiles each big query again on every run: it paid off nowhere here and cost
    # up to half the time of the health and dashboard reads (short analytic queries).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth ---------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# The group whose members set the organisation up and see everything (DESIGN.md).
HR_ADMIN_GROUP = "HR admins"  # created by roles.ladder.seed_default_ladder

# --- I18N ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

# --- E-mail -------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ProductOrg <productorg@localhost>")

# --- REST API -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "productorg.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["productorg.api.permissions.IsMemberReadOnlyOrHRAdmin"],
    "DEFAULT_PAGINATION_CLASS": "productorg.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "productorg.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "productorg.api.errors.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ProductOrg API",
    "DESCRIPTION": (
        "People, roles, goals, products and stakeholders of a product organisation. "
        "Authenticate with a session or `Authorization: Bearer <token>`.\n\n"
        "**Tokens.** Create and revoke personal tokens at `/account/tokens/` (an admin "
        "can run `manage.py create_api_token <email>`). A token is shown once and stored "
        "hashed; a revoked token answers 401.\n\n"
        "**Access.** Every signed-in member reads the organisation, products, periods, "
        "visions, public goals and roadmaps; only HR admins change the organisation. "
        "A person changes their own goals, key results and check-ins, a manager what "
        "anyone in their subtree owns, a product's owner and their managers the product, "
        "its roadmap and its vision. Private goals (with their key results, check-ins "
        "and links) are seen only by their owner, the owner's management chain and HR "
        "admins. Private fields (such as a seat's budgeted cost) are null unless the "
        "caller may see them. Alignments, reviews and decisions on a private goal follow "
        "the goal; one-to-ones, career reviews and reviews about a person are seen only by "
        "that person, the owner, the participants, their management chains and HR admins. "
        "A stakeholder confirms their own alignment, and nobody does it for them. "
        "Notifications are seen by their recipient only.\n\n"
        "**Lists.** Every list is paginated the same way: `?page=N&page_size=M` (50 by "
        'default, at most 500) answers `{"count": 123, "next": url|null, '
        '"previous": url|null, "results": [...]}`. Filters are query parameters; '
        "`?search=` matches names, `?ordering=field` (prefix `-` for descending) sorts.\n\n"
        '**Errors.** Every error answers `{"error": {"status": 400, "code": '
        '"invalid", "message": "...", "fields": {"manager": ["..."]}}}`; '
        "`fields` is present for validation errors only (400). 401: no or a revoked "
        "token; 403: not allowed to change this; 404: no such object (or not visible to "
        "you); 400 with code `protected`: the object is still referred to and cannot be "
        "deleted."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A product's stage, a transition's from/to stage: one enum, not three.
    # Alignments and goals share one cadence; each status set keeps its owner's name.
    "ENUM_NAME_OVERRIDES": {
        "LifecycleStageEnum": "roadmaps.models.LifecycleStage",
        "CadenceEnum": "roadmaps.models.Cadence",
        "AlignmentStatusEnum": "stakeholders.models.Alignment.Status",
        "ReviewStatusEnum": "stakeholders.models.Review.Status",
        "NotificationStatusEnum": "stakeholders.models.Notification.Status",
    },
}

# --- Celery -------------------------------------------------------------------------
CELERY_FS_ROOT = Path(env.str("CELERY_FS_ROOT", default=str(VAR_DIR / "celery")))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Generous: a late-acked task that runs long must not be redelivered to another worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FS_ROOT / "queue"),
        "data_folder_out": str(CELERY_FS_ROOT / "queue"),
        "processed_folder": str(CELERY_FS_ROOT / "processed"),
        "control_folder": str(CELERY_FS_ROOT / "control"),
        "store_processed": False,
        "polling_interval": 0.2,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A killed worker loses what it had prefetched; durable state lives in the database.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Reviews and reminders -----------------------------------------------------------
# After this many missed occurrences in a row, the owner's manager is told too.
REVIEW_ESCALATE_AFTER_MISSES = env.int("REVIEW_ESCALATE_AFTER_MISSES", default=2)
# The weekly digest goes out on Monday from this hour, in this time zone.
# Alignment health: spans of control outside this range are findings.
HEALTH_SPAN_MIN = env.int("HEALTH_SPAN_MIN", default=3)
HEALTH_SPAN_MAX = env.int("HEALTH_SPAN_MAX", default=10)
# A leader's stored health report older than this (minutes) is shown "as of" its time
# and refreshed in the background; it keeps this many findings of each kind.
HEALTH_REPORT_MAX_AGE = env.int("HEALTH_REPORT_MAX_AGE", default=15)
HEALTH_REPORT_FINDINGS_PER_KIND = env.int("HEALTH_REPORT_FINDINGS_PER_KIND", default=100)
DIGEST_TIME_ZONE = env.str("DIGEST_TIME_ZONE", default=TIME_ZONE)
DIGEST_HOUR = env.int("DIGEST_HOUR", default=8)
# Absolute links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Logging ------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Security headers that matter once served over HTTPS.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
