"""The test suite: PostgreSQL (never SQLite), fixed throw-away keys, fast password hashing."""

from personal_data.keyring import PUBLIC_TEST_BLIND_INDEX_KEY, PUBLIC_TEST_MASTER_KEYS

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PCC_DEMO_DATA_ALLOWED = True
SECRET_KEY = "test-only-secret-key-not-for-any-real-deployment-0123456789abcdef"  # noqa: S105

# Tests run on PostgreSQL: the invariants (one active code per person, append-only logs) live there.
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/pcc_portal"),
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("The test suite runs on PostgreSQL only; set DATABASE_URL to a postgres:// URL.")

# Deterministic, public test keys: worker subprocesses started by tests must read the same data.
PCC_MASTER_KEYS = PUBLIC_TEST_MASTER_KEYS
PCC_BLIND_INDEX_KEY = PUBLIC_TEST_BLIND_INDEX_KEY
# The real Redis of this machine (or the one `make test` started); tasks still run in-process unless a
# test sends them to a real worker on purpose (tests/integration).
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
# Worker subprocesses started by tests/integration set it false: their retries go through the broker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files come from the finders (no collectstatic in tests), as in the embedded run.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# No CAPTCHA_TEST_MODE: tests answer the real captcha by reading its stored answer
# (captcha.models.CaptchaStore, keyed by the form's hidden hashkey), as a person reads the image.

# Rate-limit counters per test, not shared between runs (a shared Redis would carry counts over).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = ["axes.W006", "django_ratelimit.W001"]
