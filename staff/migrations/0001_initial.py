import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("issuance", "0004_remove_staffprofile"),
    ]

    operations = [
        migrations.CreateModel(
            name="StaffProfile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("counter_officer", "Counter officer"),
                            ("supervisor", "Supervisor"),
                            ("administrator", "Administrator"),
                            ("auditor", "Auditor"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "office",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="staff",
                        to="issuance.customsoffice",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="staff_profile",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("office__isnull", False), ("role__in", ["counter_officer", "supervisor"])),
                            models.Q(
                                models.Q(("role__in", ["counter_officer", "supervisor"]), _negated=True),
                                ("office__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="staff_office_iff_office_role",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="StaffRoleChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("occurred_at", models.DateTimeField(db_index=True)),
                ("staff_username", models.CharField(max_length=150)),
                (
                    "changed_by_username",
                    models.CharField(help_text="'system' for seed data and commands", max_length=150),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[("granted", "granted"), ("changed", "changed"), ("removed", "removed")],
                        max_length=10,
                    ),
                ),
                (
                    "previous_role",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("counter_officer", "Counter officer"),
                            ("supervisor", "Supervisor"),
                            ("administrator", "Administrator"),
                            ("auditor", "Auditor"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("counter_officer", "Counter officer"),
                            ("supervisor", "Supervisor"),
                            ("administrator", "Administrator"),
                            ("auditor", "Auditor"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "changed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="role_changes_made",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "office",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="issuance.customsoffice",
                    ),
                ),
                (
                    "previous_office",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="issuance.customsoffice",
                    ),
                ),
                (
                    "staff_user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="role_changes",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["occurred_at", "id"]},
        ),
    ]
