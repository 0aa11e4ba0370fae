"""CaseDesk settings, read from the environment (see README, "Configuration").

Defaults run on one laptop with nothing but Python: SQLite and Celery's filesystem broker
under ./var. Set DATABASE_URL and CELERY_BROKER_URL to use PostgreSQL and Redis.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .api_settings import SPECTACULAR, rest_framework
from .attachment_settings import attachment_settings
from .database_settings import databases
from .env import (
    cache_settings,
    email_settings,
    env_bool,
    env_choice,
    env_decimal,
    env_int,
    env_list,
    env_phone_region,
    env_str,
    session_engine,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CASEDESK_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Behind HTTPS in production: secure cookies, HSTS, redirect. Off for a local http run.
HTTPS = env_bool("HTTPS", not DEBUG)

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key" if DEBUG else None)
if not DEBUG and SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "policies",
    "cases",
    "privacy",
    "api",
    "attachments",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (the switcher's cookie, then Accept-Language). Django's order:
    # after the session, before CommonMiddleware (which may redirect with it active).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's own language (their profile) wins over the browser's.
    "casedesk.middleware.UserLanguageMiddleware",
    # Cache-Control: no-store on every response to a signed-in request.
    "casedesk.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Idle and absolute session limits (after htmx: a timed-out htmx call gets HX-Redirect).
    "casedesk.middleware.SessionLimitsMiddleware",
    # API responses carry personal data: never kept by a browser or proxy cache.
    "api.middleware.NoStoreMiddleware",
    # django-axes wants to be last: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casedesk.urls"
WSGI_APPLICATION = "casedesk.wsgi.application"

# Templates and forms: casedesk/template_settings.py.
from .template_settings import *  # noqa: E402, F403

# The primary, an optional read replica, and PgBouncer: see casedesk/database_settings.py.
DATABASE_POOLER, DATABASES = databases(VAR_DIR)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Covering indexes (INCLUDE) are PostgreSQL's; on SQLite they are plain indexes, as
    # intended, so the warning that says so is noise for everyone who runs it locally.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DATABASE_ROUTERS = ["casedesk.db_router.ReplicaRouter"]
CASEDESK_REPLICA_MAX_LAG_SECONDS = env_int("CASEDESK_REPLICA_MAX_LAG_SECONDS", 10, minimum=0)
CASEDESK_REPLICA_CHECK_SECONDS = env_int("CASEDESK_REPLICA_CHECK_SECONDS", 5, minimum=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "cases.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, loading the team ids with the user (one query per request fewer).
    "cases.auth.TeamAwareBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures for one username from one address locks that pair out
# for a cool-off, without letting an attacker lock a colleague out from elsewhere.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# --- Sign-in behind a proxy, per-address throttling, session limits (issue 11) ----------
# Behind a proxy, the client's address is taken from X-Forwarded-For as appended by the
# trusted proxies (how many there are in front of the app), never from what the client
# wrote there itself (casedesk/signin.py).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
CASEDESK_TRUSTED_PROXIES = env_int("CASEDESK_TRUSTED_PROXIES", 1, minimum=1) if BEHIND_PROXY else 0
AXES_CLIENT_IP_CALLABLE = "casedesk.signin.client_address"
# Password spraying (a few passwords on many usernames) never trips the per-username
# limit: an address is also refused after this many failures within the cool-off,
# whatever the usernames. High enough for a whole store behind one address to mistype.
CASEDESK_SIGNIN_ADDRESS_LIMIT = env_int("CASEDESK_SIGNIN_ADDRESS_LIMIT", 30, minimum=1)
AXES_HANDLER = "casedesk.signin.AddressThrottledHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the per-address count reads these rows
# ASVS 5.0 level 2: an idle limit and an absolute lifetime (casedesk/middleware.py).
# Counter terminals are shared: a session left open signs itself out.
CASEDESK_SESSION_IDLE_MINUTES = env_int("CASEDESK_SESSION_IDLE_MINUTES", 30, minimum=1)
CASEDESK_SESSION_MAX_HOURS = env_int("CASEDESK_SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = CASEDESK_SESSION_MAX_HOURS * 3600
# --- end of issue 11 block ---------------------------------------------------------------

# Languages: LANGUAGE_CODE, LANGUAGES, LOCALE_PATHS, customers' default (issue 16).
from .i18n_settings import *  # noqa: E402, F403

TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_TZ = True
# British English on the 24-hour clock (casedesk/formats/en_GB); other languages: Django's.
FORMAT_MODULE_PATH = ["casedesk.formats"]

CASEDESK_CURRENCY = env_str("CASEDESK_CURRENCY", "GBP")
CASEDESK_BUSINESS_NAME = env_str("CASEDESK_BUSINESS_NAME", "CaseDesk Retail")
# Phone numbers typed without a country code belong to this region (ISO 3166, e.g. GB).
CASEDESK_PHONE_REGION = env_phone_region("CASEDESK_PHONE_REGION", "GB")
# Links in emails point here.
CASEDESK_BASE_URL = env_str("CASEDESK_BASE_URL", "http://127.0.0.1:8000")
# A resolved case with no activity for this long closes itself.
CASEDESK_AUTO_CLOSE_DAYS = env_int("CASEDESK_AUTO_CLOSE_DAYS", 14, minimum=1)
# An open case with no activity for this long is "stale" on managers' home page.
CASEDESK_STALE_DAYS = env_int("CASEDESK_STALE_DAYS", 3, minimum=1)

# Follow-ups and reminders (see cases/services/reminders.py).
CASEDESK_REMINDER_LEAD_MINUTES = env_int("CASEDESK_REMINDER_LEAD_MINUTES", 60, minimum=0)
CASEDESK_OVERDUE_GRACE_MINUTES = env_int("CASEDESK_OVERDUE_GRACE_MINUTES", 30, minimum=0)
CASEDESK_APPROVAL_ESCALATE_HOURS = env_int("CASEDESK_APPROVAL_ESCALATE_HOURS", 4, minimum=1)
CASEDESK_REMINDER_MAX_ATTEMPTS = env_int("CASEDESK_REMINDER_MAX_ATTEMPTS", 6, minimum=1)
# Rows one sweep task sends at most; a sweep that reaches it queues the next at once.
CASEDESK_REMINDER_SWEEP_LIMIT = env_int("CASEDESK_REMINDER_SWEEP_LIMIT", 500, minimum=1)
CASEDESK_REMINDER_BACKOFF_SECONDS = env_int("CASEDESK_REMINDER_BACKOFF_SECONDS", 60, minimum=1)
# A row left "sending" this long is taken to be from a sender that died: send it again.
CASEDESK_REMINDER_CLAIM_TIMEOUT_SECONDS = env_int(
    "CASEDESK_REMINDER_CLAIM_TIMEOUT_SECONDS", 300, minimum=1
)
CASEDESK_SWEEP_SECONDS = env_int("CASEDESK_SWEEP_SECONDS", 30, minimum=1)
# Webhooks (see webhooks/delivery.py): swept with the reminders, on the same claim helpers.
from .webhook_settings import *  # noqa: E402, F403

CASEDESK_FEEDBACK_LINK_DAYS = env_int("CASEDESK_FEEDBACK_LINK_DAYS", 14, minimum=1)
# /health/ answers 503 when a due reminder has waited longer than this.
CASEDESK_HEALTH_STALE_SECONDS = env_int("CASEDESK_HEALTH_STALE_SECONDS", 300, minimum=1)
# …and when no worker heartbeat (every 60 s) has been seen for this long, even with
# nothing due. Details of the report go only to signed-in admins and to callers with
# this bearer token (empty: no token accepted); everyone else sees the status alone.
CASEDESK_HEALTH_WORKER_SECONDS = env_int("CASEDESK_HEALTH_WORKER_SECONDS", 180, minimum=1)
CASEDESK_HEALTH_TOKEN = env_str("CASEDESK_HEALTH_TOKEN", "")

# Insights: what an hour of staff time costs, and when a category counts as surging
# (this week above FACTOR × its trailing 8-week average, with at least MIN cases).
# Read as a Decimal here, so a typo stops start-up rather than the insights page.
CASEDESK_HOURLY_COST = env_decimal("CASEDESK_HOURLY_COST", "30.00", minimum=Decimal(0))
CASEDESK_SURGE_FACTOR = env_int("CASEDESK_SURGE_FACTOR", 2, minimum=1)
CASEDESK_SURGE_MIN_CASES = env_int("CASEDESK_SURGE_MIN_CASES", 5, minimum=1)
# Insights are recomputed at most once a minute per team selection and period: the
# figures stay exact to the minute, and a busy page does not redo heavy aggregates.
CASEDESK_INSIGHTS_CACHE_SECONDS = env_int("CASEDESK_INSIGHTS_CACHE_SECONDS", 60, minimum=0)
# The case list's rendered filter form, per person and URL (a new team member shows in
# the assignee dropdown within this time).
CASEDESK_FILTER_FORM_CACHE_SECONDS = env_int("CASEDESK_FILTER_FORM_CACHE_SECONDS", 60, minimum=0)
# The approvals badge in the navigation, per person (0: counted on every page). Requests
# and decisions recount it at once; this only bounds changes made outside the services.
CASEDESK_APPROVALS_BADGE_SECONDS = env_int("CASEDESK_APPROVALS_BADGE_SECONDS", 15, minimum=0)

# Data protection (see privacy/): who may export, how long an export waits, sweep sizes.
CASEDESK_MANAGERS_MAY_EXPORT = env_bool("CASEDESK_MANAGERS_MAY_EXPORT", False)
CASEDESK_EXPORT_HOURS = env_int("CASEDESK_EXPORT_HOURS", 24, minimum=1)
CASEDESK_EXPORT_DIR = Path(env_str("CASEDESK_EXPORT_DIR", str(VAR_DIR / "exports")))
CASEDESK_RETENTION_BATCH = env_int("CASEDESK_RETENTION_BATCH", 500, minimum=1)
CASEDESK_RETENTION_PASS_HOURS = env_int("CASEDESK_RETENTION_PASS_HOURS", 24, minimum=1)
# The REST API under /api/v1/ (see api/ and README, "API").
CASEDESK_API_RATE_TOKEN = env_str("CASEDESK_API_RATE_TOKEN", "600/min")
CASEDESK_API_RATE_ADDRESS = env_str("CASEDESK_API_RATE_ADDRESS", "1200/min")
CASEDESK_API_TOKEN_MAX_DAYS = env_int("CASEDESK_API_TOKEN_MAX_DAYS", 365, minimum=1)
CASEDESK_IDEMPOTENCY_HOURS = env_int("CASEDESK_IDEMPOTENCY_HOURS", 24, minimum=1)
REST_FRAMEWORK = rest_framework(proxies=CASEDESK_TRUSTED_PROXIES)
SPECTACULAR_SETTINGS = SPECTACULAR

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Attachments: storage, limits, retention (casedesk/attachment_settings.py).
_attachments = attachment_settings(var_dir=VAR_DIR, behind_proxy=BEHIND_PROXY)
STORAGES["attachments"] = _attachments["STORAGE"]
CASEDESK_ATTACHMENT_MAX_BYTES: int = _attachments["CASEDESK_ATTACHMENT_MAX_BYTES"]
CASEDESK_ATTACHMENT_MAX_TOTAL_BYTES: int = _attachments["CASEDESK_ATTACHMENT_MAX_TOTAL_BYTES"]
CASEDESK_ATTACHMENT_MAX_FILES: int = _attachments["CASEDESK_ATTACHMENT_MAX_FILES"]
CASEDESK_ATTACHMENT_MAX_PIXELS: int = _attachments["CASEDESK_ATTACHMENT_MAX_PIXELS"]
CASEDESK_ATTACHMENT_IMAGE_MAX_EDGE: int = _attachments["CASEDESK_ATTACHMENT_IMAGE_MAX_EDGE"]
CASEDESK_ATTACHMENT_RETENTION_DAYS: int = _attachments["CASEDESK_ATTACHMENT_RETENTION_DAYS"]
CASEDESK_ATTACHMENT_PURGE_BATCH: int = _attachments["CASEDESK_ATTACHMENT_PURGE_BATCH"]
CASEDESK_ATTACHMENTS_ACCEL_PREFIX: str = _attachments["CASEDESK_ATTACHMENTS_ACCEL_PREFIX"]
FILE_UPLOAD_HANDLERS: list[str] = _attachments["FILE_UPLOAD_HANDLERS"]

# In development whitenoise serves straight from the app folders; in production from
# the collected, hashed and compressed copies in STATIC_ROOT.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Strict CSP: nothing inline, nothing from elsewhere. Templates are written for it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

_email = email_settings(env_str("EMAIL_URL", "console:"))
globals().update(_email)
# EMAIL_TIMEOUT, when set, wins over EMAIL_URL's ?timeout= (the one named variable is the
# one operators look for); otherwise the URL's, otherwise 10 seconds.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", int(str(_email.get("EMAIL_TIMEOUT", 10))), minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CaseDesk <casedesk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery. With no broker configured, kombu's filesystem transport under var/ needs nothing
# installed; the folders are created by casedesk.celery at start-up.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith("redis"):
    # Fail fast on an unreachable Redis instead of hanging a web request on connect.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "cases.tasks.heartbeat", "schedule": 60.0},
    "send-due-reminders": {
        "task": "cases.tasks.send_due_reminders",
        "schedule": float(CASEDESK_SWEEP_SECONDS),
        # A sweep that could not run in time is skipped: the next one finds the same rows.
        "options": {"expires": float(CASEDESK_SWEEP_SECONDS)},
    },
    "send-due-webhooks": {
        "task": "webhooks.tasks.send_due_webhooks",
        "schedule": float(CASEDESK_SWEEP_SECONDS),
        "options": {"expires": float(CASEDESK_SWEEP_SECONDS)},
    },
    "close-quiet-cases": {"task": "cases.tasks.close_quiet_cases", "schedule": 3600.0},
    "privacy-sweep-exports": {
        "task": "privacy.tasks.sweep_exports",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    "privacy-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
    "purge-idempotency-keys": {"task": "api.tasks.purge_idempotency_keys", "schedule": 3600.0},
    "purge-expired-attachments": {
        "task": "attachments.tasks.purge_expired_attachments",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
}

# Caches: per process by default (`dev.py run`); CACHE_URL=redis://… shares one cache
# between every web process and worker, as production needs (see README, "Configuration").
CACHES = cache_settings(env_str("CACHE_URL", "locmem:"))
SESSION_ENGINE = session_engine(CACHES)

# Logs: one line per event on stderr (the process manager or container keeps them), with
# the event's facts as key=value pairs (casedesk/logfmt.py). LOG_LEVEL=DEBUG shows more.
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"keyvalue": {"()": "casedesk.logfmt.KeyValueFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "keyvalue"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
# The worker logs through the same handler and format instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
