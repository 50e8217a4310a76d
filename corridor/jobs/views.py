"""Pages of the background jobs: the progress of one, and the administrators' list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.accounts import access
from corridor.jobs import runner, services
from corridor.jobs.models import Job

PAGE_SIZE = 50


def _view_of(request, job: Job) -> dict:
    done, total = runner.progress_of(job)
    outcome = services.outcome_of(job) if job.started_by_id == request.user.pk else {}
    url = outcome.get("url", "")
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        url = ""
    return {
        "job": job,
        "title": services.title_of(job),
        "done": done,
        "total": total,
        "percent": min(100, int(100 * done / total)) if total else None,
        "next_url": url if job.status == Job.Status.SUCCEEDED else "",
        # The starter reads the error; administrators only what kind of error it was.
        "error": job.error if job.started_by_id == request.user.pk else _error_kind(job.error),
        "can_retry": job.status == Job.Status.FAILED and access.can_administer(request.user),
    }


def _error_kind(error: str) -> str:
    last = (error or "").strip().splitlines()[-1:] or [""]
    return last[0].split(":", 1)[0][:200]


@login_required
def job_list(request):
    jobs = access.jobs_visible_to(request.user).select_related("started_by")
    status = request.GET.get("status", "")
    if status in Job.Status.values:
        jobs = jobs.filter(status=status)
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"job": job, "title": services.title_of(job), "progress": runner.progress_of(job)}
        for job in page
    ]
    counts = {
        value: access.jobs_visible_to(request.user).filter(status=value).count()
        for value in Job.Status.values
    }
    return render(
        request,
        "jobs/list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": [(v, label, counts[v]) for v, label in Job.Status.choices],
        },
    )


@login_required
def job_detail(request, pk):
    job = access.get_job_for_user(request.user, pk)
    return render(request, "jobs/detail.html", _view_of(request, job))


@login_required
def job_progress(request, pk):
    """The progress panel, polled by the page every second until the job is finished;
    then the page moves on to what the job made (the imported batch, for instance)."""
    job = access.get_job_for_user(request.user, pk)
    context = _view_of(request, job)
    response = HttpResponse(render_to_string("jobs/_progress.html", context, request=request))
    if context["next_url"]:
        response["HX-Redirect"] = context["next_url"]
    return response


@login_required
@require_POST
def job_retry(request, pk):
    job = access.get_job_for_user(request.user, pk)
    try:
        services.retry_job(job, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The job was queued again."))
    return redirect("jobs:detail", job.pk)
