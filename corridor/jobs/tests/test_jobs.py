"""Background jobs as the people around them meet them: the one who started an import watches
its progress, the administrator sees what failed and retries it, periodic work runs once per
interval, and work taken by a worker that died is taken again."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from corridor.audit.models import AuditEvent
from corridor.jobs import runner, services
from corridor.jobs.models import Job, OnceMark, ScheduleEntry, WorkerProcess
from corridor.jobs.registry import PERIODIC, every
from corridor.jobs.tests.sample_jobs import count_to, fail_loudly
from corridor.jobs.worker import run_jobs


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


@pytest.fixture
def only_test_schedule(monkeypatch):
    """The schedule holds only what the test puts in it."""
    schedule = {}
    monkeypatch.setattr("corridor.jobs.registry.PERIODIC", schedule)
    monkeypatch.setattr("corridor.jobs.services.PERIODIC", schedule)
    return schedule


def test_a_job_started_by_a_user_runs_and_records_its_outcome(world, only_test_schedule):
    job = services.start_job(count_to, actor=world.users.responder, subject="register.csv", n=3)
    assert job.status == Job.Status.QUEUED and job.task_result_id
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.attempts == 1
    assert services.outcome_of(job) == {"counted": 3}
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert job.finished_at is not None
    result = DBTaskResult.objects.get(pk=job.task_result_id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value is None  # the outcome stays on the (encrypted) job


def test_a_failed_job_keeps_its_error_encrypted_and_out_of_the_queue(world, only_test_schedule):
    job = services.start_job(fail_loudly, actor=world.users.responder, name="Amina Diallo")
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "could not find Amina Diallo" in job.error
    result = DBTaskResult.objects.get(pk=job.task_result_id)
    assert result.status == TaskResultStatus.FAILED
    assert "Amina" not in result.traceback
    with connection.cursor() as cursor:
        cursor.execute("SELECT error FROM jobs_job")
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert stored and "Amina" not in stored


def test_the_same_work_asked_twice_while_queued_is_one_job(world, only_test_schedule):
    first = services.start_job(count_to, n=1, dedup_key="count")
    second = services.start_job(count_to, n=1, dedup_key="count")
    assert first.pk == second.pk
    run_jobs()
    third = services.start_job(count_to, n=1, dedup_key="count")
    assert third.pk != first.pk  # the first one finished: this is new work


def test_an_administrator_retries_a_failed_job_and_the_retry_is_audited(
    client, world, only_test_schedule
):
    job = services.start_job(fail_loudly, actor=world.users.responder, name="x")
    run_jobs()
    client.force_login(world.users.admin)
    listing = client.get("/jobs/?status=failed")
    assert listing.status_code == 200
    assert f"/jobs/{job.pk}/" in listing.content.decode()
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-retry"' in page
    assert "could not find x" not in page  # the administrator sees the kind of error only
    response = client.post(f"/jobs/{job.pk}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert AuditEvent.objects.filter(object_type="job", object_ref=str(job.pk)).exists()
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.attempts == 2


@pytest.mark.parametrize("who", ["responder", "coordinator", "analyst"])
def test_nobody_else_retries_and_other_peoples_jobs_are_not_found(client, world, who):
    job = services.start_job(fail_loudly, actor=world.users.colleague, name="x")
    run_jobs()
    client.force_login(getattr(world.users, who))
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/progress/").status_code == 404
    assert client.post(f"/jobs/{job.pk}/retry/").status_code == 404
    assert str(job.pk) not in client.get("/jobs/").content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_the_starter_watches_progress_and_is_sent_on_when_it_is_done(client, world):
    job = services.start_job(count_to, actor=world.users.responder, n=2)
    client.force_login(world.users.responder)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and "Waiting for a worker" in page
    run_jobs()
    fragment = client.get(f"/jobs/{job.pk}/progress/")
    assert 'data-status="succeeded"' in fragment.content.decode()
    assert "hx-trigger" not in fragment.content.decode()  # it stops polling


def test_running_progress_is_read_live_from_the_shared_cache(world):
    job = services.start_job(count_to, actor=world.users.responder, n=10)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    job.refresh_from_db()
    runner.JobRun(job).progress(4, 10, force=True)
    assert runner.progress_of(job) == (4, 10)


def test_periodic_work_is_queued_once_per_interval_however_many_workers_look(
    world, only_test_schedule
):
    every(timedelta(minutes=5), count_to, name="count-every-5")
    now = timezone.now()
    assert services.enqueue_due(now=now) == 1
    assert services.enqueue_due(now=now) == 0  # a second worker looking at the same moment
    assert services.enqueue_due(now=now + timedelta(minutes=4)) == 0
    assert Job.objects.filter(task_name=count_to.module_path).count() == 1
    entry = ScheduleEntry.objects.get(name="count-every-5")
    assert entry.next_run_at == now + timedelta(minutes=5)
    assert services.enqueue_due(now=now + timedelta(minutes=5)) == 1


def test_every_periodic_job_of_the_product_is_registered():
    names = {name.rsplit(".", 1)[-1] for name in PERIODIC}
    assert {
        "deliver_outbox",
        "referrals_overdue",
        "remind_reflection_periods",
        "prune_jobs",
    } <= names


def _last_pid() -> int:
    """The pid of a process that has just ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    process.wait()
    return process.pid


def _abandon(job: Job, worker: WorkerProcess) -> None:
    """What a worker killed mid-job leaves behind: the job claimed and running."""
    result = DBTaskResult.objects.get(pk=job.task_result_id)
    result.claim(worker.worker_id)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, attempts=1, worker_id=worker.worker_id
    )


def test_a_job_whose_worker_was_killed_is_taken_again_and_finishes_once(world):
    job = services.start_job(count_to, n=2, key="imported-once")
    dead = WorkerProcess.objects.create(
        worker_id="killed", hostname=services.socket.gethostname(), pid=_last_pid()
    )
    _abandon(job, dead)
    run_jobs()  # the next worker to look takes it again
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2
    assert OnceMark.objects.filter(key="imported-once").count() == 1
    assert not WorkerProcess.objects.filter(worker_id="killed").exists()


def test_a_live_workers_job_is_left_alone(world):
    job = services.start_job(count_to, n=1)
    alive = services.register_worker("alive")  # this very process
    _abandon(job, alive)
    assert services.recover_abandoned() == 0
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING


def test_a_worker_on_another_machine_is_dead_once_its_heartbeat_stops(world):
    job = services.start_job(count_to, n=1)
    elsewhere = WorkerProcess.objects.create(
        worker_id="elsewhere", hostname="another-host", pid=1, last_seen_at=timezone.now()
    )
    _abandon(job, elsewhere)
    assert services.recover_abandoned() == 0
    WorkerProcess.objects.filter(pk="elsewhere").update(
        last_seen_at=timezone.now() - timedelta(seconds=31)
    )
    assert services.recover_abandoned() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED


def test_a_job_that_keeps_killing_its_worker_is_given_up(world):
    job = services.start_job(count_to, n=1)
    dead = WorkerProcess.objects.create(
        worker_id="oom", hostname=services.socket.gethostname(), pid=_last_pid()
    )
    _abandon(job, dead)
    Job.objects.filter(pk=job.pk).update(attempts=services.MAX_ATTEMPTS)
    assert services.recover_abandoned() == 0
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "stopped while running it 3 times" in job.error


def test_periodic_work_that_tells_people_tells_them_once(db):
    assert services.first_time("reflection-ending:1:2026-05-01") is True
    assert services.first_time("reflection-ending:1:2026-05-01") is False
    assert services.first_time("reflection-ending:1:2026-05-15") is True  # extended: new date
