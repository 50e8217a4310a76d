"""Consent moves to the consent app: its fields leave the cases app's state; the table stays."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_case_history_reflection_principles_needs_reviews'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='consent',
                    name='case',
                ),
                migrations.RemoveField(
                    model_name='consent',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='consent',
                    name='recipient_agencies',
                ),
                migrations.RemoveField(
                    model_name='consent',
                    name='recorded_by',
                ),
                migrations.RemoveField(
                    model_name='consent',
                    name='revoked_by',
                ),
            ],
            database_operations=[],
        )
    ]
