"""Running one job for the queue backend: its progress, outcome and error on the `Job`."""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone, translation
from django_tasks import TaskContext

from corridor.jobs.models import Job

logger = logging.getLogger("corridor.jobs")

PROGRESS_EVERY_SECONDS = 0.5
Status = Job.Status


class JobFailed(Exception):
    """Raised to the queue backend in place of the job's own error, which may quote personal
    data: the backend stores tracebacks in clear, the `Job` keeps the real error encrypted."""


# --- running -------------------------------------------------------------------------------


class JobRun:
    """What a running job sees of itself: its row, and a way to report progress."""

    def __init__(self, job: Job):
        self.job = job
        self._last_report = 0.0

    def progress(self, done: int, total: int, *, force: bool = False) -> None:
        """Report `done` of `total`; cheap enough to call on every row (written twice a
        second at most, outside the job's own transaction)."""
        now = time.monotonic()
        if not force and now - self._last_report < PROGRESS_EVERY_SECONDS and done < total:
            return
        self._last_report = now
        _progress_cache().set(
            _progress_key(self.job.pk), {"done": done, "total": total}, timeout=24 * 3600
        )


def _progress_cache():
    return caches["jobs"]


def _progress_key(job_id) -> str:
    return f"corridor-job-progress:{job_id}"


def progress_of(job: Job) -> tuple[int, int]:
    """(done, total) of a job: live while it runs, as recorded once it finished."""
    if job.status == Status.RUNNING:
        live = _progress_cache().get(_progress_key(job.pk))
        if live:
            return live["done"], live["total"]
    return job.progress_done, job.progress_total


def execute(job_id: str, function: Callable[..., Any], kwargs: dict, context: TaskContext) -> None:
    """Run one job for the queue backend, recording its progress and outcome on the `Job`."""
    job = Job.objects.select_related("started_by").filter(pk=job_id).first()
    if job is None:
        logger.warning("job %s no longer exists; nothing to run", job_id)
        return
    if job.status == Status.SUCCEEDED:
        return  # delivered twice by the backend: it ran once
    worker_ids = list(getattr(context.task_result, "worker_ids", None) or [])
    job.status, job.started_at = Status.RUNNING, timezone.now()
    job.worker_id = (worker_ids[-1] if worker_ids else "")[:64]
    Job.objects.filter(pk=job.pk).update(
        status=job.status,
        started_at=job.started_at,
        worker_id=job.worker_id,
        attempts=F("attempts") + 1,
        error="",
    )
    run = JobRun(job)
    language = getattr(job.started_by, "preferred_language", "") or settings.LANGUAGE_CODE
    logger.info("job %s (%s) started", job.pk, job.task_name)
    try:
        with translation.override(language):
            outcome = function(run, **kwargs)
    except Exception as exc:
        detail = _describe_error(exc)
        Job.objects.filter(pk=job.pk).update(
            status=Status.FAILED, finished_at=timezone.now(), error=detail
        )
        logger.warning("job %s (%s) failed: %s", job.pk, job.task_name, type(exc).__name__)
        raise JobFailed(f"job {job.pk} failed ({type(exc).__name__}); see the job") from None
    done, total = progress_of(job)
    Job.objects.filter(pk=job.pk).update(
        status=Status.SUCCEEDED,
        finished_at=timezone.now(),
        outcome=json.dumps(outcome, ensure_ascii=False, default=str) if outcome else "",
        progress_done=max(done, total),
        progress_total=total,
    )
    _progress_cache().delete(_progress_key(job.pk))
    logger.info("job %s (%s) finished", job.pk, job.task_name)


def _describe_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError | PermissionDenied):
        return "; ".join(getattr(exc, "messages", None) or [str(exc)])[:5000]
    return "".join(traceback.format_exception(exc))[-5000:]
