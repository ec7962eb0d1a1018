"""Production settings refuse to start without real keys and pass `check --deploy` cleanly."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from personal_data.keyring import PUBLIC_TEST_BLIND_INDEX_KEY, PUBLIC_TEST_MASTER_KEYS

ROOT = Path(__file__).resolve().parent.parent


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _production_env(**overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PCC_", "DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="pcc_portal.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="postgres://pcc@db.internal:5432/pcc",
        PCC_MASTER_KEYS=f"prod-2026:{_key()}",
        PCC_BLIND_INDEX_KEY=_key(),
        ALLOWED_HOSTS="pcc.example.go.kr",
    )
    # An empty value, not a missing one: a developer's local .env must not fill the gap back in.
    env.update({k: "" if v is None else v for k, v in overrides.items()})
    return env


def _manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"PCC_MASTER_KEYS": None}, "PCC_MASTER_KEYS is empty"),
        ({"PCC_MASTER_KEYS": "prod:c2hvcnQ="}, "must be 32 random bytes"),
        ({"PCC_BLIND_INDEX_KEY": None}, "PCC_BLIND_INDEX_KEY is empty"),
        ({"PCC_MASTER_KEYS": PUBLIC_TEST_MASTER_KEYS}, "public test encryption keys"),
        ({"PCC_BLIND_INDEX_KEY": PUBLIC_TEST_BLIND_INDEX_KEY}, "public test encryption keys"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"}, "PostgreSQL"),
        ({"PCC_ACCESS_RECORD_RETENTION_DAYS": "365"}, "at least 731"),
        ({"SMS_BACKEND": "http"}, "SMS_HTTP_URL"),
    ],
)
def test_production_refuses_to_start_without_real_keys(override, message):
    result = _manage("check", env=_production_env(**override))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_local_settings_explain_how_to_get_keys(tmp_path):
    env = _production_env(DJANGO_SETTINGS_MODULE="pcc_portal.settings.local", DJANGO_SECRET_KEY=None)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=tmp_path,
        env=env | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "make run" in result.stderr
