"""What `/healthz` reports: the database always, the broker when one is configured."""

import logging

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "not usable"; the log says why, the answer stays terse
        logger.exception("health check: database unreachable")
        return "error"
    return "ok"


def _broker_state() -> str:
    if not settings.CELERY_BROKER_URL:
        return "not_configured"  # tasks run in-process in the embedded run
    from pcc_portal.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.exception("health check: broker unreachable")
        return "error"
    return "ok"


def health_report() -> dict:
    checks = {"database": _database_state(), "broker": _broker_state()}
    status = "error" if "error" in checks.values() else "ok"
    return {"status": status, "checks": checks}
