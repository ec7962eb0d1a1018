"""Settings shared by every environment, read once through django-environ (12-factor).

Environment-specific modules (local, test, production) import this and adjust it. Every variable is
documented in `.env.example`.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env (made by `make run`, never committed) fills in what the process environment lacks.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "staff.apps.PortalAdminConfig",  # django.contrib.admin behind the staff login (staff/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "csp",
    "django_countries",
    "captcha",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI files served from our static files, never a CDN
    "personal_data",
    "issuance",
    "verification",
    "notifications",
    "staff",
    "audit",
    "clearance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "staff.middleware.StaffSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "pcc_portal.urls"
WSGI_APPLICATION = "pcc_portal.wsgi.application"

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

FORM_RENDERER = "pcc_portal.forms.PortalFormRenderer"

# The embedded default is a SQLite file so `make run` needs nothing installed; tests and production
# use PostgreSQL (the invariants in docs/architecture.md are enforced there).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Staff accounts (staff/, issue 5; OWASP ASVS 5.0 §6.2) ---
# argon2id first; the others only verify hashes made before a switch and are upgraded at login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# At least 12 characters, not a common password, not the username; no composition rules and no
# maximum below 64 (Django sets none).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out username before checking the password
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
# Lockout after 5 failed attempts (password or TOTP) for the username, lifted after 30 minutes or by
# an administrator (`manage.py axes_reset_username NAME`).
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "staff/locked_out.html"
AXES_VERBOSE = False
# Staff sessions end after 15 minutes idle and 12 hours in all (staff/middleware.py).
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=15 * 60)
STAFF_SESSION_ABSOLUTE_SECONDS = env.int("STAFF_SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
OTP_TOTP_ISSUER = "PCC portal"

# Access records are kept at least 2 years (DOMAIN.md §9: unique identifiers are involved).
PCC_ACCESS_RECORD_RETENTION_DAYS = env.int("PCC_ACCESS_RECORD_RETENTION_DAYS", default=731)
if PCC_ACCESS_RECORD_RETENTION_DAYS < 731:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("PCC_ACCESS_RECORD_RETENTION_DAYS must be at least 731 (2 years).")

# --- Access records: thresholds of the monthly review report (audit/report.py, issue 5) ---
# A rule lists a staff member when their count for the month is MORE than the threshold. Office hours
# are Korean time: a view before START or from END o'clock, or on a Saturday or Sunday, is off hours.
PCC_ACCESS_REVIEW_OFF_HOURS_VIEWS = env.int("PCC_ACCESS_REVIEW_OFF_HOURS_VIEWS", default=10)
PCC_ACCESS_REVIEW_PEOPLE_PER_DAY = env.int("PCC_ACCESS_REVIEW_PEOPLE_PER_DAY", default=50)
PCC_ACCESS_REVIEW_REPEAT_VIEWS = env.int("PCC_ACCESS_REVIEW_REPEAT_VIEWS", default=20)
PCC_ACCESS_REVIEW_OFFICE_HOURS_START = env.int("PCC_ACCESS_REVIEW_OFFICE_HOURS_START", default=9)
PCC_ACCESS_REVIEW_OFFICE_HOURS_END = env.int("PCC_ACCESS_REVIEW_OFFICE_HOURS_END", default=18)
# --- end of the access-review thresholds ---

# Korean first, English second; the user's choice is kept in the language cookie.
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"  # expiry dates and "a year" are Korean calendar days (DOMAIN.md §3)
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# No inline script or style anywhere (ENGINEERING.md "Front end"), so the policy can forbid them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],  # KRDS's vendored CSS embeds one icon font as a data: URL
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- The encrypted personal-data store (personal_data app, docs/adr/0001) ---
# PCC_MASTER_KEYS: comma-separated "key_id:base64(32 bytes)"; the FIRST entry is the current key and
# wraps new data keys; the others only unwrap until `manage.py rotate_master_key` has re-wrapped them.
PCC_MASTER_KEYS = env.str("PCC_MASTER_KEYS", default="")
# PCC_BLIND_INDEX_KEY: base64(32 bytes), HMAC key of the blind indexes; kept apart from the master keys.
PCC_BLIND_INDEX_KEY = env.str("PCC_BLIND_INDEX_KEY", default="")

REDIS_URL = env.str("REDIS_URL", default="")

# Rate limits (django-ratelimit) count in the cache: Redis when configured, so every web process
# shares the counts; the embedded run keeps them in process memory.
if REDIS_URL:
    # django-redis rather than Django's own RedisCache: Django builds a new redis-py client for every
    # operation (about 0.3 ms each, several per API check in bench/api.py profile); django-redis keeps one.
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# axes.W006: staff lockout is per account (OWASP ASVS); an IP lockout would lock a whole customs office
# behind one NAT address. Sign-in is also rate-limited per IP (staff/views/auth.py, django-ratelimit).
SILENCED_SYSTEM_CHECKS = ["axes.W006"] + (["django_ratelimit.W001"] if not REDIS_URL else [])
RATELIMIT_USE_CACHE = "default"

# --- Celery (pcc_portal/celery.py) ---
# With no broker configured, tasks run eagerly in-process: the embedded `make run` needs no Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A broker that is down must not hold a web request for long: the notice is in the outbox and the
# sweeper queues it again (notifications/services.py).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# With acks_late, a task whose worker died is delivered again after this many seconds (Redis).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_BEAT_SCHEDULE = {
    # Notices: the sweeper every 5 minutes; expiry reminders (30 and 7 days before) each morning.
    "notices-replay": {
        "task": "notifications.tasks.notices_replay",
        "schedule": crontab(minute="*/5"),
    },
    "expiry-reminders": {
        "task": "notifications.tasks.expiry_reminders_create",
        "schedule": crontab(minute=0, hour=9),
    },
    "notices-purge": {
        "task": "notifications.tasks.notices_purge",
        "schedule": crontab(minute=30, hour=3),
    },
    # DOMAIN.md §3: expire codes past their date, terminate them 30 days later. Hourly so a missed run
    # (deploy, outage) is caught up within the hour; the job is idempotent.
    "codes-process-expiry": {
        "task": "issuance.tasks.codes_process_expiry",
        "schedule": crontab(minute=5),
    },
    # Retention: access records after 2 years, staff role changes after 3 (audit/, staff/).
    "access-records-purge": {
        "task": "audit.tasks.access_records_purge",
        "schedule": crontab(minute=20, hour=3),
    },
    "staff-role-changes-purge": {
        "task": "staff.tasks.staff_role_changes_purge",
        "schedule": crontab(minute=25, hour=3),
    },
    # Sweeper of the sealing of partner code checks (each check also queues a sealing run itself).
    "code-checks-seal": {
        "task": "clearance.tasks.code_checks_seal",
        "schedule": crontab(minute="*"),
    },
    # Spreadsheets of checks: queue again what stalled; remove jobs and their rows after 7 days.
    "bulk-verifications-resume": {
        "task": "clearance.tasks.bulk_verifications_resume",
        "schedule": crontab(minute="*/5"),
    },
    "bulk-verifications-purge": {
        "task": "clearance.tasks.bulk_verifications_purge",
        "schedule": crontab(minute=35, hour=3),
    },
    # Data minimisation: identity checks and their data keys go once expired.
    "identity-checks-purge": {
        "task": "verification.tasks.identity_checks_purge",
        "schedule": crontab(minute="*/10"),
    },
}

# --- Identity verification providers (verification/providers/) ---
PCC_REAL_NAME_REGISTRY = env.str(
    "PCC_REAL_NAME_REGISTRY", default="verification.providers.simulated_registry.SimulatedRealNameRegistry"
)

# The "security number" image of the mobile method (django-simple-captcha).
CAPTCHA_LENGTH = 5
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.random_char_challenge"
CAPTCHA_TIMEOUT = 5  # minutes

# --- Notices (notifications/): SMS gateway, email, retries, the sweeper (issue 6) ---
# simulated_phone (the demo phones' inboxes) | console | file | memory | http
SMS_BACKEND = env.str("SMS_BACKEND", default="simulated_phone")
SMS_FILE_PATH = env.path("SMS_FILE_PATH", default=BASE_DIR / "var" / "sms.jsonl")
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_API_KEY = env.str("SMS_HTTP_API_KEY", default="")
SMS_HTTP_SENDER = env.str("SMS_HTTP_SENDER", default="1577-0000")
SMS_HTTP_TIMEOUT_SECONDS = env.float("SMS_HTTP_TIMEOUT_SECONDS", default=10.0)
# Delivery receipts: the provider signs each callback with this key (HMAC-SHA-256).
SMS_RECEIPT_SIGNING_KEY = env.str("SMS_RECEIPT_SIGNING_KEY", default="")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PCC portal <no-reply@pcc.example.kr>")
# Temporary failures are retried every 5 minutes, 48 times: about 4 hours (GOV.UK Notify).
NOTICE_RETRY_DELAY_SECONDS = env.int("NOTICE_RETRY_DELAY_SECONDS", default=300)
# A notice left in `sending` by a worker that died may be claimed again after this (provider timeout × 6).
NOTICE_SENDING_LEASE_SECONDS = env.int("NOTICE_SENDING_LEASE_SECONDS", default=60)
# The sweeper queues again notices still `created` after 15 minutes.
NOTICE_REPLAY_AFTER_SECONDS = env.int("NOTICE_REPLAY_AFTER_SECONDS", default=15 * 60)
# Notices are removed this many days after they were written, once finished (data minimisation).
NOTICE_RETENTION_DAYS = env.int("NOTICE_RETENTION_DAYS", default=90)

# --- Integration APIs (clearance/, issue 7) ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["clearance.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["clearance.authentication.HasApiScope"],
    "DEFAULT_THROTTLE_CLASSES": ["clearance.authentication.ApiClientThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "pcc_portal.api.ApiAutoSchema",
    "EXCEPTION_HANDLER": "pcc_portal.api.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PCC portal API",
    "DESCRIPTION": "Verify personal customs codes, verify spreadsheets of them, and file declarations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The security scheme comes from clearance/authentication.py (ApiKeyScheme); both country fields share
    # one enum component instead of two names for one list.
    "ENUM_NAME_OVERRIDES": {"CountryEnum": "clearance.apis.COUNTRIES"},
}
# Requests per client and period (django-ratelimit syntax, e.g. 600/m); a client may have its own.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="600/m")
# Checks are logged at once and sealed into the access-record chain in batches this many seconds apart.
CODE_CHECK_SEAL_DELAY_SECONDS = env.int("CODE_CHECK_SEAL_DELAY_SECONDS", default=5)
# Spreadsheets of checks (clearance/bulk.py): at most this many rows and bytes per file; checked in
# chunks of about CHUNK_ROWS rows by PARALLEL_TASKS tasks at once; a job that has not moved for
# STALLED_SECONDS is queued again (a worker died, the broker lost it); jobs and their rows go after
# RETENTION_DAYS (data minimisation, DOMAIN.md §9).
BULK_VERIFICATION_MAX_ROWS = env.int("BULK_VERIFICATION_MAX_ROWS", default=100_000)
BULK_VERIFICATION_MAX_BYTES = env.int("BULK_VERIFICATION_MAX_BYTES", default=30 * 1024 * 1024)
BULK_VERIFICATION_CHUNK_ROWS = env.int("BULK_VERIFICATION_CHUNK_ROWS", default=2000)
BULK_VERIFICATION_PARALLEL_TASKS = env.int("BULK_VERIFICATION_PARALLEL_TASKS", default=2)
BULK_VERIFICATION_STALLED_SECONDS = env.int("BULK_VERIFICATION_STALLED_SECONDS", default=300)
BULK_VERIFICATION_RETENTION_DAYS = env.int("BULK_VERIFICATION_RETENTION_DAYS", default=7)

# --- Demo data (`manage.py seed_demo`): fictional people; never in production ---
PCC_DEMO_DATA_ALLOWED = env.bool("PCC_DEMO_DATA_ALLOWED", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
