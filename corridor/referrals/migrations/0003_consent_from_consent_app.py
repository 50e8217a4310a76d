"""The foreign key now names consent.Consent; same table, so state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('consent', '0001_initial'),
        ('referrals', '0002_service_directory_consent_and_deliveries'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='referral',
                    name='consent',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='referrals', to='consent.consent', verbose_name='consent relied on'),
                ),
            ],
            database_operations=[],
        )
    ]
