"""Consent arrives from the cases app on its existing tables (cases_consent and its agencies): state only, no row moves."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0004_role_requests'),
        ('cases', '0004_consent_moves_out_fields'),
        ('people', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Consent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('purposes', models.JSONField(default=list, verbose_name='purposes')),
                        ('data_categories', models.JSONField(default=list, verbose_name='data that may be shared')),
                        ('recipient_sectors', models.JSONField(blank=True, default=list, verbose_name='any agency of these sectors')),
                        ('recipient_countries', models.JSONField(blank=True, default=list, verbose_name='partner countries')),
                        ('method', models.CharField(choices=[('written', 'Written and signed'), ('verbal', 'Verbal, witnessed'), ('guardian', 'Given by a guardian')], max_length=20, verbose_name='how consent was given')),
                        ('interpreter_language', models.CharField(blank=True, max_length=10, verbose_name='explained in language')),
                        ('given_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='given')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                        ('revocation_reason', models.TextField(blank=True, verbose_name='reason for revocation')),
                        ('case', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='consents', to='cases.protectioncase', verbose_name='case')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='consents', to='people.person', verbose_name='person')),
                        ('recipient_agencies', models.ManyToManyField(blank=True, db_table='cases_consent_recipient_agencies', related_name='+', to='accounts.agency', verbose_name='agencies')),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'consent',
                        'verbose_name_plural': 'consents',
                        'db_table': 'cases_consent',
                        'ordering': ['-given_at'],
                    },
                ),
            ],
            database_operations=[],
        )
    ]
