"""Staff profiles move to the `staff` app, which adds their role (issue 5)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("issuance", "0003_mobile_confirmation_declaration")]

    operations = [migrations.DeleteModel(name="StaffProfile")]
