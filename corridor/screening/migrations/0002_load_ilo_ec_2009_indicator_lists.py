"""Load the four ILO/EC 2009 indicator lists shipped in corridor/screening/data/ as
published version 1 of each list. Reversible: removing them is allowed only while no
screening uses them."""

from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    from corridor.screening import loader

    catalogue_model = apps.get_model("screening", "IndicatorCatalogue")
    dimension_model = apps.get_model("screening", "Dimension")
    indicator_model = apps.get_model("screening", "Indicator")
    now = timezone.now()
    for data in loader.shipped_documents():
        if catalogue_model.objects.filter(code=data["code"], version=data["version"]).exists():
            continue
        offered = catalogue_model.objects.filter(
            list_kind=data["list_kind"], published=True, retired_at__isnull=True
        ).exists()
        catalogue = loader.create_catalogue(
            data,
            catalogue_model=catalogue_model,
            dimension_model=dimension_model,
            indicator_model=indicator_model,
            now=now,
        )
        if not offered:
            catalogue_model.objects.filter(pk=catalogue.pk).update(
                published=True, published_at=now
            )


def unload(apps, schema_editor):
    from corridor.screening import loader

    catalogue_model = apps.get_model("screening", "IndicatorCatalogue")
    screening_model = apps.get_model("screening", "Screening")
    codes = [(d["code"], d["version"]) for d in loader.shipped_documents()]
    for code, version in codes:
        catalogue = catalogue_model.objects.filter(code=code, version=version).first()
        if catalogue is None:
            continue
        if screening_model.objects.filter(catalogue=catalogue).exists():
            raise RuntimeError(
                f"{code} v{version} was used by screenings and cannot be removed"
            )
        catalogue_model.objects.filter(based_on=catalogue).update(based_on=None)
        catalogue.indicators.all().delete()
        catalogue.dimensions.all().delete()
        catalogue.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0001_indicator_catalogues_screenings_age_assessments"),
    ]

    operations = [migrations.RunPython(load, unload)]
