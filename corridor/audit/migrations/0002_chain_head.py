from django.db import migrations

GENESIS_HASH = "0" * 64


def create_head(apps, schema_editor):
    apps.get_model("audit", "AuditChainHead").objects.get_or_create(
        pk=1, defaults={"last_hash": GENESIS_HASH, "count": 0}
    )


class Migration(migrations.Migration):
    """The chain head exists before the first event, so concurrent first writers queue on it."""

    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
