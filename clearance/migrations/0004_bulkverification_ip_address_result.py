# Joins the two 0003 migrations (written at the same time); a job keeps the upload's address and,
# once checked, its sealed result file.

import personal_data.fields
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clearance', '0003_alter_apiclient_scopes'),
        ('clearance', '0003_bulk_verifications'),
    ]

    operations = [
        migrations.AddField(
            model_name='bulkverification',
            name='ip_address',
            field=models.GenericIPAddressField(blank=True, help_text="the upload's, for the call log", null=True),
        ),
        migrations.AddField(
            model_name='bulkverification',
            name='result',
            field=personal_data.fields.EncryptedTextField(blank=True, help_text='the result file (base64), made once the last chunk is checked', null=True),
        ),
    ]
