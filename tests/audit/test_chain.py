"""The access log is append-only and tamper-evident (issue 5; DOMAIN.md §9; ADR 0005): the trigger
refuses edits, the HMAC chain catches what gets past it, and `manage.py verify_access_log` says where."""

import datetime
import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from audit.chain import GENESIS
from audit.models import AccessAction, AccessPurpose, AccessRecord, ActorType
from audit.services import RETENTION_RECORD_TYPE, access_log_verify, access_record_write, access_records_purge
from issuance.models import Holder
from issuance.services import code_issue
from tests.audit.tampering import place_at, remove, reseal, tamper, trigger_disabled
from tests.factories import ONLINE, HolderDetailsFactory


def _write(user=None, *, holder=None, n: int = 1, ip: str | None = "192.0.2.10", **overrides) -> list[AccessRecord]:
    values = {
        "action": AccessAction.VIEW,
        "purpose": AccessPurpose.COUNTER_REQUEST,
        "record_type": "holder",
        "record_id": str(holder.pk) if holder else "",
        "fields": ["name", "address"],
    }
    values.update(overrides)
    return [access_record_write(user=user, ip_address=ip, holder=holder, **values) for _ in range(n)]


@pytest.fixture
def holders(db):
    return [code_issue(details=HolderDetailsFactory(), actor=ONLINE).holder for _ in range(2)]


@pytest.fixture
def chain(officer, holders):
    """Six records by an officer about two people."""
    return [record for holder in holders for record in _write(officer, holder=holder, n=3)]


def _verify_command() -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `manage.py verify_access_log`."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("verify_access_log", stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


# --- the chain as written ---


def test_records_written_by_the_service_verify_intact(chain):
    report = access_log_verify()
    assert report.intact, report
    assert (report.checked, report.first_sequence) == (6, 1)
    first, second = AccessRecord.objects.order_by("sequence")[:2]
    assert first.previous_hash == GENESIS
    assert second.previous_hash == first.hash


def test_record_keeps_the_time_to_the_second_in_utc(officer):
    (record,) = _write(officer)
    record.refresh_from_db()
    assert record.occurred_at.microsecond == 0
    assert record.occurred_at.utcoffset() == datetime.timedelta(0)
    assert abs(timezone.now() - record.occurred_at) < datetime.timedelta(seconds=5)


def test_record_copies_actor_role_and_office(officer, seoul):
    (record,) = _write(officer)
    assert (record.actor_username, record.actor_role, record.actor_office) == (
        "officer.test.seoul",
        "counter_officer",
        "seoul",
    )


@pytest.mark.parametrize(
    "ip",
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "::ffff:192.0.2.1", "::ffff:c000:0201", "2001:DB8::A", None],
)
def test_chain_verifies_whatever_form_the_address_was_given_in(officer, ip):
    """The database keeps an IPv6 address in its canonical form; the hash must be over that form."""
    _write(officer, ip=ip, n=2)
    assert access_log_verify().intact


def test_empty_log_verifies(db):
    report = access_log_verify()
    assert report.intact and report.checked == 0


# --- tampering is detected at exactly the edited record ---


def _other_user(make_staff):
    from staff.roles import Role

    return make_staff(Role.AUDITOR, None, "someone.else")


TAMPERINGS = {
    "actor_username": lambda ctx: {"actor_username": "someone.else"},
    "actor_role": lambda ctx: {"actor_role": "auditor"},
    "actor_office": lambda ctx: {"actor_office": "incheon"},
    "actor_type": lambda ctx: {"actor_type": ActorType.SYSTEM},
    "actor_user": lambda ctx: {"actor_user": ctx["other_user"]},
    "fields": lambda ctx: {"fields": ["name"]},
    "purpose": lambda ctx: {"purpose": AccessPurpose.CORRECTION},
    "action": lambda ctx: {"action": AccessAction.PRINT},
    "reason": lambda ctx: {"reason": "routine"},
    "ip_address": lambda ctx: {"ip_address": "198.51.100.7"},
    "occurred_at": lambda ctx: {"occurred_at": ctx["record"].occurred_at - datetime.timedelta(hours=3)},
    "holder_id": lambda ctx: {"holder": ctx["other_holder"]},
    "holder_removed": lambda ctx: {"holder": None},
    "record_type": lambda ctx: {"record_type": "code"},
    "record_id": lambda ctx: {"record_id": "1"},
    "hash": lambda ctx: {"hash": "f" * 64},
    "previous_hash": lambda ctx: {"previous_hash": "e" * 64},
}


