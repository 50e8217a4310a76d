"""The scale option: jobs queued in Redis (RQ) instead of the database, run by RQ's worker,
with their progress and outcome on the same `Job` rows. Against the machine's real Redis;
skipped where none answers, unless CORRIDOR_REQUIRE_REDIS is set (CI), and when
CORRIDOR_TEST_REDIS_URL is "off": CI's run under libfaketime switches them off, because RQ forks
a work horse per job and a fork under libfaketime's shared clock can deadlock (the clock-free
behaviour is already proven in the PostgreSQL run)."""

import json
import os
import socket
from urllib.parse import urlsplit

import pytest

from corridor.crossborder.e2e import Node

REDIS_SERVER = os.environ.get("CORRIDOR_TEST_REDIS_URL", "redis://127.0.0.1:6379")
# One Redis database per test process: parallel test processes never run each other's jobs.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
REDIS_URL = f"{REDIS_SERVER.rstrip('/')}/{8 + int(_WORKER or 0) % 8}"

QUEUE_SCRIPT = """
import json, django
django.setup()
from datetime import timedelta
from django.utils import timezone
from corridor.cases.models import ProtectionCase
from corridor.jobs.services import start_job
from corridor.cases.tasks import remind_reflection_periods
case = ProtectionCase.objects.filter(reflection_ends_on__isnull=False).first()
if case is None:
    case = ProtectionCase.objects.first()
ProtectionCase.objects.filter(pk=case.pk).update(
    reflection_ends_on=timezone.localdate() + timedelta(days=1), status="presumed_victim")
job = start_job(remind_reflection_periods)
print(json.dumps({"job": str(job.pk), "case": case.reference, "status": job.status,
    "backend": job.backend}))
"""

STATUS_SCRIPT = """
import json, sys, django
django.setup()
from django.conf import settings
from corridor.jobs.models import Job
from corridor.jobs.services import outcome_of
job = Job.objects.get(pk=sys.argv[1])
print(json.dumps({"status": job.status, "outcome": outcome_of(job), "attempts": job.attempts,
    "backend": settings.TASKS["default"]["BACKEND"]}))
"""


PERIODIC_SCRIPT = """
import json, django
django.setup()
from corridor.jobs.models import Job
jobs = Job.objects.filter(dedup_key__startswith="periodic:")
print(json.dumps({"queued": jobs.filter(status="queued").count(),
    "succeeded": sorted(j.task_name.rsplit(".", 1)[-1] for j in jobs.filter(status="succeeded"))}))
"""


def _redis_answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_instance(tmp_path):
    if REDIS_SERVER == "off":
        pytest.skip("Redis tests switched off for this run (CORRIDOR_TEST_REDIS_URL=off)")
    if not _redis_answers(REDIS_URL):
        if os.environ.get("CORRIDOR_REQUIRE_REDIS"):
            pytest.fail(f"CORRIDOR_REQUIRE_REDIS is set but Redis at {REDIS_URL} does not answer")
        pytest.skip(f"no Redis answers at {REDIS_URL}")
    node = Node(
        "IT",
        tmp_path / "it",
        0,
        extra_env={"CORRIDOR_JOBS_BACKEND": "redis", "CORRIDOR_REDIS_URL": REDIS_URL},
    )
    node.directory.mkdir(parents=True)
    node.manage("demo", "--no-serve", "--victims", "20")
    node.python(
        "-c",
        "import django; django.setup(); import django_rq; django_rq.get_queue('default').empty()",
    )
    return node


def test_a_job_queued_in_redis_is_run_by_the_rq_worker(redis_instance):
    queued = json.loads(redis_instance.python("-c", QUEUE_SCRIPT))
    assert queued["status"] == "queued"
    before = json.loads(redis_instance.python("-c", STATUS_SCRIPT, queued["job"]))
    assert before["backend"] == "django_tasks_rq.RQBackend"
    assert before["status"] == "queued"

    rq_burst(redis_instance)

    after = json.loads(redis_instance.python("-c", STATUS_SCRIPT, queued["job"]))
    assert after["status"] == "succeeded", after
    assert after["attempts"] == 1
    assert queued["case"] in after["outcome"]["reminded"]


def rq_burst(node: Node) -> None:
    node.manage("rqworker", "default", "--burst", "--job-class", "django_tasks_rq.Job")


def test_periodic_work_is_queued_by_the_scheduler_and_run_by_rq(redis_instance):
    redis_instance.manage("worker", "--schedule-only", "--batch")
    rq_burst(redis_instance)
    statuses = json.loads(redis_instance.python("-c", PERIODIC_SCRIPT))
    assert statuses["queued"] == 0
    assert {"referrals_overdue", "deliver_outbox", "prune_jobs"} <= set(statuses["succeeded"])


def test_the_database_worker_refuses_to_run_when_jobs_go_to_redis(redis_instance):
    with pytest.raises(RuntimeError, match="rqworker"):
        redis_instance.manage("worker", "--batch")
