"""Production: refuses to start without real keys; passes `manage.py check --deploy` with no warnings."""

from django.core.exceptions import ImproperlyConfigured

from personal_data.keyring import (
    PUBLIC_TEST_BLIND_INDEX_KEY,
    PUBLIC_TEST_MASTER_KEYS,
    KeyringError,
    parse_blind_index_key,
    parse_master_keys,
)

from .base import *  # noqa: F403
from .base import DATABASES, PCC_BLIND_INDEX_KEY, PCC_MASTER_KEYS, SECRET_KEY, env

DEBUG = False
PCC_DEMO_DATA_ALLOWED = False

if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a random value of at least 50 characters.")
if not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured("DATABASE_URL must point at the production PostgreSQL database.")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production runs on PostgreSQL; DATABASE_URL must be a postgres:// URL.")
try:
    _master_keys = parse_master_keys(PCC_MASTER_KEYS)
    parse_blind_index_key(PCC_BLIND_INDEX_KEY)
except KeyringError as error:
    raise ImproperlyConfigured(f"Encryption keys: {error}") from None
_test_keys = {key.secret for key in parse_master_keys(PUBLIC_TEST_MASTER_KEYS)}
if {key.secret for key in _master_keys} & _test_keys or PCC_BLIND_INDEX_KEY == PUBLIC_TEST_BLIND_INDEX_KEY:
    raise ImproperlyConfigured("The public test encryption keys must never be used in production.")

# A notice claimed for an HTTP provider that cannot be reached would only wait for the sweeper.
if env.str("SMS_BACKEND", default="simulated_phone") == "http" and not (
    env.str("SMS_HTTP_URL", default="") and env.str("SMS_HTTP_API_KEY", default="")
):
    raise ImproperlyConfigured("SMS_BACKEND=http needs SMS_HTTP_URL and SMS_HTTP_API_KEY.")

DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# TLS ends at the load balancer, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container healthcheck speaks plain HTTP inside the network
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