@pytest.mark.parametrize("position", [0, 2, 5], ids=["first", "middle", "last"])
@pytest.mark.parametrize("field", sorted(TAMPERINGS))
def test_tampering_with_any_field_is_detected_at_that_record(chain, holders, make_staff, field, position):
    record = AccessRecord.objects.order_by("sequence")[position]
    other_holder = next(h for h in holders if h.pk != record.holder_id)
    context = {"record": record, "other_holder": other_holder, "other_user": _other_user(make_staff)}
    tamper(record.sequence, **TAMPERINGS[field](context))

    report = access_log_verify()

    assert not report.intact
    assert report.broken_at == record.sequence


def test_verify_walks_every_record_until_the_break(chain):
    tamper(4, purpose=AccessPurpose.AUDIT)
    report = access_log_verify()
    assert (report.broken_at, report.checked) == (4, 3)
    assert report.problem == "content does not match its hash"


def test_resealing_without_the_chain_key_is_not_possible_so_an_edited_hash_breaks_the_next_link(chain):
    """An attacker who recomputes the edited record's hash with the wrong key leaves the next record
    pointing at the old hash."""
    record = AccessRecord.objects.get(sequence=3)
    tamper(3, reason="edited", hash="a" * 64)
    report = access_log_verify()
    assert report.broken_at == 3
    # With the hash made consistent by someone holding the key, the link to the next record breaks.
    record.reason = "edited"
    from audit.chain import record_hash

    tamper(3, hash=record_hash(record))
    report = access_log_verify()
    assert (report.broken_at, report.problem) == (4, "previous hash does not match")


def test_deleting_a_middle_record_is_detected_as_a_gap(chain):
    remove(3)
    report = access_log_verify()
    assert (report.broken_at, report.problem) == (4, "records after 2 are missing")


def test_deleting_the_first_records_without_a_retention_entry_is_detected(chain):
    remove(1, 2)
    report = access_log_verify()
    assert not report.intact
    assert report.broken_at == 3
    assert "not by retention" in report.problem


def test_a_forged_retention_entry_for_another_start_does_not_excuse_a_removal(chain, officer):
    access_record_write(
        user=None,
        ip_address=None,
        action=AccessAction.REMOVE,
        purpose=AccessPurpose.RETENTION,
        record_type=RETENTION_RECORD_TYPE,
        record_id="2",
        actor_type=ActorType.SYSTEM,
        actor_name="system",
    )
    remove(1, 2)
    assert access_log_verify().broken_at == 3


# --- the database refuses edits ---


def test_database_refuses_update_of_a_record(chain):
    with pytest.raises(DatabaseError, match="not allowed"), transaction.atomic():
        AccessRecord.objects.filter(sequence=2).update(reason="edited")
    assert AccessRecord.objects.get(sequence=2).reason == ""


def test_database_refuses_update_even_of_an_old_record(chain):
    place_at({chain[0]: timezone.now() - datetime.timedelta(days=3 * 365)})
    with pytest.raises(DatabaseError, match="not allowed"), transaction.atomic():
        AccessRecord.objects.filter(sequence=1).update(reason="edited")


