"""Database guards for append-only logs that a retention job may trim (DOMAIN.md §9).

A row can never be updated; it can be deleted only once it is older than the log's retention period,
so the retention job works and nothing else can remove a record. Used by the migrations of
`staff_staffrolechange` (3 years) and `audit_accessrecord` (2 years). The issuance event log, kept for
good, has the stricter guard of issuance/0002.

TRUNCATE is left to privileges, as for the event log (docs/architecture.md).
"""

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION pcc_append_only_with_retention() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.occurred_at < now() - TG_ARGV[0]::interval THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'pcc: % on % is not allowed (append-only, kept %)', TG_OP, TG_TABLE_NAME, TG_ARGV[0]
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


def forward(schema_editor, *, table: str, years: int) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION pcc_append_only_with_retention('{years} years');",
            params=None,
        )
    elif vendor == "sqlite":
        # Django keeps SQLite datetimes as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]', which sorts as time.
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'pcc: UPDATE on {table} is not allowed'); END;"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_recent_delete BEFORE DELETE ON {table} "
            f"WHEN OLD.occurred_at >= datetime('now', '-{years} years') "
            f"BEGIN SELECT RAISE(ABORT, 'pcc: DELETE on {table} is not allowed'); END;"
        )


def backward(schema_editor, *, table: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};", params=None)
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_recent_delete;")
