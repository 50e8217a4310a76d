"""Jobs the tests start: one that counts, one that fails quoting a name."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from corridor.jobs.models import OnceMark
from corridor.jobs.registry import background_job


@background_job(title=_("Count for the tests"))
def count_to(run, *, n: int, key: str = "") -> dict:
    with transaction.atomic():
        for i in range(1, n + 1):
            run.progress(i, n, force=True)
        if key:
            OnceMark.objects.create(key=key)
    return {"counted": n}


@background_job(title=_("Fail for the tests"))
def fail_loudly(run, *, name: str) -> None:
    raise RuntimeError(f"could not find {name}")
