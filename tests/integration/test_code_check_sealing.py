"""Partner checks reach the access-record chain through real workers (ADR 0006): each check is sealed
once, however many sealing runs race, and the chain stays intact."""

import pytest

from audit.models import AccessRecord
from audit.services import access_log_verify
from clearance.models import CodeCheck
from clearance.services import api_client_create
from clearance.tasks import code_checks_seal
from issuance.services import code_issue
from tests.factories import ONLINE, HolderDetailsFactory
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
URL = "/ext/rest/persEcmQry/retrievePersEcm"


def test_checks_are_sealed_once_by_racing_workers(client, notice_workers, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CODE_CHECK_SEAL_DELAY_SECONDS = 300  # the debounced run comes too late: only the racing runs seal
    details = HolderDetailsFactory()
    code = code_issue(details=details, actor=ONLINE)
    _forwarder, key = api_client_create(name="Racing forwarder", scopes=["verify"], rate_limit="100000/m")
    notice_workers(2)
    base = {"crkyCn": key, "persEcm": code.number, "pltxNm": details.name, "cralTelno": details.mobile}
    for n in range(60):
        params = base | {"custPsno": details.postcode if n % 3 else "06050"}
        assert client.get(URL, params).status_code == 200
    client.get(URL, base | {"persEcm": "bad"})  # touches no holder: call log only
    for _ in range(6):  # sealing runs racing on both workers
        code_checks_seal.delay()

    wait_for(lambda: not CodeCheck.objects.filter(sealed=False).exists(), timeout=60, what="every check sealed")
    records = AccessRecord.objects.filter(actor_type="api_client")
    assert records.count() == 60
    assert sorted(int(r.reason.split()[2].rstrip(":")) for r in records) == sorted(
        CodeCheck.objects.exclude(holder=None).values_list("id", flat=True)
    )
    assert access_log_verify().intact
