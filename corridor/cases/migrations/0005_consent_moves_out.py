"""Consent now lives in the consent app, on the same table: state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_consent_moves_out_fields'),
        ('crossborder', '0002_consent_from_consent_app'),
        ('referrals', '0003_consent_from_consent_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='Consent',
                ),
            ],
            database_operations=[],
        )
    ]
