"""The expiry job runs in a real Celery worker process over the real Redis broker."""

import datetime

import pytest
from django.utils import timezone

from issuance.models import Code, CodeStatus
from issuance.services import code_issue
from issuance.tasks import codes_process_expiry
from tests.factories import ONLINE, HolderDetailsFactory
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_expiry_task_runs_in_a_real_worker(worker_queue):
    code = code_issue(details=HolderDetailsFactory(), actor=ONLINE)
    Code.objects.filter(pk=code.pk).update(expires_on=timezone.localdate() - datetime.timedelta(days=3))

    codes_process_expiry.apply_async(queue=worker_queue)

    def expired() -> bool:
        return Code.objects.get(pk=code.pk).status == CodeStatus.EXPIRED

    wait_for(expired, timeout=30, what="the worker to expire the code")
    assert code.events.filter(kind="expired", actor_type="system").count() == 1
