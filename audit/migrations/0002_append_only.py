"""Access records are append-only and kept at least 2 years (pcc_portal/append_only.py)."""

from django.db import migrations

from pcc_portal import append_only

TABLE = "audit_accessrecord"


def forward(apps, schema_editor):
    append_only.forward(schema_editor, table=TABLE, years=2)


def backward(apps, schema_editor):
    append_only.backward(schema_editor, table=TABLE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