def test_database_refuses_delete_of_a_recent_record(chain):
    with pytest.raises(DatabaseError, match="not allowed"), transaction.atomic():
        AccessRecord.objects.filter(sequence=2).delete()
    with pytest.raises(DatabaseError, match="not allowed"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accessrecord")
    assert AccessRecord.objects.count() == 6


def test_database_refuses_delete_of_a_record_just_under_two_years_old(chain):
    place_at({chain[0]: timezone.now() - datetime.timedelta(days=729)})
    with pytest.raises(DatabaseError, match="not allowed"), transaction.atomic():
        AccessRecord.objects.filter(sequence=1).delete()


# --- retention ---


def test_purge_removes_only_records_older_than_retention_and_the_chain_still_verifies(chain, settings):
    old = timezone.now() - datetime.timedelta(days=settings.PCC_ACCESS_RECORD_RETENTION_DAYS + 30)
    young = timezone.now() - datetime.timedelta(days=settings.PCC_ACCESS_RECORD_RETENTION_DAYS - 30)
    place_at({chain[0]: old, chain[1]: old, chain[2]: young})
    assert access_log_verify().intact

    assert access_records_purge() == 2

    assert sorted(AccessRecord.objects.values_list("sequence", flat=True)) == [3, 4, 5, 6, 7]
    entry = AccessRecord.objects.get(sequence=7)
    assert (entry.action, entry.purpose, entry.record_type, entry.record_id) == (
        AccessAction.REMOVE,
        AccessPurpose.RETENTION,
        RETENTION_RECORD_TYPE,
        "3",
    )
    report = access_log_verify()
    assert report.intact, report
    assert (report.first_sequence, report.checked) == (3, 5)


def test_purge_with_nothing_old_removes_nothing_and_writes_nothing(chain):
    assert access_records_purge() == 0
    assert AccessRecord.objects.count() == 6


def test_purge_of_every_record_leaves_a_log_that_starts_at_the_retention_entry(chain, settings):
    old = timezone.now() - datetime.timedelta(days=settings.PCC_ACCESS_RECORD_RETENTION_DAYS + 1)
    place_at(dict.fromkeys(chain, old))
    assert access_records_purge() == 6
    report = access_log_verify()
    assert report.intact, report
    assert (report.first_sequence, report.checked) == (7, 1)


def test_purge_removes_only_a_prefix_so_an_old_record_after_a_young_one_stays(chain, settings):
    """A clock stepped back can leave an old time after a young one; removing it would cut the chain."""
    old = timezone.now() - datetime.timedelta(days=settings.PCC_ACCESS_RECORD_RETENTION_DAYS + 30)
    place_at({chain[0]: old, chain[3]: old})
    assert access_records_purge() == 1
    assert AccessRecord.objects.filter(sequence=4).exists()
    assert access_log_verify().intact


def test_a_second_purge_chains_onto_the_first(chain, settings):
    days = settings.PCC_ACCESS_RECORD_RETENTION_DAYS
    place_at({chain[0]: timezone.now() - datetime.timedelta(days=days + 60)})
    assert access_records_purge() == 1
    place_at({AccessRecord.objects.get(sequence=2): timezone.now() - datetime.timedelta(days=days + 30)})
    assert access_records_purge() == 1
    report = access_log_verify()
    assert report.intact, report
    assert report.first_sequence == 3
    assert AccessRecord.objects.filter(action=AccessAction.REMOVE).count() == 2


# --- the command ---


def test_verify_command_reports_an_intact_log_and_exits_0(chain):
    status, out, err = _verify_command()
    assert status == 0
    assert out.strip() == "Access log intact: 6 records checked (from #1)"
    assert err == ""


def test_verify_command_on_an_empty_log_exits_0(db):
    status, out, _err = _verify_command()
    assert status == 0
    assert out.strip() == "Access log intact: 0 records checked (the log is empty)"


def test_verify_command_reports_the_first_broken_record_and_exits_1(chain):
    tamper(5, fields=["name", "address", "resident_number"])
    tamper(6, reason="also edited")
    status, out, err = _verify_command()
    assert status == 1
    assert err.strip() == "Access log BROKEN at record #5: content does not match its hash"
    assert "intact" not in out


def test_verify_command_exits_1_after_a_deletion(chain):
    remove(2)
    status, _out, err = _verify_command()
    assert status == 1
    assert err.strip() == "Access log BROKEN at record #3: records after 1 are missing"


# --- concurrent writers ---


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_produce_a_gap_free_chain_that_verifies(officer):
    holder_pk = code_issue(details=HolderDetailsFactory(), actor=ONLINE).holder_id
    writers, per_writer = 8, 10
    barrier = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write():
        try:
            holder = Holder.objects.get(pk=holder_pk)
            barrier.wait()
            _write(officer, holder=holder, n=per_writer)
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    sequences = list(AccessRecord.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, writers * per_writer + 1))
    report = access_log_verify()
    assert report.intact, report
    assert report.checked == writers * per_writer


def test_reseal_helper_makes_a_moved_record_verify(chain):
    """The test helper itself: without resealing, a moved record breaks the chain."""
    with trigger_disabled():
        AccessRecord.objects.filter(sequence=2).update(occurred_at=timezone.now() - datetime.timedelta(days=1))
    assert access_log_verify().broken_at == 2
    reseal()
    assert access_log_verify().intact
