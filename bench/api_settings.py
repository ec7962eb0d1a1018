"""Settings of the gunicorn that bench/api.py measures: the test settings (PostgreSQL, the fixed public
keys the loader sealed the holders with) made production-like wherever that changes what a request
costs (pcc_portal/settings/production.py). Never used outside the benchmark.
"""

from pcc_portal.settings.test import *  # noqa: F403
from pcc_portal.settings.test import DATABASES, REDIS_URL

DEBUG = False
# The portal's URLs plus the framework floor (a trivial view behind the same middleware).
ROOT_URLCONF = "bench.api_urls"

# As production.py: persistent connections with health checks. Without them every request would pay
# for a new PostgreSQL connection, and the benchmark would measure connection set-up.
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# As base.py with REDIS_URL set (production): rate-limit counters shared by every worker in Redis; the
# test settings keep them in process memory. Own prefix, so a run never shares counts with dev or tests.
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "bench-api",
    }
}
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# As production: tasks go to the broker for a worker (the test settings run them in-process, which
# would bill the sealing of access records, a batched background job, to each check). Their own queue,
# which no worker of the dev or test environments consumes; bench/api.py empties it after a run.
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = "bench-api"

# Production serves collected static files; the test settings' finders with autorefresh would look
# on disk on every request, a cost production does not have.
WHITENOISE_AUTOREFRESH = False
WHITENOISE_USE_FINDERS = False
