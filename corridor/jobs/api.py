"""API: how a background job started through the API (a large register import) is going."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema

from corridor.accounts import access
from corridor.api import ErrorOut
from corridor.jobs import runner, services

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: UUID
    job: str = Field(description="What the job does.")
    status: str = Field(description="queued, running, succeeded or failed.")
    done: int = Field(description="Items done so far (rows of a register, for instance).")
    total: int = Field(description="Items in all; 0 while not known.")
    attempts: int
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    outcome: dict = Field(description="What it made (for the one who started it).")
    error: str = Field(description="Why it failed (for the one who started it).")


@router.get(
    "/jobs/{job_id}",
    response={200: JobOut, 401: ErrorOut, 404: ErrorOut},
    summary="A background job you started (administrators: any job)",
)
def job_detail(request: HttpRequest, job_id: UUID):
    job = access.get_job_for_user(request.user, job_id)
    done, total = runner.progress_of(job)
    own = job.started_by_id == request.user.pk
    return {
        "id": job.pk,
        "job": services.title_of(job),
        "status": job.status,
        "done": done,
        "total": total,
        "attempts": job.attempts,
        "queued_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "outcome": services.outcome_of(job) if own else {},
        "error": job.error if own else "",
    }
