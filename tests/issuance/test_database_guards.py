"""Invariants PostgreSQL itself enforces, proved against PostgreSQL (ENGINEERING.md "Invariants")."""

import threading
from dataclasses import replace

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.utils import timezone

from issuance.models import Code, CodeEvent, CodeStatus, DeliveryAddress, Holder
from issuance.services import code_issue, code_terminate
from pcc_portal.exceptions import ApplicationError
from tests.factories import ONLINE, HolderDetailsFactory

DatabaseRefusal = (InternalError, ProgrammingError, IntegrityError)


def test_tests_run_on_postgresql():
    assert connection.vendor == "postgresql"


@pytest.mark.django_db
def test_database_refuses_a_second_code_in_use_for_one_holder(issued_code):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Code.objects.create(
            number="P260000000017",
            holder=issued_code.holder,
            status=CodeStatus.SUSPENDED,
            suspension_reason="ex_officio",
            issued_at=now,
            expires_on=issued_code.expires_on,
            channel="online",
            status_changed_at=now,
        )


@pytest.mark.django_db
def test_database_refuses_a_reused_number(issued_code):
    code_terminate(code=issued_code, reason="voluntary", actor=ONLINE)
    other = code_issue(details=HolderDetailsFactory(), actor=ONLINE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Code.objects.filter(pk=other.pk).update(number=issued_code.number)


@pytest.mark.django_db
def test_event_log_refuses_update_and_delete(issued_code):
    event = CodeEvent.objects.get(code=issued_code)
    with pytest.raises(DatabaseRefusal), transaction.atomic():
        CodeEvent.objects.filter(pk=event.pk).update(kind="terminated")
    with pytest.raises(DatabaseRefusal), transaction.atomic():
        CodeEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseRefusal), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM issuance_codeevent")
    assert CodeEvent.objects.get(pk=event.pk).kind == "issued"


@pytest.mark.django_db
def test_codes_are_never_deleted(issued_code):
    with pytest.raises(DatabaseRefusal), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM issuance_code WHERE id = %s", [issued_code.pk])


@pytest.mark.django_db
def test_database_caps_delivery_addresses_at_twenty(issued_code):
    holder = Holder.objects.get(pk=issued_code.holder_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeliveryAddress.objects.create(holder=holder, position=21, address="x", postcode="04524")


def _race(target, n: int) -> list:
    """Run `target` in n threads released together; each thread has its own database connection."""
    barrier = threading.Barrier(n)
    results: list = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait()
            outcome = target()
        except Exception as error:  # collected and asserted on by the caller
            outcome = error
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_issuances_for_one_new_person_give_exactly_one_code():
    details = HolderDetailsFactory()
    results = _race(lambda: code_issue(details=details, actor=ONLINE), 8)
    codes = [r for r in results if isinstance(r, Code)]
    refusals = [r for r in results if isinstance(r, ApplicationError)]
    assert len(codes) == 1, results
    assert len(refusals) == 7 and {r.code for r in refusals} == {"PCC_ALREADY_HOLDS_CODE"}
    assert Holder.objects.count() == 1
    assert Code.objects.exclude(status=CodeStatus.TERMINATED).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_issuances_for_a_former_holder_give_exactly_one_code():
    details = HolderDetailsFactory()
    code_terminate(code=code_issue(details=details, actor=ONLINE), reason="voluntary", actor=ONLINE)
    results = _race(lambda: code_issue(details=replace(details, email="again@example.org"), actor=ONLINE), 6)
    assert sum(isinstance(r, Code) for r in results) == 1, results
    assert all(isinstance(r, Code | ApplicationError) for r in results), results
    assert Code.objects.exclude(status=CodeStatus.TERMINATED).count() == 1
