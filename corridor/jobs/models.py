"""Background work that survives a restart.

The queue itself is Django's task framework (`django_tasks`, DEP 14) with its database
backend by default and RQ on Redis as the scale option. These models add what people need
around it, whatever the backend:

- `Job`: one piece of work someone (or the schedule) asked for — what it is, who asked, its
  progress, its outcome — shown on the page that started it and to administrators, who may
  retry a failed one.
- `WorkerProcess`: a live `corridor worker`, so work taken by a worker that died is taken
  again instead of waiting forever.
- `ScheduleEntry`: when each periodic job is next due; the workers share it, so periodic work
  runs once however many workers there are, with no cron.
- `OnceMark`: a key written once, so periodic work that tells people something (a reminder, an
  overdue notice) tells them once even when it runs again.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto import EncryptedTextField


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    UNFINISHED = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_name = models.CharField(_("job"), max_length=200, db_index=True)
    subject = models.CharField(_("about"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    # The same work asked for twice while the first is still waiting is one job.
    dedup_key = models.CharField(max_length=200, blank=True)
    arguments = models.JSONField(default=dict, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True, db_index=True)
    backend = models.CharField(max_length=32, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    worker_id = models.CharField(_("worker"), max_length=64, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # Outcome and error may quote what was imported: encrypted like the records themselves.
    outcome = EncryptedTextField(blank=True, default="")
    error = EncryptedTextField(blank=True, default="")
    created_at = models.DateTimeField(_("queued"), default=timezone.now, db_index=True)
    run_after = models.DateTimeField(_("not before"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key"],
                condition=models.Q(status="queued") & ~models.Q(dedup_key=""),
                name="jobs_one_queued_per_dedup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_name} {self.id}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, int(100 * self.progress_done / self.progress_total))


class WorkerProcess(models.Model):
    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    # Boot id and process start time: a pid reused after a restart is not the same worker.
    identity = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class ScheduleEntry(models.Model):
    name = models.CharField(max_length=200, primary_key=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OnceMark(models.Model):
    key = models.CharField(max_length=200, primary_key=True)
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key
