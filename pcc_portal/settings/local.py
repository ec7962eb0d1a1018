"""The embedded development run (`make run`): SQLite, in-process tasks, demo data allowed."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
PCC_DEMO_DATA_ALLOWED = env.bool("PCC_DEMO_DATA_ALLOWED", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

if not SECRET_KEY:  # noqa: F405
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set. Run `make run` (it writes a local .env with fresh keys) "
        "or copy .env.example to .env and fill it in."
    )

WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
