"""Starting, running, recovering and retrying background jobs.

Guarantees, with the database backend (the default):
- **Nothing queued for a rolled-back change**: a job started inside a transaction is queued
  with it (the queue is a table of the same database). With a broker (RQ) it is queued once
  the transaction commits.
- **Survives a killed worker**: a job taken by a worker whose process is gone is taken
  again by the next worker that looks (every few seconds), up to `MAX_ATTEMPTS` times; jobs
  are written to be idempotent (an import goes on after the last row it committed, a
  delivery is acknowledged per message), so a job run again after a kill finishes exactly once.
- **Periodic work without cron**: the workers share one schedule (`ScheduleEntry`), so each
  periodic job is queued once per interval however many workers run.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from corridor.audit.services import Action, record_event
from corridor.jobs.models import Job, OnceMark, ScheduleEntry, WorkerProcess
from corridor.jobs.registry import JOB_TYPES, PERIODIC, job_type

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
Status = Job.Status


# --- starting ------------------------------------------------------------------------------


def start_job(
    task,
    *,
    actor=None,
    subject: str = "",
    dedup_key: str = "",
    run_after: datetime | None = None,
    **arguments: Any,
) -> Job:
    """Queue `task` (a `@background_job`) with keyword `arguments` (JSON values only).

    With `dedup_key`, asking again while an earlier one is still queued returns that one.
    """
    if task.module_path not in JOB_TYPES:
        raise ValueError(f"{task.module_path} is not a background job")
    with transaction.atomic():
        if dedup_key:
            queued = Job.objects.filter(dedup_key=dedup_key, status=Status.QUEUED).first()
            if queued is not None:
                return queued
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    task_name=task.module_path,
                    subject=subject[:255],
                    dedup_key=dedup_key[:200],
                    arguments=arguments,
                    started_by=actor if getattr(actor, "pk", None) else None,
                    run_after=run_after,
                    backend=task.backend,
                )
        except IntegrityError:  # the same work queued by someone else a moment ago
            return Job.objects.get(dedup_key=dedup_key, status=Status.QUEUED)
        _enqueue(job, task)
    return job


def _enqueue(job: Job, task) -> None:
    def enqueue() -> None:
        queued = task.using(run_after=job.run_after) if job.run_after else task
        result = queued.enqueue(job_id=str(job.pk), **job.arguments)
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))
        job.task_result_id = str(result.id)

    if isinstance(task.get_backend(), DatabaseBackend):
        enqueue()  # the same database: queued if and only if the caller's change commits
    else:
        transaction.on_commit(enqueue)


def outcome_of(job: Job) -> dict:
    try:
        value = json.loads(job.outcome) if job.outcome else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {"value": value}


def title_of(job: Job) -> str:
    kind = job_type(job.task_name)
    return str(kind.title) if kind else job.task_name.rsplit(".", 1)[-1]


# --- retrying ------------------------------------------------------------------------------


def retry_job(job: Job, *, actor, request=None) -> Job:
    """Queue a failed job again, with the same arguments (administrators only)."""
    from corridor.accounts import access

    if not access.can_administer(actor):
        raise PermissionDenied(_("Only administrators retry jobs."))
    kind = job_type(job.task_name)
    if kind is None:
        raise ValidationError(_("This kind of job no longer exists; it cannot be retried."))
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, status=Status.FAILED).update(
            status=Status.QUEUED, dedup_key="", finished_at=None, run_after=None
        )
        if not updated:
            raise ValidationError(_("Only a failed job can be retried."))
        job.refresh_from_db()
        _enqueue(job, kind.task)
        record_event(
            Action.ADMIN,
            actor=actor,
            object_type="job",
            object_ref=str(job.pk),
            request=request,
            details={"retried": job.task_name, "attempts": job.attempts},
        )
    return job


# --- workers: liveness and recovery --------------------------------------------------------


def process_identity(pid: int) -> str | None:
    """Boot id and start time of process `pid`, or None when no such process is running.

    A pid alone is not enough: after a restart the same number names another process.
    """
    stat = Path(f"/proc/{pid}/stat")
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        if fields[0] == "Z":  # a zombie is dead, whatever its parent has not collected
            return None
        return f"{boot}:{fields[19]}"
    except FileNotFoundError:
        return None
    except (OSError, IndexError):  # not Linux: the pid is all there is
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return ""
        return ""


def register_worker(worker_id: str) -> WorkerProcess:
    pid = os.getpid()
    worker, _ = WorkerProcess.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": pid,
            "identity": process_identity(pid) or "",
            "started_at": timezone.now(),
            "last_seen_at": timezone.now(),
        },
    )
    return worker


def heartbeat(worker_id: str) -> None:
    WorkerProcess.objects.filter(worker_id=worker_id).update(last_seen_at=timezone.now())


def unregister_worker(worker_id: str) -> None:
    WorkerProcess.objects.filter(worker_id=worker_id).delete()


def worker_timeout() -> timedelta:
    return timedelta(seconds=getattr(settings, "CORRIDOR_WORKER_TIMEOUT_SECONDS", 30))


def worker_alive(worker: WorkerProcess, *, now: datetime | None = None) -> bool:
    """On this host the process itself answers; elsewhere, its recent heartbeat."""
    if worker.hostname == socket.gethostname()[:255]:
        identity = process_identity(worker.pid)
        return identity is not None and (not worker.identity or identity == worker.identity)
    return worker.last_seen_at >= (now or timezone.now()) - worker_timeout()


def recover_abandoned(*, log: Callable[[str], None] | None = None) -> int:
    """Queue again the jobs whose worker died while running them; returns how many."""
    now = timezone.now()
    live = set()
    for worker in WorkerProcess.objects.all():
        if worker_alive(worker, now=now):
            live.add(worker.worker_id)
        else:
            worker.delete()
    recovered = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    for result in running:
        owner = result.worker_ids[-1] if result.worker_ids else ""
        if owner in live:
            continue
        recovered += _requeue(result, owner, log)
    return recovered


def _requeue(result: DBTaskResult, owner: str, log) -> int:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(task_result_id=str(result.id)).first()
        if job is not None and job.attempts >= MAX_ATTEMPTS:
            error = _("Its worker stopped while running it {count} times; not tried again.").format(
                count=job.attempts
            )
            DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=timezone.now()
            )
            Job.objects.filter(pk=job.pk).update(
                status=Status.FAILED, finished_at=timezone.now(), error=error
            )
            if log:
                log(f"job {job.pk} ({job.task_name}) failed: {error}")
            return 0
        updated = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None
        )
        if not updated:
            return 0
        if job is not None:
            # Another copy of the same periodic work may be queued already: both may run.
            Job.objects.filter(pk=job.pk).update(status=Status.QUEUED, dedup_key="")
    if log:
        log(f"job {job.pk if job else result.id} taken again: its worker {owner or '?'} stopped")
    return 1


# --- periodic work -------------------------------------------------------------------------


def enqueue_due(*, now: datetime | None = None, log: Callable[[str], None] | None = None) -> int:
    """Queue each periodic job that is due; whichever worker looks first queues it, once."""
    now = now or timezone.now()
    queued = 0
    for periodic in list(PERIODIC.values()):
        with transaction.atomic():
            entry, _ = ScheduleEntry.objects.select_for_update().get_or_create(
                name=periodic.name, defaults={"next_run_at": now}
            )
            if entry.next_run_at > now:
                continue
            start_job(periodic.task, dedup_key=f"periodic:{periodic.name}")
            entry.last_enqueued_at = now
            entry.next_run_at = now + periodic.interval
            entry.save(update_fields=["last_enqueued_at", "next_run_at"])
            queued += 1
        if log:
            log(f"queued periodic job {periodic.name}")
    return queued


def first_time(key: str) -> bool:
    """True the first time `key` is seen (inside the caller's transaction), then never again:
    periodic work that tells people something tells them once."""
    try:
        with transaction.atomic():
            OnceMark.objects.create(key=key[:200])
    except IntegrityError:
        return False
    return True


def prune_finished(*, older_than: timedelta) -> int:
    """Forget finished jobs (and their queue rows) older than `older_than`."""
    cutoff = timezone.now() - older_than
    old = Job.objects.filter(status__in=[Status.SUCCEEDED, Status.FAILED], finished_at__lt=cutoff)
    result_ids = [r for r in old.values_list("task_result_id", flat=True) if r]
    deleted, _ = old.delete()
    DBTaskResult.objects.filter(
        pk__in=result_ids,
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
    ).delete()
    return deleted
