"""The call log is append-only (DOMAIN.md §9): a row can be sealed once (sealed false → true, nothing
else changed) and deleted only after 2 years, like the access records it feeds."""

from django.db import migrations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION pcc_code_check_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NOT OLD.sealed AND NEW.sealed
       AND (to_jsonb(NEW) - 'sealed') = (to_jsonb(OLD) - 'sealed') THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' AND OLD.occurred_at < now() - interval '2 years' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'pcc: % on % is not allowed (append-only call log)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER clearance_codecheck_append_only BEFORE UPDATE OR DELETE ON clearance_codecheck
    FOR EACH ROW EXECUTE FUNCTION pcc_code_check_guard();
"""

SQLITE_TRIGGERS = [
    """CREATE TRIGGER clearance_codecheck_no_update BEFORE UPDATE ON clearance_codecheck
    WHEN NOT (OLD.sealed = 0 AND NEW.sealed = 1 AND NEW.id = OLD.id AND NEW.client_id = OLD.client_id
              AND NEW.occurred_at = OLD.occurred_at AND NEW.result = OLD.result AND NEW.reasons = OLD.reasons
              AND NEW.code_id IS OLD.code_id AND NEW.holder_id IS OLD.holder_id AND NEW.fields = OLD.fields
              AND NEW.channel = OLD.channel AND NEW.ip_address IS OLD.ip_address)
    BEGIN SELECT RAISE(ABORT, 'pcc: UPDATE on clearance_codecheck is not allowed'); END;""",
    """CREATE TRIGGER clearance_codecheck_no_recent_delete BEFORE DELETE ON clearance_codecheck
    WHEN OLD.occurred_at >= datetime('now', '-2 years')
    BEGIN SELECT RAISE(ABORT, 'pcc: DELETE on clearance_codecheck is not allowed'); END;""",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS clearance_codecheck_append_only ON clearance_codecheck;", params=None)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS clearance_codecheck_no_update;")
        schema_editor.execute("DROP TRIGGER IF EXISTS clearance_codecheck_no_recent_delete;")


class Migration(migrations.Migration):
    dependencies = [("clearance", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
