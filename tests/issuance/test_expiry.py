"""The periodic expiry job (DOMAIN.md §3): as a service, a management command and a Celery task."""

import datetime
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from issuance.models import Code, CodeStatus, EventKind
from issuance.services import code_suspend, codes_process_expiry
from issuance.tasks import codes_process_expiry as codes_process_expiry_task
from tests.factories import ONLINE

pytestmark = pytest.mark.django_db


def _expiring(code, *, days_ago: int):
    Code.objects.filter(pk=code.pk).update(expires_on=timezone.localdate() - datetime.timedelta(days=days_ago))
    return code


def test_code_past_its_date_expires_and_is_terminated_thirty_days_later(issued_code):
    today = timezone.localdate()
    _expiring(issued_code, days_ago=0)
    assert codes_process_expiry(today=today) == {"expired": 0, "terminated": 0}  # valid through expiry day
    assert codes_process_expiry(today=today + datetime.timedelta(days=1)) == {"expired": 1, "terminated": 0}
    assert codes_process_expiry(today=today + datetime.timedelta(days=30)) == {"expired": 0, "terminated": 0}
    assert codes_process_expiry(today=today + datetime.timedelta(days=31)) == {"expired": 0, "terminated": 1}
    issued_code.refresh_from_db()
    assert issued_code.status == CodeStatus.TERMINATED and issued_code.termination_reason == "not_renewed"
    kinds = list(issued_code.events.values_list("kind", "actor_type"))
    assert kinds[-2:] == [(EventKind.EXPIRED, "system"), (EventKind.TERMINATED, "system")]


def test_missed_runs_catch_up_in_one_run(issued_code):
    _expiring(issued_code, days_ago=45)
    assert codes_process_expiry() == {"expired": 1, "terminated": 1}
    assert codes_process_expiry() == {"expired": 0, "terminated": 0}  # idempotent


def test_suspended_code_is_terminated_after_the_grace_period(issued_code):
    code_suspend(code=issued_code, reason="theft_report", actor=ONLINE)
    _expiring(issued_code, days_ago=31)
    assert codes_process_expiry() == {"expired": 0, "terminated": 1}


def test_job_runs_as_a_management_command(issued_code):
    _expiring(issued_code, days_ago=2)
    out = StringIO()
    call_command("process_code_expiry", stdout=out)
    assert "Expired 1 codes; terminated 0 codes." in out.getvalue()


def test_job_runs_as_the_scheduled_celery_task(issued_code):
    entry = settings.CELERY_BEAT_SCHEDULE["codes-process-expiry"]
    assert entry["task"] == codes_process_expiry_task.name
    _expiring(issued_code, days_ago=2)
    assert codes_process_expiry_task.apply().get() == {"expired": 1, "terminated": 0}
