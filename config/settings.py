"""Opora settings: one module, every deployment-specific value read from the environment.

With no environment at all the portal runs on the embedded default for a first look:
a SQLite file and Celery in eager mode.  With ``DATABASE_URL`` / ``REDIS_URL`` it runs
on PostgreSQL and Redis, as production and the test suite do.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The embedded default (no environment) is a first look on a developer's machine: DEBUG on.
# Production sets DEBUG=0 together with SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="django-insecure-opora-embedded-default-do-not-use-in-production" if DEBUG else "",
)
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Files written by the portal (uploads, generated reports) live outside the web root
# and are served only through scoped views.
VAR_DIR = Path(env.str("OPORA_VAR_DIR", default=str(BASE_DIR / "var")))
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/files/"  # never mapped to a static server; see core.views.protected files
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
RESULTS_UPLOAD_MAX_BYTES = env.int("RESULTS_UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    # third party
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tables2",
    "django_htmx",
    "axes",
    "csp",
    "simple_history",
    "django_celery_beat",
    # Opora
    "core",
    "accounts",
    "schools",
    "curators",
    "roadmaps",
    "events",
    "assessment",
    "socialcontext",
    "skills",
    "reports",
    "regional",
]
# The Opora apps, in the order their dashboard panels, navigation and API appear.
OPORA_APPS = [
    "schools",
    "curators",
    "roadmaps",
    "events",
    "regional",
    "assessment",
    "socialcontext",
    "skills",
    "reports",
]
# The module that answers every "who may" (scope, actions, frozen records); core asks it
# through core.policy and imports no app itself.
OPORA_POLICY = "accounts.scoping"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.AuthenticationMiddleware",  # Django's, user row memoised per data generation
    "core.db.ReplicaMiddleware",  # reads from the replica, a writer pinned to the primary (core/db.py)
    "core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.ErrorPagesMiddleware",  # the portal's error pages in DEBUG too
]
# DEBUG shows the portal's 403/404/500 pages, as production does; 0 gives Django's technical pages.
OPORA_DEBUG_ERROR_PAGES = env.bool("OPORA_DEBUG_ERROR_PAGES", default=True)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# A PostgreSQL streaming replica (hot standby) of the primary: pages' and documents' reads
# go there, writes and a person's reads for a few seconds after their own write stay on
# the primary (core/db.py).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
DATABASE_REPLICA_PIN_SECONDS = env.float("DATABASE_REPLICA_PIN_SECONDS", default=10)
DATABASE_REPLICA_CACHE_SECONDS = env.int("DATABASE_REPLICA_CACHE_SECONDS", default=5)
DATABASE_REPLICA_RETRY_SECONDS = env.float("DATABASE_REPLICA_RETRY_SECONDS", default=30)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["core.db.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            # One prefix per test worker (pytest-xdist): a test's cache.clear() never empties
            # another worker's sessions or generations (clear() deletes its own prefix only).
            "KEY_PREFIX": env.str("CACHE_PREFIX", default="opora") + env.str("PYTEST_XDIST_WORKER", default=""),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Figures, page fragments and API responses cached under the data generation (core/cache.py;
# only with Redis, a cache every process shares).  OPORA_CACHE_SECONDS bounds how long a
# cached value lives: the staleness bound for what the generation cannot see (the clock).
OPORA_CACHE_ENABLED = env.bool("OPORA_CACHE_ENABLED", default=True)
# Querysets whose SQL depends only on a key (the reader's scope, the year, the date) are
# built and compiled once per process (core/compiled.py ``prepared``): "on"; "check" builds
# them again on every use and fails when the SQL differs (the test suite); "off" never keeps one.
OPORA_PREPARED_QUERIES = env.str("OPORA_PREPARED_QUERIES", default="on")
# ... and on PostgreSQL PREPAREd once per database session (parsed and planned once).  A
# prepared statement lives in its server session: behind a pooler in transaction mode
# (PgBouncer's pool_mode=transaction) set OPORA_SERVER_PREPARED=0.
OPORA_SERVER_PREPARED = env.bool("OPORA_SERVER_PREPARED", default=True)
# Sessions are read from the cache and kept in the database too (a Redis restart signs
# nobody out; with Redis down they are read from the database).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
OPORA_CACHE_SECONDS = env.int("OPORA_CACHE_SECONDS", default=300)
# After a failure to reach Redis the cache is skipped for this long (core/cache.py's circuit
# breaker), so an unreachable Redis costs one connect timeout, not one per cache call.
OPORA_CACHE_RETRY_SECONDS = env.float("OPORA_CACHE_RETRY_SECONDS", default=30)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.lockout.AddressThrottleBackend",  # an address over its failure limit signs nobody in
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"  # «locked until 10:15», form and API
# Trusted proxies in front of the portal (a reverse proxy that appends to X-Forwarded-For):
# 0 — nothing in front, the client's own X-Forwarded-For is ignored.  The API throttles
# (DRF's NUM_PROXIES) and the sign-in locks read the address the same way.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
# … and an address is locked across usernames after this many wrong passwords in the window.
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_ADDRESS_COOLOFF_MINUTES = env.int("LOGIN_ADDRESS_COOLOFF_MINUTES", default=15)

# Internationalisation: Russian first, English as the second language.
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# E-mail: console in development, EMAIL_URL (smtp://user:pass@host:587) in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Опора <noreply@opora.local>")

# Security headers; cookies are secure unless we serve plain HTTP in development.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: no inline scripts, nothing from another host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "core/table.html"  # bootstrap5-responsive with a row for an empty table
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}
PAGE_SIZE = 50
FILTERS_EMPTY_CHOICE_LABEL = _("All")  # a filter's empty choice reads «Все», not «---------»
MAX_PAGE_SIZE = 200  # ?per_page= above this shows this many rows

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.api.permissions.ScopedAccess"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.rest.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.AnonThrottle",
        "core.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="3000/min"),
    },
    "EXCEPTION_HANDLER": "core.rest.exception_handler",
    "NUM_PROXIES": NUM_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Opora API",
    "DESCRIPTION": "REST API портала «Опора»: школы, программы поддержки ШНОР, результаты, отчёты.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Every operation documents its error answers (core/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.add_error_responses",
    ],
}
# Choice sets that share a field name ("kind", "status") get distinct schema names.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "SchoolKindEnum": "schools.models.SchoolKind",
    "OrderKindEnum": "schools.models.OrderKind",
    "StatusKindEnum": "schools.models.StatusKind",
    "ProgrammeKindEnum": "schools.models.ProgrammeKind",
    "VisitKindEnum": "curators.models.VisitKind",
    "RecommendationStatusEnum": "curators.models.RecommendationStatus",
    "ReportKindEnum": "reports.models.ReportKind",
    "ReportFormatEnum": "reports.models.ReportFormat",
    "GeneratedReportStatusEnum": "reports.models.ReportStatus",
}
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=365)

# Celery: Redis broker when REDIS_URL is set, otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "socket_connect_timeout": 2}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Queues per kind of work, so that workers on other hosts can each take one kind (the
# compose file runs a worker per queue): a long import or analysis never holds up a
# document someone is waiting for, nor a mail.  A worker started without -Q takes them all.
# Routes by task name; the patterns catch the tasks other apps add (``*.import_*`` …).
CELERY_TASK_DEFAULT_QUEUE = "default"
OPORA_QUEUES = ("default", "imports", "analysis", "documents", "mail")
CELERY_TASK_QUEUES = {name: {"exchange": name, "routing_key": name} for name in OPORA_QUEUES}
CELERY_TASK_ROUTES = {
    "assessment.tasks.import_batch_task": {"queue": "imports"},
    "assessment.tasks.analysis_run_task": {"queue": "analysis"},
    "assessment.tasks.analysis_run_nightly": {"queue": "analysis"},
    "reports.tasks.build_report": {"queue": "documents"},
    "roadmaps.send_report_reminders": {"queue": "mail"},
    "events.promotion_notify": {"queue": "mail"},
    "*.import_*": {"queue": "imports"},
    "*.analysis_*": {"queue": "analysis"},
    "reports.*": {"queue": "documents"},
    "*notify*": {"queue": "mail"},
    "*remind*": {"queue": "mail"},
}
DJANGO_CELERY_BEAT_TZ_AWARE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

# Issuing body shown on documents when a municipality has none of its own.
OPORA_DEFAULT_ISSUER = env.str("OPORA_DEFAULT_ISSUER", default="Управление образования")

# Assessment thresholds (RESULTS.md defaults; every flag stores the values it used)
ASSESSMENT_LOW_GAP_POINTS = env.float("ASSESSMENT_LOW_GAP_POINTS", default=15.0)
ASSESSMENT_LOW_SHARE_FAIL = env.float("ASSESSMENT_LOW_SHARE_FAIL", default=0.25)
ASSESSMENT_DYNAMICS_DROP_POINTS = env.float("ASSESSMENT_DYNAMICS_DROP_POINTS", default=5.0)
ASSESSMENT_NONOBJECTIVE_MIN_ROWS = env.int("ASSESSMENT_NONOBJECTIVE_MIN_ROWS", default=10)
ASSESSMENT_NONOBJECTIVE_LOWERED = env.float("ASSESSMENT_NONOBJECTIVE_LOWERED", default=0.5)
ASSESSMENT_NONOBJECTIVE_MISMATCH = env.float("ASSESSMENT_NONOBJECTIVE_MISMATCH", default=0.7)
ASSESSMENT_RISK_PERCENT = env.float("ASSESSMENT_RISK_PERCENT", default=40.0)
ASSESSMENT_INDEX_MIN_PARTICIPANTS = env.int("ASSESSMENT_INDEX_MIN_PARTICIPANTS", default=5)
ASSESSMENT_CANDIDATE_PERCENTILE = env.float("ASSESSMENT_CANDIDATE_PERCENTILE", default=0.10)
ASSESSMENT_CANDIDATE_INDEX_LIMIT = env.float("ASSESSMENT_CANDIDATE_INDEX_LIMIT", default=-1.0)
ASSESSMENT_MAX_ROWS = env.int("ASSESSMENT_MAX_ROWS", default=1_000_000)
# A results import «running» (or waiting) for longer than this since it was claimed (or queued)
# is taken for stuck: its worker died.  It is claimed again by a redelivered task, and its page
# offers to run it again; after this many claims it is refused instead.
ASSESSMENT_IMPORT_STALE_SECONDS = env.int("ASSESSMENT_IMPORT_STALE_SECONDS", default=600)
ASSESSMENT_IMPORT_MAX_ATTEMPTS = env.int("ASSESSMENT_IMPORT_MAX_ATTEMPTS", default=3)
# School context (CONTEXT.md defaults): the context index needs this many indicators; a fit needs
# this many schools; the resilient corner, the anomaly and the partner suggestions' thresholds.
CONTEXT_MIN_INDICATORS = env.int("CONTEXT_MIN_INDICATORS", default=3)
CONTEXT_MIN_SCHOOLS = env.int("CONTEXT_MIN_SCHOOLS", default=8)
CONTEXT_RESILIENT_CONTEXT_PERCENTILE = env.float("CONTEXT_RESILIENT_CONTEXT_PERCENTILE", default=0.25)
CONTEXT_RESILIENT_INDEX_PERCENTILE = env.float("CONTEXT_RESILIENT_INDEX_PERCENTILE", default=0.50)
CONTEXT_ANOMALY_SIGMAS = env.float("CONTEXT_ANOMALY_SIGMAS", default=2.0)
CONTEXT_PARTNER_MAX_CONTEXT_GAP = env.float("CONTEXT_PARTNER_MAX_CONTEXT_GAP", default=0.5)
CONTEXT_PARTNER_MIN_INDEX_GAP = env.float("CONTEXT_PARTNER_MIN_INDEX_GAP", default=0.5)
CONTEXT_PARTNER_SUGGESTIONS = env.int("CONTEXT_PARTNER_SUGGESTIONS", default=3)
CONTEXT_MAX_ROWS = env.int("CONTEXT_MAX_ROWS", default=100_000)

# Task-level results and skills (TASKS.md defaults)
SKILLS_PLAN_MAX_ROWS = env.int("SKILLS_PLAN_MAX_ROWS", default=50_000)
SKILLS_DEFICIT_MIN_PARTICIPANTS = env.int("SKILLS_DEFICIT_MIN_PARTICIPANTS", default=5)
SKILLS_DEFICIT_MAX_COMPLETION = env.float("SKILLS_DEFICIT_MAX_COMPLETION", default=50.0)
SKILLS_DEFICIT_GAP_POINTS = env.float("SKILLS_DEFICIT_GAP_POINTS", default=15.0)
SKILLS_WEAK_COMPLETION = env.float("SKILLS_WEAK_COMPLETION", default=50.0)
# events: name its choice sets in the API schema (append-only).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "MaterialKindEnum": "events.models.MaterialKind",
        "EventStatusEnum": "events.models.EventStatus",
        "RegistrationStatusEnum": "events.models.RegistrationStatus",
        "EventFormatEnum": "events.models.EventFormat",
    }
)
# roadmaps: name its choice sets in the API schema (append-only).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "DocumentKindEnum": "roadmaps.models.DocumentKind",
        "DocumentStatusEnum": "roadmaps.models.DocumentStatus",
        "RoadmapStatusEnum": "roadmaps.models.RoadmapStatus",
        "ReportStatusEnum": "roadmaps.models.ReportStatus",
        "ActivityStatusEnum": "roadmaps.models.ActivityStatus",
        "PeriodKindEnum": "roadmaps.models.PeriodKind",
    }
)
