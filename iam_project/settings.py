"""Settings for the IAM service, grouped by topic.

Everything comes from the environment. Defaults are safe for development;
with DEBUG off the service refuses to start without a real SECRET_KEY.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def env_list(name: str, default: str = "") -> list[str]:
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


# --- Core -------------------------------------------------------------------

DEBUG = env_bool("DEBUG")
DEV_SECRET_KEY = "dev-insecure-secret-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or (DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "The development SECRET_KEY cannot be used with DEBUG off."
    )

IAM_PLATFORM_HOST = os.environ.get("IAM_PLATFORM_HOST", "localhost").lower()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", f"{IAM_PLATFORM_HOST},.localhost,127.0.0.1")

ROOT_URLCONF = "iam_project.urls"
WSGI_APPLICATION = "iam_project.wsgi.application"
ASGI_APPLICATION = "iam_project.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# --- Apps: public schema vs. tenant schemas ---------------------------------

SHARED_APPS = [
    # tenants comes first so that its `migrate` (which also keeps the
    # template schema migrated) overrides django-tenants' own.
    "tenants",
    "django_tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # The public copy holds the platform owner's signing key and refresh tokens.
    "credentials",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    # Django's admin with the IAM site (platform or tenant by host).
    "tenants.admin_config.IamAdminConfig",
    "accounts",
    "credentials",
    # The email outbox: each tenant's emails live beside its users.
    "notifications",
    "audit",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# New tenants are cloned from this migrated template schema instead of running
# every migration again; creation time then stays flat as tenants grow.
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
AUTH_USER_MODEL = "accounts.User"
# Admin log-in only (the API authenticates through DRF's classes): each
# backend answers on its own side and refuses everywhere else.
AUTHENTICATION_BACKENDS = [
    "tenants.backends.PlatformOwnerBackend",
    "accounts.backends.TenantRootBackend",
]
# User.email is unique through a case-insensitive index on lower(email),
# which Django's check for a plain unique column does not see.
# (E003 with Django's backend, W004 with ours, which look users up by
# lower(email) through that index.)
SILENCED_SYSTEM_CHECKS = ["auth.E003", "auth.W004"]

MIDDLEWARE = [
    "iam_project.metrics.MetricsMiddleware",
    "iam_project.middleware.SecurityHeadersMiddleware",
    # The admin's CSS and JavaScript, served before routing touches the
    # database; gunicorn alone serves no static files.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "audit.middleware.AuditOriginMiddleware",
    "iam_project.middleware.RequestLimitsMiddleware",
    "tenants.middleware.TenantRoutingMiddleware",
    # Puts the Bearer token issued for a Basic (access key) call on the response.
    "credentials.middleware.IssuedAccessTokenMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Files not collected into STATIC_ROOT (`make run`, tests) are served from
# the installed apps; the image collects them at build time.
WHITENOISE_USE_FINDERS = True

# --- Database ----------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iam"),
        # django-tenants' backend, minus a redundant SET search_path per request.
        engine="tenants.postgresql_backend",
    )
}
if env_bool("IAM_DB_POOL"):
    # psycopg 3's pool; persistent connections are incompatible with it.
    DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 2, "max_size": 8}}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("IAM_DB_CONN_MAX_AGE", 60)
DATABASE_ROUTERS = [
    # Access and SSH keys are tenant-only models of the shared credentials app.
    "credentials.routers.TenantOnlyModelsRouter",
    "django_tenants.routers.TenantSyncRouter",
]

# --- Cache (Redis, keys prefixed with the current schema) --------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Installations sharing one Redis stay apart: by default the prefix
            # is the database's name.
            "KEY_PREFIX": os.environ.get(
                "IAM_CACHE_PREFIX", f"iam-{DATABASES['default']['NAME']}"
            ),
            # django-tenants' key function puts the schema in every key, so a
            # value cached in one tenant is never read in another.
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }

# --- Passwords ---------------------------------------------------------------

# Argon2id at OWASP's recommended floor (19 MiB, t=2, p=1): about 20 ms a
# verification here, which keeps login cheap for us and costly for a cracker.
PASSWORD_HASHERS = ["accounts.hashing.IamArgon2PasswordHasher"]
IAM_PASSWORD_MIN_LENGTH = env_int("IAM_PASSWORD_MIN_LENGTH", 15)
IAM_PASSWORD_MAX_LENGTH = env_int("IAM_PASSWORD_MAX_LENGTH", 256)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "accounts.password_validation.LengthValidator",
    },
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "name")},
    },
    # Django's common-password list, plus padded and patterned variants.
    {"NAME": "accounts.password_validation.PredictablePasswordValidator"},
    {"NAME": "accounts.password_validation.TenantNameValidator"},
]

# --- Tokens ------------------------------------------------------------------

IAM_ISSUER_BASE_URL = os.environ.get(
    "IAM_ISSUER_BASE_URL", f"{'http' if DEBUG else 'https'}://{IAM_PLATFORM_HOST}"
).rstrip("/")
IAM_ACCESS_TOKEN_TTL_SECONDS = env_int("IAM_ACCESS_TOKEN_TTL_SECONDS", 900)
IAM_REFRESH_TOKEN_TTL_SECONDS = env_int("IAM_REFRESH_TOKEN_TTL_SECONDS", 14 * 24 * 3600)
IAM_RESET_TOKEN_TTL_SECONDS = env_int("IAM_RESET_TOKEN_TTL_SECONDS", 3600)
IAM_WELCOME_TOKEN_TTL_SECONDS = env_int("IAM_WELCOME_TOKEN_TTL_SECONDS", 72 * 3600)
IAM_CONFIRM_TOKEN_TTL_SECONDS = env_int("IAM_CONFIRM_TOKEN_TTL_SECONDS", 72 * 3600)
# Key that encrypts signing keys at rest; derived from SECRET_KEY when unset.
IAM_KEY_ENCRYPTION_KEY = os.environ.get("IAM_KEY_ENCRYPTION_KEY", "")
IAM_FRONTEND_URL = os.environ.get("IAM_FRONTEND_URL", "").rstrip("/")
# Where a tenant's own link pages live; {domain} is its primary domain.
IAM_TENANT_URL_TEMPLATE = os.environ.get("IAM_TENANT_URL_TEMPLATE", "https://{domain}")
IAM_MAX_ACCESS_KEYS_PER_USER = env_int("IAM_MAX_ACCESS_KEYS_PER_USER", 2)
# Past this size (compact JSON) the `policies` claim is left out of access
# tokens and `policies_truncated: true` sends services to /iam/authorize.
IAM_TOKEN_POLICIES_MAX_BYTES = env_int("IAM_TOKEN_POLICIES_MAX_BYTES", 4096)
IAM_MAX_SSH_KEYS_PER_USER = env_int("IAM_MAX_SSH_KEYS_PER_USER", 5)
# Server-side HMAC key for access-key secrets, kept out of the database so a
# dump alone cannot log in; derived from SECRET_KEY when unset. Changing it
# invalidates every access key (see docs/access-keys.md).
IAM_ACCESS_KEY_PEPPER = os.environ.get("IAM_ACCESS_KEY_PEPPER", "")

# --- REST framework ----------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "credentials.authentication.BearerAuthentication",
        "credentials.authentication.AccessKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["iam_project.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "iam_project.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "iam_project.openapi.IamAutoSchema",
    "EXCEPTION_HANDLER": "iam_project.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IAM service",
    "DESCRIPTION": "Multi-tenant identity and access management.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- CORS: browser clients read the Authorization response header ------------

CORS_ALLOWED_ORIGINS = env_list("IAM_CORS_ALLOWED_ORIGINS")
CORS_ALLOW_ALL_ORIGINS = env_bool("IAM_CORS_ALLOW_ALL_ORIGINS", DEBUG)
CORS_EXPOSE_HEADERS = ["Authorization", "Retry-After"]
CORS_URLS_REGEX = r"^/(iam|\.well-known|t/[^/]+/\.well-known)/.*$"

# --- Security ----------------------------------------------------------------

IAM_BEHIND_TLS = env_bool("IAM_BEHIND_TLS", not DEBUG)
if IAM_BEHIND_TLS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("IAM_HSTS_SECONDS", 31536000)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Host-only cookies: an admin session made on one host (the platform, a
# tenant) is never sent by the browser to another, even a subdomain.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
CSRF_FAILURE_VIEW = "iam_project.errors.csrf_failure_view"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("IAM_MAX_BODY_BYTES", 64 * 1024)

# --- Email -------------------------------------------------------------------

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# Seconds before a stuck SMTP server counts as a failed try (then retried).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "iam@localhost")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)

# --- Celery ------------------------------------------------------------------

# The broker is the Redis of REDIS_URL unless IAM_BROKER_URL names another.
CELERY_BROKER_URL = os.environ.get("IAM_BROKER_URL") or REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("IAM_TASKS_EAGER", not REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_IGNORE_RESULT = True
# Runs that share one Redis (tests, staging) each name their own queue, so
# that no worker takes another run's tasks.
# Like the cache prefix, named after the database by default, so that two
# installations on one Redis never take each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get(
    "IAM_CELERY_QUEUE", f"iam-{DATABASES['default']['NAME']}"
)
# A down broker must not slow an API call: the publish that follows a commit
# gives up within a second and is not retried, because the outbox row is
# already written and the periodic sweep sends it once the broker is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    "max_retries": 0,
}
# Pending emails older than IAM_OUTBOX_SWEEP_AGE_SECONDS are queued again by
# this sweep: the email of a call made while the broker was down goes out
# once it is back.
IAM_OUTBOX_SWEEP_INTERVAL_SECONDS = env_int("IAM_OUTBOX_SWEEP_INTERVAL_SECONDS", 60)
IAM_OUTBOX_SWEEP_AGE_SECONDS = env_int("IAM_OUTBOX_SWEEP_AGE_SECONDS", 60)
# Sent and skipped emails are kept this long for root to see, then deleted.
IAM_OUTBOX_RETENTION_DAYS = env_int("IAM_OUTBOX_RETENTION_DAYS", 30)
CELERY_BEAT_SCHEDULE = {
    "sweep-email-outbox": {
        "task": "notifications.tasks.sweep_outbox_task",
        "schedule": float(IAM_OUTBOX_SWEEP_INTERVAL_SECONDS),
    }
}

# --- Logging -----------------------------------------------------------------

# JSON lines in production (one object a line, with request id and tenant);
# readable text in development.
IAM_LOG_FORMAT = os.environ.get("IAM_LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "iam_project.logging.RequestContextFilter"},
        "redact_link_tokens": {"()": "iam_project.logging.RedactLinkTokensFilter"},
    },
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(tenant)s %(request_id)s] "
            "%(message)s"
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s "
            "%(tenant)s %(request_id)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
            },
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": IAM_LOG_FORMAT,
            "filters": ["request_context", "redact_link_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("IAM_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The development server's request lines pass the token redaction too.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Metrics -----------------------------------------------------------------

# Bearer token a Prometheus scraper must send; without one only loopback may scrape.
IAM_METRICS_TOKEN = os.environ.get("IAM_METRICS_TOKEN", "")

# --- Throttling of failed authentication -------------------------------------

IAM_THROTTLE_WINDOW_SECONDS = env_int("IAM_THROTTLE_WINDOW_SECONDS", 300)
# Reset and confirmation emails one account may be sent per hour on request.
IAM_LINK_EMAILS_PER_HOUR = env_int("IAM_LINK_EMAILS_PER_HOUR", 5)
# Failures per tenant account from one address in one window, then 429 for
# that address until the window ends.
IAM_THROTTLE_ACCOUNT_ATTEMPTS = env_int("IAM_THROTTLE_ACCOUNT_ATTEMPTS", 5)
# Failures per tenant account from all addresses together in one window.
IAM_THROTTLE_ACCOUNT_GLOBAL_ATTEMPTS = env_int(
    "IAM_THROTTLE_ACCOUNT_GLOBAL_ATTEMPTS", 100
)
# Failures per client address across all tenants in one window.
IAM_THROTTLE_ADDRESS_ATTEMPTS = env_int("IAM_THROTTLE_ADDRESS_ATTEMPTS", 50)
# How many proxies in front of the service append to X-Forwarded-For; 0 trusts none.
IAM_TRUSTED_PROXY_COUNT = env_int("IAM_TRUSTED_PROXY_COUNT", 0)
