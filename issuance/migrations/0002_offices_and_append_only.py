"""Reference data (the five main customs offices) and the database-level guards:

- `issuance_codeevent` is append-only: UPDATE and DELETE are refused by a trigger;
- `issuance_code` rows are never deleted (a number is never reused, DOMAIN.md §2).

TRUNCATE is left to privileges (the application's role is not the tables' owner in production, see
docs/architecture.md), because the test framework empties tables with TRUNCATE between tests.

Both PostgreSQL (production, tests) and SQLite (the embedded run) get the guard.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION pcc_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'pcc: % on % is not allowed (append-only / never deleted)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER codeevent_append_only BEFORE UPDATE OR DELETE ON issuance_codeevent
    FOR EACH ROW EXECUTE FUNCTION pcc_refuse_change();
CREATE TRIGGER code_never_deleted BEFORE DELETE ON issuance_code
    FOR EACH ROW EXECUTE FUNCTION pcc_refuse_change();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS codeevent_append_only ON issuance_codeevent;
DROP TRIGGER IF EXISTS code_never_deleted ON issuance_code;
DROP FUNCTION IF EXISTS pcc_refuse_change();
"""
SQLITE_FORWARD = [
    "CREATE TRIGGER codeevent_no_update BEFORE UPDATE ON issuance_codeevent "
    "BEGIN SELECT RAISE(ABORT, 'pcc: UPDATE on issuance_codeevent is not allowed'); END;",
    "CREATE TRIGGER codeevent_no_delete BEFORE DELETE ON issuance_codeevent "
    "BEGIN SELECT RAISE(ABORT, 'pcc: DELETE on issuance_codeevent is not allowed'); END;",
    "CREATE TRIGGER code_never_deleted BEFORE DELETE ON issuance_code "
    "BEGIN SELECT RAISE(ABORT, 'pcc: DELETE on issuance_code is not allowed'); END;",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS codeevent_no_update;",
    "DROP TRIGGER IF EXISTS codeevent_no_delete;",
    "DROP TRIGGER IF EXISTS code_never_deleted;",
]


def guards_forward(apps, schema_editor):
    _run(schema_editor, PG_FORWARD, SQLITE_FORWARD)


def guards_backward(apps, schema_editor):
    _run(schema_editor, PG_BACKWARD, SQLITE_BACKWARD)


def _run(schema_editor, pg_sql, sqlite_statements):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(pg_sql, params=None)
    elif vendor == "sqlite":
        for statement in sqlite_statements:
            schema_editor.execute(statement)


def offices_forward(apps, schema_editor):
    from issuance.offices import MAIN_CUSTOMS_OFFICES

    office_model = apps.get_model("issuance", "CustomsOffice")
    for office in MAIN_CUSTOMS_OFFICES:
        office_model.objects.update_or_create(code=office["code"], defaults=office)


class Migration(migrations.Migration):
    dependencies = [("issuance", "0001_initial")]

    operations = [
        migrations.RunPython(offices_forward, migrations.RunPython.noop),
        migrations.RunPython(guards_forward, guards_backward),
    ]
