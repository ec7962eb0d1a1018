"""The role-change log is append-only and kept 3 years (pcc_portal/append_only.py)."""

from django.db import migrations

from pcc_portal import append_only

TABLE = "staff_staffrolechange"


def forward(apps, schema_editor):
    append_only.forward(schema_editor, table=TABLE, years=3)


def backward(apps, schema_editor):
    append_only.backward(schema_editor, table=TABLE)


class Migration(migrations.Migration):
    dependencies = [("staff", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
