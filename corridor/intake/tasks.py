"""Large registers are imported by a background job, with a progress bar on the page."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.intake import services
from corridor.intake.models import ImportBatch, StagedUpload
from corridor.jobs.models import Job
from corridor.jobs.registry import background_job, every
from corridor.jobs.runner import JobRun
from corridor.jobs.services import start_job


@background_job(title=gettext_lazy("Register import"))
def import_register_file(
    run: JobRun, *, staged: str, sha256: str, mapping: dict, open_cases: bool, dry_run: bool
) -> dict:
    """Import (or check) a staged register. Run again after a crash (a killed worker, a
    retry) it goes on after the last row written: each step of the import commits its rows
    with the mark of the last one, and a file already imported is recognised by its SHA-256."""
    actor = run.job.started_by
    if actor is None:
        raise ValidationError(_("The person who started this import no longer has an account."))
    upload = StagedUpload.objects.filter(token=staged, uploaded_by=actor).first()
    if upload is None:
        done = ImportBatch.objects.filter(
            agency_id=actor.agency_id, sha256=sha256, status=ImportBatch.Status.IMPORTED
        ).first()
        if done is not None:
            return {"batch": done.pk, "url": reverse("intake:batch", args=[done.pk])}
        raise ValidationError(_("The uploaded file is no longer kept (24 hours); upload it again."))
    back = f"{reverse('intake:register_map', args=[upload.token])}?job={run.job.pk}"
    try:
        result = services.import_register(
            actor=actor,
            content=upload.content,
            file_name=upload.file_name,
            mapping=mapping,
            open_cases=open_cases,
            dry_run=dry_run,
            progress=lambda done, total: run.progress(done, total),
            job=None if dry_run else run.job,
        )
    except services.AlreadyImported as exc:
        if exc.batch.status == ImportBatch.Status.IMPORTED:
            upload.delete()
        return {"batch": exc.batch.pk, "url": reverse("intake:batch", args=[exc.batch.pk])}
    except services.ImportRejected as exc:
        return {"errors": [error.as_dict() for error in exc.errors], "url": back}
    if dry_run:
        checked = {"rows": result.rows, "persons": result.persons, "cases": result.cases}
        return {"checked": checked, "url": back}
    upload.delete()
    return {
        "batch": result.batch.pk,
        "persons": result.persons,
        "cases": result.cases,
        "url": reverse("intake:batch", args=[result.batch.pk]),
    }


def start_register_import(
    upload: StagedUpload, *, actor, mapping: dict, open_cases: bool, dry_run: bool
) -> Job:
    """Queue the import (or the check) of a staged register, for the page or the API."""
    return start_job(
        import_register_file,
        actor=actor,
        subject=upload.file_name,
        staged=str(upload.token),
        sha256=upload.sha256,
        mapping=mapping,
        open_cases=open_cases,
        dry_run=dry_run,
    )


@background_job(title=gettext_lazy("Undo interrupted imports"))
def undo_interrupted_imports(run: JobRun) -> dict:
    """Remove what interrupted register imports wrote when nobody will finish them."""
    return {"undone": services.undo_abandoned_imports()}


every(timedelta(minutes=5), undo_interrupted_imports)
